"""The Excel template: the rows and columns a user gets, what it prefills, the metadata the import checks."""

import io
import re
from decimal import Decimal

import openpyxl
from django.urls import reverse

from county_innovation.collection.excel import TEMPLATE_VERSION
from county_innovation.collection.tests.helpers import column_of, row_of
from county_innovation.common.models import DemoDataset
from county_innovation.common.protection import deletion_permitted
from county_innovation.indicators.models import DataValue, Indicator
from county_innovation.regions.models import Region

PERIOD = 2025  # the demo covers 2020–2024


def workbook(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def test_county_officer_gets_a_town_template_with_a_row_for_each_of_their_towns(client_for, download):
    book = workbook(download(client_for("county"), "town"))
    assert book.sheetnames == ["数据填报", "填报说明", "_meta"]
    sheet = book["数据填报"]
    towns = list(
        Region.objects.filter(code__startswith="360121", level="town").values_list("code", flat=True)
    )
    assert [sheet.cell(r, 1).value for r in range(4, 4 + len(towns))] == towns
    assert sheet.cell(4 + len(towns), 1).value is None
    assert "乡（镇、街道）创新发展评价指标体系（第1版） 2025年度" in sheet["A1"].value
    assert sheet["C2"].value == "填报状态"
    assert sheet["D2"].value == "高新技术企业数\n（家）" and sheet["E2"].value == "高新技术企业数\n说明"
    assert column_of(book_bytes := download(client_for("county"), "town"), "town_hightech_enterprises") == "D"
    assert column_of(book_bytes, "town_hightech_enterprises", comment=True) == "E"
    assert len([c for c in sheet[2][3:] if c.value]) == 16  # 8 indicators, each with its 说明
    assert sheet.freeze_panes == "D4"
    assert sheet.column_dimensions["D"].width == 16
    assert sheet["D4"].number_format == "#,##0"


def test_template_row_3_is_chinese_guidance_not_codes(client_for, download):
    """Row 3 of the template names the indicators in Chinese, never by their machine codes."""
    sheet = workbook(download(client_for("county"), "town"))["数据填报"]
    texts = [str(c.value) for c in sheet[3] if c.value]
    assert texts and all(re.search(r"[\u4e00-\u9fff]", t) for t in texts), texts
    assert not any(re.search(r"[a-z]{3,}", t) for t in texts), texts


def test_county_officer_gets_a_county_template_with_only_their_county(client_for, download):
    sheet = workbook(download(client_for("county"), "county"))["数据填报"]
    assert sheet["A4"].value == "360121" and sheet["B4"].value == "南昌县"
    assert sheet["A5"].value is None
    # the county's own indicators only, each with its 说明 column
    assert len([c for c in sheet[2][3:] if c.value]) == 2 * 6


def test_template_has_data_validation_for_counts_and_shares(client_for, download):
    sheet = workbook(download(client_for("city_admin"), "county"))["数据填报"]
    rules = {(v.type, v.operator, v.formula1, v.formula2) for v in sheet.data_validations.dataValidation}
    assert ("decimal", "between", "0", "100") in rules  # percent
    assert ("whole", "greaterThanOrEqual", "0", None) in rules  # count
    assert ("decimal", "greaterThanOrEqual", "0", None) in rules  # amount, rate


def test_template_prefills_the_values_stored_for_that_period_only(client_for, download, users):
    indicator = Indicator.objects.get(code="town_tech_smes")
    DataValue.objects.create(region_id="360121100", indicator=indicator, period=PERIOD, value=Decimal("17"))
    with deletion_permitted("test setup"):
        DataValue.objects.filter(region_id="360121100", indicator=indicator, period=PERIOD - 1).delete()
    DataValue.objects.create(
        region_id="360121100", indicator=indicator, period=PERIOD - 1, value=Decimal("11")
    )
    content = download(client_for("county"), "town")
    values = [c.value for c in workbook(content)["数据填报"][row_of(content, "360121100")]]
    assert 17 in values and 11 not in values


def test_template_records_framework_version_period_and_user_in_a_hidden_sheet(client_for, download):
    meta_sheet = workbook(download(client_for("county"), "town"))["_meta"]
    assert meta_sheet.sheet_state == "hidden"
    meta = {row[0].value: row[1].value for row in meta_sheet.iter_rows()}
    assert meta["template_version"] == TEMPLATE_VERSION
    assert (meta["framework_code"], meta["framework_version"], meta["period"]) == ("town", "1", "2025")
    assert meta["generated_by"] == "t_nanchangxian"
    assert meta["generated_at"].startswith("20")


def test_instructions_sheet_explains_each_indicator(client_for, download):
    sheet = workbook(download(client_for("city_admin"), "county"))["填报说明"]
    text = "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert "留空的单元格不会覆盖平台中已有的数值" in text
    assert "年末有效期内的高新技术企业数" in text  # a definition
    assert "逆向" in text and "吨标准煤/万元" in text


def test_template_title_says_demo_data_while_the_demo_is_loaded(client_for, download):
    assert DemoDataset.objects.exists()
    sheet = workbook(download(client_for("county"), "town"))["数据填报"]
    assert sheet["A1"].value.startswith("【演示数据】")


def test_template_title_has_no_demo_label_without_the_demo(no_demo, client_for, download):
    sheet = workbook(download(client_for("county"), "town"))["数据填报"]
    assert sheet["A1"].value.startswith("乡（镇、街道）创新发展评价指标体系")


def test_department_template_has_its_indicators_for_every_county(client_for, download):
    content = download(client_for("department"), "county")
    sheet = workbook(content)["数据填报"]
    meta = {str(v) for _, v in workbook(content)["_meta"].iter_rows(values_only=True)}
    assert "rd_expenditure" in meta and "hightech_enterprises" not in meta
    assert sheet["A4"].value == "360102" and sheet["A12"].value == "360124" and sheet["A13"].value is None


def test_town_officer_gets_no_county_template(client_for):
    response = client_for("town").get(reverse("collection:template", args=["county", PERIOD]), follow=True)
    assert response.redirect_chain
    assert "您的管辖范围内没有县（区）级区划" in response.content.decode()


def test_unknown_framework_is_not_found(client_for):
    assert client_for("county").get(reverse("collection:template", args=["nope", PERIOD])).status_code == 404
