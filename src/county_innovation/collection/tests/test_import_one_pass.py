"""The Excel round trip in one pass: a downloaded template can be uploaded again as it is,
closed rows are skipped with a note, every problem comes back from one upload, and the 说明 columns carry the
explanations a warning asks for, so 导入后直接提交 can pass."""

import io
from decimal import Decimal

import openpyxl

from county_innovation.collection.models import CollectionRound, ImportBatch, Submission, ValidationRule
from county_innovation.collection.tests.helpers import column_of, fill, row_of
from county_innovation.indicators.models import DataValue, Indicator

PERIOD = 2025
LIANTANG, XIANGTANG = "360121100", "360121101"


def ref(content: bytes, region: str, code: str, *, comment: bool = False) -> str:
    return f"{column_of(content, code, comment=comment)}{row_of(content, region)}"


def messages_of(response) -> str:
    page = response.content.decode()
    return page[page.find('class="messages"') :][:6000]


def town_round() -> CollectionRound:
    return CollectionRound.objects.get(framework__code="town", period=PERIOD)


def close_xiangtang(users) -> None:
    """象湖's submission is submitted with one value stored, as after its officer's 提交."""
    indicator = Indicator.objects.get(code="town_tech_smes")
    DataValue.objects.create(
        region_id=XIANGTANG, indicator=indicator, period=PERIOD, value=Decimal(9), status="submitted"
    )
    Submission.objects.filter(round=town_round(), region_id=XIANGTANG, owner="").update(status="submitted")


def test_the_template_marks_a_submitted_row_and_uploading_it_again_skips_that_row(
    users, client_for, download, upload
):
    close_xiangtang(users)
    client = client_for("county")
    content = download(client, "town")
    row = row_of(content, XIANGTANG)
    sheet = openpyxl.load_workbook(io.BytesIO(content))["数据填报"]
    assert sheet[f"C{row}"].value == "已提交"
    # Re-upload the pre-filled template with one new value for 莲塘: accepted; 象湖's unchanged row is left out.
    page = messages_of(upload(client, "town", fill(content, {ref(content, LIANTANG, "town_tech_smes"): 17})))
    assert "已导入 1 个区划的 1 条数据" in page, page
    assert (
        DataValue.objects.get(region_id=LIANTANG, period=PERIOD, indicator__code="town_tech_smes").value == 17
    )
    # Changing a value of the submitted row: skipped with a note naming the row, the rest imported.
    changed = fill(
        content,
        {ref(content, XIANGTANG, "town_tech_smes"): 99, ref(content, LIANTANG, "town_tech_smes"): 18},
    )
    page = messages_of(upload(client, "town", changed))
    assert "跳过 1 行已提交" in page, page
    assert f"第{row}行「象湖街道」" in page or f"第{row}行「" in page
    assert (
        DataValue.objects.get(region_id=XIANGTANG, period=PERIOD, indicator__code="town_tech_smes").value == 9
    )


def test_one_upload_reports_format_and_plausibility_problems_together(users, client_for, download, upload):
    round_ = town_round()
    ValidationRule.objects.create(
        framework=round_.framework,
        kind=ValidationRule.Kind.RANGE,
        indicator=Indicator.objects.get(code="town_patents_granted"),
        min_value=0,
        max_value=1000,
        severity=ValidationRule.Severity.ERROR,
    )
    client = client_for("county")
    content = download(client, "town")
    bad_format = ref(content, LIANTANG, "town_tech_smes")
    filled = fill(content, {bad_format: "约300", ref(content, XIANGTANG, "town_patents_granted"): 5000})
    page = messages_of(upload(client, "town", filled))
    assert "发现 2 处问题" in page, page
    assert f"第{bad_format[1:]}行" in page and "约300" in page
    assert "5000" in page or "5,000" in page
    assert not ImportBatch.objects.exists()


def test_explanations_in_the_shuoming_columns_let_import_and_submit_pass(users, client_for, download, upload):
    client = client_for("county")
    content = download(client, "town")
    last = {
        dv.indicator.code: dv.value
        for dv in DataValue.objects.filter(region_id=LIANTANG, period=PERIOD - 1).select_related("indicator")
    }
    codes = [i.code for i in Indicator.objects.filter(level="town", origin="reported")]
    cells = {ref(content, LIANTANG, code): float(last.get(code, 5) or 5) for code in codes}
    jump = ref(content, LIANTANG, "town_patents_granted")
    cells[jump] = float(last["town_patents_granted"]) * 3 + 10  # a change the rules warn about
    without = messages_of(upload(client, "town", fill(content, cells), submit=True))
    assert "未导入任何数据" in without and "说明" in without, without
    assert Submission.objects.get(round=town_round(), region_id=LIANTANG, owner="").status == "draft"
    cells[ref(content, LIANTANG, "town_patents_granted", comment=True)] = "新建产业园两家企业集中授权"
    page = messages_of(upload(client, "town", fill(content, cells), submit=True))
    assert "已提交 1 份填报" in page, page
    dv = DataValue.objects.get(region_id=LIANTANG, period=PERIOD, indicator__code="town_patents_granted")
    assert dv.comment == "新建产业园两家企业集中授权" and dv.status == "submitted"
