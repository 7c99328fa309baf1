"""The framework page's 另存为新版本 form, submitted as a browser submits it: every field the page renders,
with one weight changed. Before, the form required method fields the page never rendered."""

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from county_innovation.indicators.models import Framework


class FormFields(HTMLParser):
    """The name/value pairs a browser would submit from the form marked data-testid=``testid``."""

    def __init__(self, testid: str) -> None:
        super().__init__()
        self.testid = testid
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "form" and a.get("data-testid") == self.testid:
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select, self._options = a.get("name"), []
        elif tag == "option" and self._select:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if not self.inside:
            return
        if tag == "select" and self._select:
            chosen = [v for v, sel in self._options if sel] or [v for v, _ in self._options[:1]]
            self.fields += [(self._select, v) for v in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, self._text))
            self._textarea = None
        elif tag == "form":
            self.inside = False


def form_fields(html: str, testid: str) -> dict[str, str]:
    parser = FormFields(testid)
    parser.feed(html)
    return dict(parser.fields)


@pytest.fixture
def admin(client_for):
    return client_for("city_admin")


def test_changing_one_weight_on_the_page_saves_a_new_version(admin, frameworks):
    fw = frameworks["county"]
    page = admin.get(reverse("indicators:framework_detail", args=[fw.pk])).content.decode()
    fields = form_fields(page, "framework-form")
    # The page renders the method as the version has it, so saving weights never asks for it.
    assert fields["normalisation"] == fw.method_spec["normalisation"]
    assert fields["availability_threshold"] == "60.0"
    assert fields["weight_enterprise"] == "1"
    fields["weight_enterprise"] = "2"
    fields["note"] = "提高企业创新维度权重"
    response = admin.post(reverse("indicators:framework_new", args=[fw.pk]), fields, follow=True)
    body = response.content.decode()
    assert "这个字段是必填项" not in body and "请填写数据完整率门槛" not in body
    new = Framework.objects.get(code="county", version=fw.version + 1)
    assert new.nodes.get(code="enterprise").weight == Decimal(2)
    assert new.note == "提高企业创新维度权重"
    assert new.method_spec == fw.method_spec  # the method untouched
    assert f"已创建「{new}」" in body
    # The new version's page shows the shares of the edited weights: 2 / (1 + 2 + 1 + 1) = 0.4.
    assert response.context["tree"][1]["share"] == pytest.approx(0.4)
    assert "评价方法：" in body


def test_a_refused_save_shows_the_edit_again(admin, frameworks):
    fw = frameworks["county"]
    page = admin.get(reverse("indicators:framework_detail", args=[fw.pk])).content.decode()
    fields = form_fields(page, "framework-form")
    fields["weight_enterprise"] = "很多"
    fields["note"] = "草稿说明"
    response = admin.post(reverse("indicators:framework_new", args=[fw.pk]), fields)
    assert response.status_code == 400
    body = response.content.decode()
    assert "「企业创新」的权重应为数字，实际为「很多」" in body or "权重应为数字" in body
    again = form_fields(body, "framework-form")
    assert again["weight_enterprise"] == "很多" and again["note"] == "草稿说明"
    assert Framework.objects.filter(code="county").count() == 1


def test_an_old_client_that_leaves_the_method_out_keeps_the_versions_method(admin, frameworks):
    fw = frameworks["county"]
    response = admin.post(
        reverse("indicators:framework_new", args=[fw.pk]), {"weight_input": "2", "note": "只改权重"}
    )
    new = Framework.objects.get(code="county", version=fw.version + 1)
    assert response.status_code == 302 and new.method_spec == fw.method_spec
