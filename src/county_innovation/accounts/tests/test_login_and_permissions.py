import pytest
from django.urls import reverse

from county_innovation.accounts import permissions
from county_innovation.collection.policies import data
from county_innovation.indicators.models import Indicator
from county_innovation.regions.models import Region


def test_login_page_is_chinese(client, db):
    page = client.get(reverse("accounts:login")).content.decode()
    assert "登录" in page and "用户名" in page and "密码" in page


def test_wrong_password_is_refused_in_chinese(client, users):
    response = client.post(reverse("accounts:login"), {"username": "t_nanchangxian", "password": "wrong-one"})
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_right_password_logs_in(client, users):
    response = client.post(
        reverse("accounts:login"), {"username": "t_nanchangxian", "password": "test-pass-2025"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(users["county"].pk)


def test_repeated_failures_lock_the_account(client, users, settings):
    settings.AXES_ENABLED = True
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "t_liantang", "password": "nope"})
    response = client.post(
        reverse("accounts:login"), {"username": "t_liantang", "password": "test-pass-2025"}
    )
    assert response.status_code == 429
    assert "暂时锁定" in response.content.decode()


def test_pages_need_login(client, db):
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_demo_accounts_are_listed_only_in_demo_mode(client, demo):
    assert "演示账号" in client.get(reverse("accounts:login")).content.decode()


def test_no_demo_accounts_listed_without_demo_data(client, no_demo):
    assert "演示账号" not in client.get(reverse("accounts:login")).content.decode()


def test_scopes(users):
    nanchang_county = Region.objects.get(code="360121")
    liantang = Region.objects.get(code="360121100")
    xiangtang = Region.objects.get(code="360121101")
    jinxian = Region.objects.get(code="360124")
    assert permissions.in_scope(users["county"], liantang)
    assert not permissions.in_scope(users["county"], jinxian)
    assert permissions.in_scope(users["town"], liantang)
    assert not permissions.in_scope(users["town"], xiangtang)
    assert not permissions.in_scope(users["town"], nanchang_county)
    assert permissions.in_scope(users["city_admin"], jinxian)
    assert not permissions.in_scope(users["expert"], liantang)
    assert not permissions.in_scope(users["enterprise"], liantang)
    assert permissions.scoped_regions(users["county"]).count() == 1 + 24
    assert permissions.scoped_regions(users["town"]).count() == 1
    assert permissions.scoped_regions(users["expert"]).count() == 0


@pytest.mark.parametrize(
    ("role", "code", "allowed"),
    [
        ("department", "rd_expenditure", True),  # 统计局 owns it
        ("department", "hightech_enterprises", False),  # 科技 owns it
        ("county", "hightech_enterprises", True),
        ("other_county", "hightech_enterprises", False),
        ("town", "hightech_enterprises", False),  # a town is not the county
        ("expert", "hightech_enterprises", False),
    ],
)
def test_who_may_enter_a_county_indicator(users, role, code, allowed):
    region = Region.objects.get(code="360121")
    assert data.can_edit(users[role], region, Indicator.objects.get(code=code)) is allowed


def test_a_user_changes_their_own_password_in_chinese(users, client):
    user = users["expert"]
    client.force_login(user)
    url = reverse("accounts:password_change")
    bad = client.post(
        url, {"old_password": "wrong", "new_password1": "12345678", "new_password2": "12345678"}
    )
    page = bad.content.decode()
    assert bad.status_code == 200 and "旧密码不正确" in page and "密码不能全是数字" in page, page[-3000:]
    good = client.post(
        url,
        {"old_password": "test-pass-2025", "new_password1": "Xinmima-2026", "new_password2": "Xinmima-2026"},
        follow=True,
    )
    assert "密码已修改" in good.content.decode()
    user.refresh_from_db()
    assert user.check_password("Xinmima-2026")
