"""Bulk import and export of enterprises through the pages: the template, each refused input with its
Chinese message and nothing written, the export → re-import round trip, and who may import or export what."""

import io
import random
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl.utils import get_column_letter

from county_innovation.common.models import DemoDataset
from county_innovation.enterprises.demo import demo_credit_code
from county_innovation.enterprises.exporting import (
    FIRST_DATA_ROW,
    META_SHEET,
    REGISTRY_COLUMNS,
    REGISTRY_SHEET,
    YEARS_COLUMNS,
    YEARS_SHEET,
)
from county_innovation.enterprises.models import Enterprise, EnterpriseYear
from county_innovation.enterprises.tests.conftest import VALID_CODE, count_rows
from county_innovation.regions.models import Region

LIANTANG = "360121100"  # 莲塘镇, 南昌县
JINXIAN_TOWN = "360124100"  # a town of 进贤县
REG = [code for code, _ in REGISTRY_COLUMNS]
YRS = [code for code, _ in YEARS_COLUMNS]


def col(columns: list[str], name: str) -> str:
    return get_column_letter(columns.index(name) + 1)


def new_codes(n: int, town: str = LIANTANG, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    region = Region.objects.get(code=town)
    return [demo_credit_code(rng, region) for _ in range(n)]


def registry_row(code: str, town: str = LIANTANG, **overrides: object) -> dict:
    row = {
        "credit_code": code,
        "name": f"导入测试科技有限公司{code[-4:]}",
        "town_code": town,
        "industry_code": "C3976",
        "industry_name": "光电子器件制造",
        "hightech_field": "电子信息",
        "founded": date(2016, 5, 20),
        "listing_status": "未上市",
    }
    return row | overrides


def year_row(code: str, year: int, **overrides: object) -> dict:
    row = {
        "credit_code": code,
        "year": year,
        "employees": 120,
        "tech_staff": 30,
        "sales_revenue": 5000.1,
        "total_revenue": 5200.2,
        "total_assets": 9000,
        "net_assets": -12.5,  # liabilities above assets are allowed
        "total_cost": 4800,
        "rd_expense": 300.3,
        "rd_expense_domestic": 290,
        "hightech_revenue": 4000,
        "ip_class1": 1,
        "ip_class2": 4,
        "results_converted": 2,
        "valuation": None,
        "financing_rounds": 0,
    }
    return row | overrides


def fill(content: bytes, registry: list[dict] = (), years: list[dict] = ()) -> bytes:
    """Write rows into a downloaded template (or an export) below what is already there, as a user would."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    for sheet, columns, rows in ((REGISTRY_SHEET, REG, registry), (YEARS_SHEET, YRS, years)):
        ws = book[sheet]
        start = max(ws.max_row + 1, FIRST_DATA_ROW)
        for r, row in enumerate(rows, start=start):
            for name, value in row.items():
                ws.cell(r, columns.index(name) + 1, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template(client) -> bytes:
    response = client.get(reverse("enterprises:import_template"))
    assert response.status_code == 200
    return response.content


def upload(client, content: bytes, name: str = "企业.xlsx"):
    return client.post(reverse("enterprises:import"), {"file": SimpleUploadedFile(name, content)})


def problems_of(response) -> str:
    assert response.status_code == 400, response.status_code
    return response.content.decode()


@pytest.fixture
def last_year(last_years):
    return last_years[-1]


def test_template_has_both_sheets_units_guide_hidden_meta_and_demo_label(client_for):
    content = template(client_for("city_admin"))
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == [REGISTRY_SHEET, YEARS_SHEET, "填报说明", META_SHEET]
    assert book[META_SHEET].sheet_state == "hidden"
    assert dict(book[META_SHEET].values)["template_version"] == "1"
    registry, years = book[REGISTRY_SHEET], book[YEARS_SHEET]
    assert [c.value for c in registry[2]] == [h for _, h in REGISTRY_COLUMNS]
    assert [c.value for c in registry[3]][:3] == ["credit_code", "name", "town_code"]
    headers = [c.value for c in years[2]]
    assert "销售收入（万元）" in headers and "职工总数（人）" in headers and "估值（万元）" in headers
    assert DemoDataset.objects.exists()
    assert "演示数据" in registry["A1"].value and "演示数据" in years["A1"].value
    assert registry.max_row == 3 and years.max_row == 3  # no example rows that would be imported


def test_template_without_demo_data_has_no_demo_label(client_for):
    DemoDataset.objects.all().delete()
    book = openpyxl.load_workbook(io.BytesIO(template(client_for("county"))))
    assert "演示数据" not in book[REGISTRY_SHEET]["A1"].value


def test_import_creates_enterprises_and_years_with_exact_decimals_and_history(client_for, users, last_years):
    client = client_for("county")
    codes = new_codes(2)
    content = fill(
        template(client),
        registry=[registry_row(codes[0]), registry_row(codes[1], hightech_field="", listing_status="")],
        years=[year_row(codes[0], y) for y in last_years] + [year_row(codes[1], last_years[-1])],
    )
    before = count_rows()
    response = upload(client, content)
    assert response.status_code == 302, response.content.decode()
    assert count_rows()[:2] == (before[0] + 2, before[1] + 4)
    firm = Enterprise.objects.get(credit_code=codes[0])
    assert (
        firm.town.code == LIANTANG
        and firm.hightech_field == "electronic"
        and firm.founded == date(2016, 5, 20)
    )
    assert Enterprise.objects.get(credit_code=codes[1]).listing_status == "unlisted"
    record = firm.years.get(year=last_years[-1])
    assert record.sales_revenue == Decimal("5000.10") and record.rd_expense == Decimal("300.30")
    assert record.net_assets == Decimal("-12.50") and record.valuation is None
    assert firm.history.count() == 1 and firm.history.first().history_user == users["county"]
    assert record.history.count() == 1
    page = client.get(reverse("enterprises:import")).content.decode()
    assert "企业新增 2 家" in page and "年度数据新增 4 条" in page


def test_import_updates_a_registered_enterprise_and_replaces_a_year(client_for, firm, last_year):
    client = client_for("city_admin")
    content = fill(
        template(client),
        registry=[registry_row(VALID_CODE, name="南昌测试光电股份有限公司", founded="2015-03-01")],
        years=[year_row(VALID_CODE, last_year, employees=250, tech_staff=60)],
    )
    before = count_rows()
    assert upload(client, content).status_code == 302
    assert count_rows() == before
    firm.refresh_from_db()
    assert firm.name == "南昌测试光电股份有限公司" and firm.founded == date(2015, 3, 1)
    record = firm.years.get(year=last_year)
    assert (record.employees, record.tech_staff, record.sales_revenue) == (250, 60, Decimal("5000.10"))
    assert record.history.first().history_type == "~"


def test_year_rows_alone_update_a_registered_enterprise(client_for, firm, last_year):
    client = client_for("county")
    content = fill(template(client), years=[year_row(VALID_CODE, last_year, ip_class1=9)])
    assert upload(client, content).status_code == 302
    assert firm.years.get(year=last_year).ip_class1 == 9


# (what is wrong, registry rows, year rows, the sentence expected) — rows start at Excel row 4.
def _bad_cases(code: str, code2: str, year: int) -> list:
    wrong_check = code[:17] + ("0" if code[17] != "0" else "1")
    return [
        (
            "invalid credit code",
            [registry_row(wrong_check)],
            [],
            f"「企业名录」第4行 A列：统一社会信用代码「{wrong_check}」的校验位不正确：按 GB 32100-2015 计算，"
            f"第18位应为「{code[17]}」",
        ),
        (
            "duplicate credit code",
            [registry_row(code), registry_row(code, name="另一家")],
            [],
            f"「企业名录」第5行 A列「统一社会信用代码」{code} 重复，已在第4行出现",
        ),
        (
            "town of another county",
            [registry_row(code, town=JINXIAN_TOWN)],
            [],
            (
                f"「企业名录」第4行 {col(REG, 'town_code')}列「所在乡镇代码」{JINXIAN_TOWN}「",
                "」不在您的管辖范围内，不能导入该乡镇（街道）的企业",
            ),
        ),
        (
            "not a town",
            [registry_row(code, town="360121")],
            [],
            f"「企业名录」第4行 {col(REG, 'town_code')}列「所在乡镇代码」360121「南昌县」是县级区划，不是乡镇（街道）",
        ),
        (
            "text in a numeric cell",
            [registry_row(code)],
            [year_row(code, year, sales_revenue="约300万")],
            f"「年度数据」第4行 {col(YRS, 'sales_revenue')}列「销售收入」应为数字（万元），实际为「约300万」",
        ),
        (
            "negative amount",
            [registry_row(code)],
            [year_row(code, year, rd_expense=-5, rd_expense_domestic=0)],
            f"「年度数据」第4行 {col(YRS, 'rd_expense')}列「研发费用」不能为负数，实际为 -5 万元",
        ),
        (
            "tech staff above employees",
            [registry_row(code)],
            [year_row(code, year, employees=20, tech_staff=21)],
            f"「年度数据」第4行 {col(YRS, 'tech_staff')}列：科技人员 21 人多于职工总数 20 人",
        ),
        (
            "domestic R&D above R&D",
            [registry_row(code)],
            [year_row(code, year, rd_expense=100, rd_expense_domestic=100.01)],
            f"「年度数据」第4行 {col(YRS, 'rd_expense_domestic')}列：境内研发费用 100.01 万元大于研发费用总额 100",
        ),
        (
            "year of an enterprise neither in the file nor registered",
            [registry_row(code)],
            [year_row(code2, year)],
            f"「年度数据」第4行 A列「统一社会信用代码」{code2} 的企业既不在「企业名录」表中，也未在平台登记",
        ),
        (
            "duplicate enterprise and year",
            [registry_row(code)],
            [year_row(code, year), year_row(code, year, employees=300)],
            f"「年度数据」第5行 B列「年度」{code} 的 {year} 年数据重复，已在第4行出现",
        ),
        (
            "a date that is not a date",
            [registry_row(code, founded="去年三月")],
            [],
            f"「企业名录」第4行 {col(REG, 'founded')}列「成立日期」应为日期（如 2015-03-01），实际为「去年三月」",
        ),
    ]


CASE_NAMES = [c[0] for c in _bad_cases("9".zfill(18), "9".zfill(18), 2024)]


@pytest.mark.parametrize("case", CASE_NAMES)
def test_each_bad_input_is_refused_with_its_cell_and_nothing_is_written(client_for, last_year, case):
    client = client_for("county")
    code, code2 = new_codes(2)
    _, registry, years, sentence = next(c for c in _bad_cases(code, code2, last_year) if c[0] == case)
    good = new_codes(1, seed=99)[0]  # a valid row in the same file must not be written either
    content = fill(template(client), registry=[*registry, registry_row(good)], years=years)
    before = count_rows()
    page = problems_of(upload(client, content))
    for fragment in (sentence,) if isinstance(sentence, str) else sentence:
        assert fragment in page, page[page.find("问题清单") :][:1500]
    assert "未导入任何企业或数据" in page
    assert count_rows() == before and not Enterprise.objects.filter(credit_code=good).exists()


def test_every_problem_of_a_file_is_listed_at_once(client_for, last_year):
    client = client_for("county")
    code = new_codes(1)[0]
    content = fill(
        template(client),
        registry=[registry_row(code, founded="不详", town="360121")],
        years=[year_row(code, last_year, employees="很多", total_assets=-1)],
    )
    page = problems_of(upload(client, content))
    assert "发现 4 处问题" in page
    for column in (f"{col(REG, 'founded')}列", f"{col(YRS, 'employees')}列", f"{col(YRS, 'total_assets')}列"):
        assert column in page


def test_a_pdf_or_a_foreign_workbook_is_refused(client_for):
    client = client_for("county")
    assert "PDF" in problems_of(upload(client, b"%PDF-1.7 fake", "企业.xlsx"))
    book = openpyxl.Workbook()
    book.active.title = REGISTRY_SHEET
    out = io.BytesIO()
    book.save(out)
    assert "隐藏工作表" in problems_of(upload(client, out.getvalue()))


def test_export_then_reimport_changes_nothing_and_an_edit_is_applied(client_for, firm, other_firm, last_year):
    client = client_for("city_admin")
    exported = client.get(reverse("enterprises:export"))
    assert exported.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(exported.content))
    codes = [row[0] for row in book[REGISTRY_SHEET].iter_rows(min_row=FIRST_DATA_ROW, values_only=True)]
    assert VALID_CODE in codes and other_firm.credit_code in codes
    before = count_rows()
    assert upload(client, exported.content).status_code == 302
    assert count_rows() == before
    page = client.get(reverse("enterprises:import")).content.decode()
    assert "更新 0 家" in page and "更新 0 条" in page

    years = book[YEARS_SHEET]
    for row in years.iter_rows(min_row=FIRST_DATA_ROW):
        if row[0].value == VALID_CODE and row[1].value == last_year:
            row[YRS.index("rd_expense")].value = 512.34
    out = io.BytesIO()
    book.save(out)
    assert upload(client, out.getvalue()).status_code == 302
    assert firm.years.get(year=last_year).rd_expense == Decimal("512.34")
    assert "年度数据新增 0 条、更新 1 条" in client.get(reverse("enterprises:import")).content.decode()


def test_export_is_scoped_and_shows_figures_only_where_allowed(client_for, firm, other_firm):
    def exported(role: str) -> tuple[set, set]:
        response = client_for(role).get(reverse("enterprises:export"))
        assert response.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        assert "演示数据" in book[REGISTRY_SHEET]["A1"].value
        names = {r[0] for r in book[REGISTRY_SHEET].iter_rows(min_row=FIRST_DATA_ROW, values_only=True)}
        years = {r[0] for r in book[YEARS_SHEET].iter_rows(min_row=FIRST_DATA_ROW, values_only=True)}
        return names, years

    names, years = exported("county")
    assert VALID_CODE in names and VALID_CODE in years and other_firm.credit_code not in names
    names, years = exported("town")  # the town sees its enterprises listed, not their figures
    assert VALID_CODE in names and not years
    names, years = exported("enterprise")
    assert names == {VALID_CODE} and years == {VALID_CODE}
    assert client_for("expert").get(reverse("enterprises:export")).status_code == 403


def test_county_officer_cannot_touch_another_countys_registered_enterprise(client_for, other_firm, last_year):
    client = client_for("county")
    content = fill(
        template(client),
        registry=[registry_row(other_firm.credit_code, town=LIANTANG)],
        years=[year_row(other_firm.credit_code, last_year)],
    )
    before = count_rows()
    page = problems_of(upload(client, content))
    assert "该企业不在您的管辖范围内，不能修改" in page
    assert count_rows() == before and Enterprise.objects.get(pk=other_firm.pk).town.code.startswith("360124")
    alone = fill(template(client), years=[year_row(other_firm.credit_code, last_year, employees=999)])
    assert "不能导入其年度数据" in problems_of(upload(client, alone))
    assert not EnterpriseYear.objects.filter(enterprise=other_firm, employees=999).exists()


@pytest.mark.parametrize("role", ["expert", "enterprise", "town", "department"])
def test_only_city_and_county_may_import(client_for, role):
    code = new_codes(1)[0]
    content = fill(template(client_for("city_admin")), registry=[registry_row(code)])
    client = client_for(role)  # the same test client, now signed in as ``role``
    response = upload(client, content)
    assert response.status_code == 403 and "无权批量导入企业" in response.content.decode()
    assert client.get(reverse("enterprises:import_template")).status_code == 403
    assert not Enterprise.objects.filter(credit_code=code).exists()
