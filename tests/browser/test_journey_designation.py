"""Journey (issue #11): a designation walked through the pages by the demo accounts alone.

南昌县 drafts an application for one of its towns with a structured building target, uploads the application
and submits it → the city checks it (the data evaluation appears) → the city adds three experts to the 专家库
(each gets a login with an initial password shown once) and assigns them; the 南昌县 expert is left out →
each expert signs in (the first changes the initial password), sees 待评审 and scores → the city opens the public notice, records an objection with its
handling and designates the town → 南昌县 submits the first annual report → 南昌县's own pilot (its building
period over, its last annual report due) gets that report and the city's acceptance.

Screenshots of the key pages go to the folder named by JOURNEY_SCREENSHOTS when it is set.
"""

from __future__ import annotations

import datetime
import os

import pytest
from django.utils import timezone

from county_innovation.web.demo import demo_load

PASSWORD = "demo-2025"
TOWN = "360121102"  # 三江镇, 南昌县
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
NEW_EXPERTS = [
    ("t_j_hu", "胡文静", "南昌大学", "区域经济", "360124"),  # 进贤县
    ("t_j_xu", "徐国栋", "江西农业大学", "农业科技", ""),  # 市外
    ("t_j_he", "何丽萍", "江西财经大学", "科技金融", "360111"),  # 青山湖区
]
SCORES = {"basis": "21", "plan": "20", "industry": "16", "support": "12", "demonstration": "12"}


class Journey:
    """One browser, a fresh context per signed-in user; screenshots when asked."""

    def __init__(self, browser, base: str) -> None:
        self.browser, self.base = browser, base
        self.shots = os.environ.get("JOURNEY_SCREENSHOTS")
        if self.shots:
            os.makedirs(self.shots, exist_ok=True)

    def login(self, username: str, password: str = PASSWORD, width: int = 1280):
        context = self.browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())  # data-confirm asks before a final step
        page.goto(f"{self.base}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("load")
        assert "/accounts/login/" not in page.url, f"{username} could not sign in"
        return page

    def shot(self, page, name: str) -> None:
        if self.shots:
            page.screenshot(path=os.path.join(self.shots, f"designation-{name}.png"), full_page=True)

    def status(self, page) -> str:
        return page.get_by_test_id("status").inner_text()


def _post(page, action: str, button: str) -> None:
    page.locator(f"form[action$='{action}'] button", has_text=button).click()
    page.wait_for_load_state("load")


@pytest.mark.browser
def test_designation_journey_from_draft_to_acceptance(
    demo_restored_afterwards, transactional_db, live_server, browser, tmp_path
):
    demo_load()
    journey = Journey(browser, live_server.url)
    base = live_server.url
    today = timezone.localdate()

    # 1. 南昌县 drafts an application with a structured target, uploads the application, submits it
    county = journey.login("nanchangxian")
    county.goto(f"{base}/designation/apply/")
    county.select_option("select[name=region]", TOWN)
    county.select_option("select[name=level]", "city")
    county.select_option("select[name=theme]", "industry")
    county.fill("textarea[name=summary]", "以农产品精深加工为特色，建设科技支撑产业发展型创新型乡镇。")
    county.select_option("select[name='targets-0-indicator']", "town_hightech_enterprises")
    county.fill("input[name='targets-0-baseline_year']", str(today.year - 1))
    county.fill("input[name='targets-0-baseline_value']", "4")
    county.fill("input[name='targets-0-target_year']", str(today.year + 3))
    county.fill("input[name='targets-0-target_value']", "10")
    journey.shot(county, "01-apply-form")
    county.get_by_role("button", name="保存草稿").click()
    county.wait_for_load_state("load")
    assert journey.status(county) == "草稿"
    detail_url = county.url
    assert "高新技术企业数" in county.get_by_test_id("targets").inner_text()
    pdf = tmp_path / "申报书.pdf"
    pdf.write_bytes(PDF)
    county.fill("form[action$='/materials/'] input[name=title]", "申报书")
    county.set_input_files("form[action$='/materials/'] input[type=file]", str(pdf))
    _post(county, "/materials/", "上传")
    assert "申报书" in county.get_by_test_id("materials").inner_text()
    journey.shot(county, "02-draft")
    _post(county, "/submit/", "提交推荐")
    assert journey.status(county) == "已推荐，待形式审查"

    # 2. the city's formal check fills the data evaluation
    admin = journey.login("admin")
    admin.goto(detail_url)
    for box in admin.locator("form[action$='/check/'] input[type=checkbox]").all():
        box.check()
    _post(admin, "/check/", "记录审查结果")
    assert journey.status(admin) == "已通过形式审查"
    assert "综合指数" in admin.get_by_test_id("data-evaluation").inner_text()
    journey.shot(admin, "03-data-evaluation")

    # 3. three experts join the pool (their initial passwords are shown once) and are assigned
    passwords = {}
    for username, name, organisation, field, home in NEW_EXPERTS:
        admin.goto(f"{base}/designation/experts/")
        form = admin.get_by_test_id("expert-form")
        form.locator("input[name=name]").fill(name)
        form.locator("input[name=organisation]").fill(organisation)
        form.locator("input[name=field]").fill(field)
        form.locator("select[name=home_region]").select_option(home)
        form.locator("input[name=username]").fill(username)
        form.get_by_role("button", name="加入专家库").click()
        admin.wait_for_load_state("load")
        passwords[username] = admin.get_by_test_id("initial-password").inner_text()
    assert all(name in admin.get_by_test_id("expert-pool").inner_text() for _, name, *_ in NEW_EXPERTS)
    journey.shot(admin, "04-expert-pool")
    admin.goto(detail_url)
    assign = admin.get_by_test_id("assign-form")
    assert "王建华" not in assign.inner_text()  # the demo's 南昌县 expert is left out
    assert "王建华（演示专家）（来自南昌县，须回避）" in admin.get_by_test_id("excluded-experts").inner_text()
    for _, name, *_ in NEW_EXPERTS:
        assign.get_by_label(name, exact=False).check()
    _post(admin, "/experts/", "分配专家")
    assert journey.status(admin) == "专家质询中"

    # 4. each expert signs in, sees 待评审 and scores
    for i, (username, name, *_) in enumerate(NEW_EXPERTS):
        expert = journey.login(username, passwords[username], width=390 if i == 0 else 1280)
        if i == 0:  # the first one replaces the initial password with their own
            expert.goto(f"{base}/accounts/password/")
            expert.fill("input[name=old_password]", passwords[username])
            expert.fill("input[name=new_password1]", "Zhuanjia-2026")
            expert.fill("input[name=new_password2]", "Zhuanjia-2026")
            expert.get_by_role("button", name="修改密码").click()
            expert.wait_for_load_state("load")
            assert "密码已修改" in expert.content()
        expert.goto(f"{base}/designation/")
        waiting = expert.get_by_test_id("waiting-reviews")
        assert "待评审（1）" in waiting.inner_text() and "三江镇" in waiting.inner_text()
        if i == 0:
            journey.shot(expert, "05-expert-waiting-390")
        waiting.get_by_role("link", name="评分").click()
        expert.wait_for_load_state("load")
        for key, value in SCORES.items():
            expert.fill(f"input[name={key}]", value)
        expert.fill("textarea[name=comment]", f"{name}：方案可行，目标量化。")
        if i == 0:
            journey.shot(expert, "06-score-390")
        expert.get_by_role("button", name="提交评分").click()
        expert.wait_for_load_state("load")
        assert "评分已提交" in expert.content()
        expert.goto(f"{base}/designation/")
        assert expert.get_by_test_id("waiting-reviews").count() == 0
        expert.context.close()

    # 5. public notice (held on the bureau's website; the dates are recorded), an objection, the decision
    admin.goto(detail_url)
    admin.fill("form[action$='/notice/'] input[name=start]", (today - datetime.timedelta(days=9)).isoformat())
    admin.fill("form[action$='/notice/'] input[name=end]", (today - datetime.timedelta(days=2)).isoformat())
    _post(admin, "/notice/", "开始公示")
    assert journey.status(admin) == "公示中"
    assert "专家评分 81.00" in admin.get_by_test_id("experts").inner_text()
    objection = "form[action$='/objections/']"
    admin.fill(f"{objection} input[name=received_on]", (today - datetime.timedelta(days=5)).isoformat())
    admin.fill(f"{objection} input[name=submitter]", "三江镇某企业")
    admin.fill(f"{objection} textarea[name=content]", "申报材料中高新技术企业数与统计不符。")
    admin.fill(f"{objection} textarea[name=resolution]", "经核实，差异为统计口径不同，异议不成立。")
    _post(admin, "/objections/", "登记")
    assert "异议不成立" in admin.get_by_test_id("notice").inner_text()
    decide = "form[action$='/decide/']"
    admin.select_option(f"{decide} select[name=approve]", "1")
    admin.select_option(f"{decide} select[name=level]", "city")
    admin.fill(f"{decide} input[name=funding]", "30")
    _post(admin, "/decide/", "记录决定")
    assert journey.status(admin) == "建设期"
    journey.shot(admin, "07-decided")

    # 6. 南昌县 submits the first annual report of the new pilot
    county.goto(detail_url)
    county.fill(
        "form[action$='/reports/'] textarea[name=text]", "已引进高新技术企业 2 家，建成镇级创新服务站。"
    )
    _post(county, "/reports/", "报送")
    assert "建成镇级创新服务站" in county.get_by_test_id("building").inner_text()

    # 7. 南昌县's own pilot: building period over, last annual report due → report, then acceptance
    county.goto(f"{base}/designation/")
    county.get_by_test_id("designations").get_by_role("link", name="南昌县", exact=True).click()
    county.wait_for_load_state("load")
    pilot_url = county.url
    assert journey.status(county) == "建设期"
    building = county.get_by_test_id("building")
    assert "2025年度" in building.get_by_test_id("missing-reports").inner_text()
    county.fill("form[action$='/reports/'] input[name=year]", "2025")
    county.fill("form[action$='/reports/'] textarea[name=text]", "2025年度：主要建设目标全部完成。")
    _post(county, "/reports/", "报送")
    assert county.get_by_test_id("missing-reports").count() == 0
    admin.goto(pilot_url)
    admin.select_option("form[action$='/acceptance/'] select[name=result]", "excellent")
    admin.fill("form[action$='/acceptance/'] textarea[name=note]", "建设目标全部完成，验收优秀。")
    _post(admin, "/acceptance/", "记录验收结论")
    assert journey.status(admin) == "已通过验收"
    journey.shot(admin, "08-accepted")

    # the outcome a user checks: the list shows the new pilot building and 南昌县 accepted
    admin.goto(f"{base}/designation/")
    rows = admin.get_by_test_id("designations")
    assert "建设期" in rows.locator("tr", has_text="三江镇").first.inner_text()
    assert (
        "已通过验收（优秀）"
        in rows.locator("tr", has=admin.get_by_role("link", name="南昌县", exact=True)).inner_text()
    )
    journey.shot(admin, "09-list")
