"""Importing the Excel template: a good file is written whole, any problem refuses the whole file.

Every refusal goes through the Django test client with a real template downloaded from the platform and
edited with openpyxl, and checks the Chinese message and that no DataValue and no ImportBatch were written.
"""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from county_innovation.collection import selectors
from county_innovation.collection.excel import TEMPLATE_VERSION
from county_innovation.collection.models import ImportBatch
from county_innovation.collection.tests.helpers import column_of, fill, row_of
from county_innovation.indicators.models import DataValue, Framework, Indicator
from county_innovation.indicators.services import framework_new_version
from county_innovation.regions.models import Region

LIANTANG, XIANGTANG = "360121100", "360121101"
PERIOD = 2025  # the demo covers 2020–2024


def entered():
    return DataValue.objects.filter(period=PERIOD)


def ref(content: bytes, region_code: str, indicator_code: str) -> str:
    return f"{column_of(content, indicator_code)}{row_of(content, region_code)}"


def page_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def assert_refused(response, *messages: str) -> str:
    page = page_of(response)
    for message in messages:
        assert message in page, page[page.find('class="messages"') :][:2000]
    assert "未导入任何数据" in page or "已导入" not in page
    assert not entered().exists()
    assert not ImportBatch.objects.exists()
    return page


@pytest.fixture
def town_template(client_for, download):
    """The 2025 town template of the 南昌县 officer, and their client."""
    client = client_for("county")
    return client, download(client, "town")


# --- good files ---------------------------------------------------------------------------------------------


def test_county_officer_imports_values_of_their_towns(town_template, upload, users):
    client, content = town_template
    filled = fill(
        content,
        {
            ref(content, LIANTANG, "town_tech_smes"): 17,
            ref(content, LIANTANG, "town_fiscal_st_spending"): 123.45,
            ref(content, XIANGTANG, "town_tech_smes"): "5",
        },
    )
    page = page_of(upload(client, "town", filled, name="南昌县乡镇2025.xlsx"))
    assert "已导入 2 个区划的 3 条数据（新增 3 条" in page
    values = {(v.region_id, v.indicator.code): v for v in entered().select_related("indicator")}
    assert values[(LIANTANG, "town_tech_smes")].value == 17
    assert values[(LIANTANG, "town_fiscal_st_spending")].value == Decimal("123.45")
    assert values[(XIANGTANG, "town_tech_smes")].value == 5
    assert {(v.status, v.channel, v.updated_by) for v in values.values()} == {
        ("draft", "import", users["county"])
    }
    batch = ImportBatch.objects.get()
    assert (batch.file_name, batch.template_version, batch.region_count, batch.value_count) == (
        "南昌县乡镇2025.xlsx",
        TEMPLATE_VERSION,
        2,
        3,
    )
    assert len(batch.file_sha256) == 64 and batch.framework.code == "town" and batch.period == PERIOD
    history = values[(LIANTANG, "town_tech_smes")].history.get()
    assert history.history_user == users["county"]
    assert history.history_change_reason == "Excel导入：南昌县乡镇2025.xlsx"


def test_import_can_submit_the_values_directly(town_template, upload):
    client, content = town_template
    reported = selectors.reported_indicators(
        Framework.objects.filter(code="town").order_by("-version").first()
    )
    last_year = DataValue.objects.filter(
        region_id=LIANTANG, period=PERIOD - 1, indicator__in=reported
    ).select_related("indicator")
    filled = fill(content, {ref(content, LIANTANG, v.indicator.code): float(v.value) for v in last_year})
    page = page_of(upload(client, "town", filled, submit=True))
    assert "已提交 1 份填报" in page
    assert set(entered().values_list("status", flat=True)) == {"submitted"}


def test_submitting_an_incomplete_town_refuses_the_whole_import(town_template, upload):
    client, content = town_template
    filled = fill(content, {ref(content, LIANTANG, "town_tech_smes"): 17})
    assert_refused(upload(client, "town", filled, submit=True), "「高新技术企业数」为必填项，尚未填写")


def test_reimport_updates_changed_values_and_leaves_empty_cells_alone(town_template, upload, download):
    client, content = town_template
    upload(
        client,
        "town",
        fill(
            content,
            {
                ref(content, LIANTANG, "town_tech_smes"): 17,
                ref(content, LIANTANG, "town_patents_granted"): 40,
            },
        ),
    )
    again = download(client, "town")  # prefilled with 17 and 40
    again = fill(
        again,
        {ref(again, LIANTANG, "town_tech_smes"): 18, ref(again, LIANTANG, "town_patents_granted"): None},
    )
    page = page_of(upload(client, "town", again))
    assert "已导入 1 个区划的 1 条数据（新增 0 条，修改 1 条" in page
    assert {v.indicator.code: v.value for v in entered().select_related("indicator")} == {
        "town_tech_smes": 18,
        "town_patents_granted": 40,
    }
    assert ImportBatch.objects.count() == 2


# --- bad cells ----------------------------------------------------------------------------------------------


def test_text_in_a_numeric_cell_is_refused_with_row_and_column(town_template, upload):
    client, content = town_template
    cell = ref(content, LIANTANG, "town_hightech_enterprises")
    filled = fill(content, {cell: "约300", ref(content, XIANGTANG, "town_tech_smes"): 5})
    assert_refused(
        upload(client, "town", filled),
        f"第{cell[1:]}行 {cell[0]}列「高新技术企业数」：应为数字，实际为「约300」",
        "导入失败：发现 1 处问题，未导入任何数据",
    )


def test_a_negative_count_is_refused(town_template, upload):
    client, content = town_template
    cell = ref(content, XIANGTANG, "town_tech_smes")
    assert_refused(
        upload(client, "town", fill(content, {cell: -3})),
        f"第{cell[1:]}行 {cell[0]}列「科技型中小企业数」：计数不能为负数，实际为 -3</li>",
    )


def test_a_share_over_100_percent_is_refused(client_for, download, upload):
    client = client_for("city_admin")
    content = download(client, "county")
    cell = ref(content, "360121", "fiscal_st_share")
    assert_refused(
        upload(client, "county", fill(content, {cell: 150})),
        f"第{cell[1:]}行 {cell[0]}列",
        "比重不能超过 100%，实际为 150",
    )


def test_every_bad_cell_is_listed(town_template, upload):
    client, content = town_template
    cells = [
        ref(content, LIANTANG, "town_tech_smes"),
        ref(content, XIANGTANG, "town_tech_smes"),
        ref(content, XIANGTANG, "town_outreach_events"),
    ]
    page = assert_refused(
        upload(client, "town", fill(content, dict(zip(cells, ["x", -1, 2.5], strict=True)))), "发现 3 处问题"
    )
    for cell in cells:
        assert f"第{cell[1:]}行 {cell[0]}列" in page
    assert "计数应为整数，实际为 2.5" in page


# --- bad rows and columns -----------------------------------------------------------------------------------


def test_an_unknown_region_code_is_refused(town_template, upload):
    client, content = town_template
    row = row_of(content, LIANTANG)
    filled = fill(content, {f"A{row}": "360121999", ref(content, LIANTANG, "town_tech_smes"): 3})
    assert_refused(upload(client, "town", filled), f"第{row}行 A列：未知的区划代码「360121999」")


def test_a_region_outside_the_users_scope_is_refused(town_template, upload):
    client, content = town_template
    outside = Region.objects.filter(code__startswith="360124", level="town").first()  # a town of 进贤县
    row = row_of(content, LIANTANG)
    filled = fill(content, {f"A{row}": outside.code, ref(content, LIANTANG, "town_tech_smes"): 3})
    assert_refused(
        upload(client, "town", filled),
        f"第{row}行 A列：「{outside.name}」（{outside.code}）不在您的管辖范围内，不能导入其数据",
    )


def test_a_region_of_the_wrong_level_is_refused(client_for, download, upload):
    client = client_for("county")
    content = download(client, "county")
    filled = fill(content, {"A4": LIANTANG, ref(content, "360121", "tech_smes"): 3})
    assert_refused(
        upload(client, "county", filled),
        f"第4行 A列：「莲塘镇」（{LIANTANG}）是乡级区划，「县（区）创新驱动发展评价指标体系」只收县（区）级数据",
    )


def test_a_template_whose_code_row_was_changed_is_refused(town_template, upload):
    client, content = town_template
    filled = fill(content, {"A3": "区划代码", ref(content, LIANTANG, "town_tech_smes"): 3})
    assert_refused(
        upload(client, "town", filled), "无法识别各列对应的指标：模板第3行（灰色的填写要求行）被删除或修改"
    )


def test_the_same_region_twice_is_refused(town_template, upload):
    client, content = town_template
    first, second = row_of(content, LIANTANG), row_of(content, XIANGTANG)
    filled = fill(
        content,
        {
            f"A{second}": LIANTANG,
            ref(content, LIANTANG, "town_tech_smes"): 3,
            ref(content, XIANGTANG, "town_tech_smes"): 4,
        },
    )
    assert_refused(
        upload(client, "town", filled),
        f"第{second}行 A列：区划「{LIANTANG}」重复，已在第{first}行出现",
    )


def test_a_department_cannot_import_an_indicator_it_does_not_own(client_for, download, upload):
    client = client_for("department")
    content = download(client, "county")

    def add_column(book):
        sheet = book["数据填报"]
        column = sheet.max_column + 1
        sheet.cell(2, column, "高新技术企业数")
        sheet.cell(4, column, 300)
        book["_meta"].append((f"column:{sheet.cell(2, column).column_letter}", "hightech_enterprises"))

    filled = fill(content, {ref(content, "360102", "rd_expenditure"): 1000}, edit=add_column)
    assert_refused(
        upload(client, "county", filled), "您无权填报指标「高新技术企业数」（该指标不由您的部门负责）"
    )


# --- the wrong template -------------------------------------------------------------------------------------


def test_a_template_of_an_older_framework_version_is_refused(town_template, upload, frameworks, users):
    client, content = town_template
    framework_new_version(framework=frameworks["town"], actor=users["city_admin"], weights={"actors": 2})
    assert_refused(
        upload(client, "town", fill(content, {ref(content, LIANTANG, "town_tech_smes"): 3})),
        "该模板基于「乡（镇、街道）创新发展评价指标体系」第1版，当前使用的是第2版",
    )


def test_a_template_of_another_framework_is_refused(town_template, upload):
    client, content = town_template
    assert_refused(
        upload(client, "county", fill(content, {ref(content, LIANTANG, "town_tech_smes"): 3})),
        "该模板属于「乡（镇、街道）创新发展评价指标体系」，不能导入「县（区）创新驱动发展评价指标体系」的数据",
    )


def test_a_template_of_another_period_is_refused_naming_its_period(client_for, download, upload):
    client = client_for("county")
    content = download(client, "town", period=2023)
    assert_refused(
        upload(client, "town", fill(content, {ref(content, LIANTANG, "town_tech_smes"): 3})),
        "该模板是 2023 年度的，不能导入为 2025 年度的数据",
    )


def test_a_workbook_without_the_entry_sheet_is_refused(town_template, upload):
    client, content = town_template

    def rename_entry_sheet(book):
        book["数据填报"].title = "Sheet1"

    book = load_workbook(io.BytesIO(content))
    rename_entry_sheet(book)
    out = io.BytesIO()
    book.save(out)
    assert_refused(
        upload(client, "town", out.getvalue()), "这不是本平台的填报模板：文件中没有「数据填报」工作表"
    )


def test_a_workbook_without_the_meta_sheet_is_refused(town_template, upload):
    client, content = town_template

    def drop_meta(book):
        del book["_meta"]

    filled = fill(content, {ref(content, LIANTANG, "town_tech_smes"): 3}, edit=drop_meta)
    assert_refused(
        upload(client, "town", filled), "这不是本平台的填报模板：缺少记录模板信息的隐藏工作表（_meta）"
    )


def test_a_template_without_any_value_is_refused(town_template, upload):
    client, content = town_template
    assert_refused(upload(client, "town", content), "未找到任何数据：模板中没有填写任何数值")


# --- files that are not xlsx --------------------------------------------------------------------------------


def test_a_text_file_that_is_not_our_csv_layout_is_refused(town_template, upload):
    client, _ = town_template
    assert_refused(
        upload(client, "town", "区划代码,高新技术企业数\n360121100,3\n".encode(), name="数据.xlsx"),
        "CSV 文件第1行应为表头「区划代码,指标代码,数值,说明」",
        "缺少「指标代码」「数值」列",
    )


def test_a_pdf_is_refused(town_template, upload):
    client, _ = town_template
    assert_refused(
        upload(client, "town", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", name="数据.pdf"),
        "PDF 文件（.pdf），不是 Excel 工作簿（.xlsx）",
    )


def test_an_old_xls_renamed_to_xlsx_is_refused(town_template, upload):
    client, _ = town_template
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    assert_refused(
        upload(client, "town", ole2, name="数据.xlsx"),
        "这是旧版 Excel 97-2003 文件（.xls），请在 Excel 中「另存为」.xlsx 后再上传",
    )


def test_a_damaged_xlsx_is_refused(town_template, upload):
    client, content = town_template
    assert_refused(upload(client, "town", content[:2000]), "无法读取该文件")


def test_an_empty_file_is_refused(town_template, upload):
    client, _ = town_template
    assert_refused(upload(client, "town", b""), "上传的文件是空的（0 字节）")


def test_import_page_of_an_unknown_framework_is_not_found(client_for):
    assert client_for("county").get(reverse("collection:import", args=["nope", PERIOD])).status_code == 404


def test_import_page_refuses_users_without_data_entry(client_for):
    response = client_for("enterprise").get(reverse("collection:import", args=["town", PERIOD]))
    assert response.status_code == 403
    assert Indicator.objects.exists()
