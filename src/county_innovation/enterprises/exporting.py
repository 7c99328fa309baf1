"""The enterprise workbook: one layout for the blank import template and for the export, so an export can be
edited and imported again (``services.importing.enterprise_import_excel`` reads it).

Layout of both data sheets (「企业名录」, 「年度数据」): row 1 title, row 2 headers with units, row 3 the
machine-readable field names the import matches on (grey), data from row 4. A 「填报说明」 sheet explains the
rules; a hidden ``_meta`` sheet records the template version.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone
from openpyxl import Workbook as OpenpyxlWorkbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from county_innovation.accounts.models import User
from county_innovation.common.excel import cell_put, header_cells, row_put, workbook_bytes
from county_innovation.common.models import DemoDataset
from county_innovation.enterprises import policies, selectors
from county_innovation.enterprises.figures import COUNT_FIELDS, MONEY_FIELDS, OPTIONAL_MONEY_FIELDS
from county_innovation.enterprises.models import Enterprise, EnterpriseYear, HightechField, ListingStatus

# Bump when the layout changes so that an older file could be misread; the import refuses other versions.
TEMPLATE_VERSION = "1"
TEMPLATE_KIND = "enterprise_registry"

REGISTRY_SHEET = "企业名录"
YEARS_SHEET = "年度数据"
GUIDE_SHEET = "填报说明"
META_SHEET = "_meta"
TITLE_ROW, HEADER_ROW, CODE_ROW, FIRST_DATA_ROW = 1, 2, 3, 4

# (field name in the code row, header) of 「企业名录」.
REGISTRY_COLUMNS = (
    ("credit_code", "统一社会信用代码"),
    ("name", "企业名称"),
    ("town_code", "所在乡镇代码"),
    ("industry_code", "行业代码"),
    ("industry_name", "行业名称"),
    ("hightech_field", "高新技术领域"),
    ("founded", "成立日期"),
    ("listing_status", "上市情况"),
)
REGISTRY_REQUIRED = ("credit_code", "name", "town_code", "founded")
# The yearly figures in the model's order; headers carry the unit from the model's verbose name (「销售收入（万元）」).
FIGURE_FIELDS = tuple(
    f.name
    for f in EnterpriseYear._meta.fields
    if f.name in {name for name, _ in COUNT_FIELDS + MONEY_FIELDS + OPTIONAL_MONEY_FIELDS}
)
YEARS_COLUMNS = (
    ("credit_code", "统一社会信用代码"),
    ("year", "年度"),
    *((name, str(EnterpriseYear._meta.get_field(name).verbose_name)) for name in FIGURE_FIELDS),
)
MONEY_NAMES = {name for name, _ in MONEY_FIELDS + OPTIONAL_MONEY_FIELDS}

_TEXT_COLUMNS = {
    "credit_code",
    "town_code",
    "industry_code",
}  # text, so Excel keeps 18 digits and leading zeros


@dataclass
class EnterpriseWorkbook:
    """What goes into a workbook: no rows for the blank template, the user's enterprises for an export."""

    user: User
    demo: bool
    enterprises: list[Enterprise]
    years: list[EnterpriseYear]
    is_export: bool


def template_filename() -> str:
    return f"科技企业名录与年度数据_导入模板_v{TEMPLATE_VERSION}.xlsx"


def export_filename() -> str:
    return f"科技企业名录与年度数据_导出_{timezone.localdate():%Y%m%d}.xlsx"


def template_build(user: User) -> bytes:
    """The blank import template (no example rows: whatever is in the sheets is imported)."""
    data = EnterpriseWorkbook(
        user=user, demo=DemoDataset.objects.exists(), enterprises=[], years=[], is_export=False
    )
    return workbook_build(data)


def export_data(user: User) -> EnterpriseWorkbook:
    """The enterprises the user sees listed, and yearly figures only of those whose figures the user may see.

    A regional officer gets their subtree (a town officer and a department the names only); an enterprise
    account its own enterprises with their figures.
    """
    listed = (
        selectors.enterprises_of_member(user).select_related("town")
        if policies.enterprises.allows(user, "list_own")
        else selectors.enterprises_visible(user).order_by("town__code", "credit_code")
    )
    enterprises = list(listed)
    with_figures = selectors.figures_visible(user, Enterprise.objects.filter(pk__in=listed.values("pk")))
    years = list(
        EnterpriseYear.objects.filter(enterprise__in=with_figures.values("pk"))
        .select_related("enterprise")
        .order_by("enterprise__town__code", "enterprise__credit_code", "year")
    )
    return EnterpriseWorkbook(
        user=user, demo=DemoDataset.objects.exists(), enterprises=enterprises, years=years, is_export=True
    )


def workbook_build(data: EnterpriseWorkbook) -> bytes:
    book = OpenpyxlWorkbook()
    registry = book.active
    registry.title = REGISTRY_SHEET
    _data_sheet(registry, data, REGISTRY_COLUMNS, (_registry_row(e) for e in data.enterprises))
    _choice_validations(registry)
    years = book.create_sheet(YEARS_SHEET)
    _data_sheet(years, data, YEARS_COLUMNS, (_year_row(y) for y in data.years))
    _guide_sheet(book.create_sheet(GUIDE_SHEET), data)
    meta = book.create_sheet(META_SHEET)
    for row in (
        ("template_version", TEMPLATE_VERSION),
        ("template_kind", TEMPLATE_KIND),
        ("generated_at", timezone.localtime().isoformat(timespec="seconds")),
        ("generated_by", data.user.username),
        ("demo", "1" if data.demo else "0"),
    ):
        row_put(meta, row)
    meta.sheet_state = "hidden"
    return workbook_bytes(book)


def _title(data: EnterpriseWorkbook, sheet: str) -> str:
    demo = "【演示数据】" if data.demo else ""
    what = f"导出（{timezone.localdate():%Y-%m-%d}）" if data.is_export else "导入模板"
    return f"{demo}科技企业{sheet} {what}"


def _registry_row(enterprise: Enterprise) -> list[object]:
    return [
        enterprise.credit_code,
        enterprise.name,
        enterprise.town.code,
        enterprise.industry_code,
        enterprise.industry_name,
        enterprise.get_hightech_field_display() if enterprise.hightech_field else "",
        enterprise.founded,
        enterprise.get_listing_status_display(),
    ]


def _year_row(record: EnterpriseYear) -> list[object]:
    return [record.enterprise.credit_code, record.year, *(getattr(record, f) for f in FIGURE_FIELDS)]


def _data_sheet(ws, data: EnterpriseWorkbook, columns: tuple, rows: Iterable[list[object]]) -> None:
    title = cell_put(ws, TITLE_ROW, 1, _title(data, ws.title))
    title.font = Font(bold=True, size=14, color="C0392B" if data.demo else "1D4E89")
    ws.row_dimensions[HEADER_ROW].height = 45
    for col, (code, header) in enumerate(columns, start=1):
        header_cells(ws, header_row=HEADER_ROW, code_row=CODE_ROW, col=col, header=header, code=code)
        letter = get_column_letter(col)
        dimension = ws.column_dimensions[letter]
        dimension.width = 22 if code in {"credit_code", "name", "industry_name"} else 14
        if code in _TEXT_COLUMNS:
            dimension.number_format = "@"
        elif code == "founded":
            dimension.number_format = "yyyy-mm-dd"
        elif code in MONEY_NAMES:
            dimension.number_format = "0.00"
    formats = [
        "@"
        if code in _TEXT_COLUMNS
        else "yyyy-mm-dd"
        if code == "founded"
        else "0.00"
        if code in MONEY_NAMES
        else None
        for code, _ in columns
    ]
    for r, values in enumerate(rows, start=FIRST_DATA_ROW):
        for col, (value, number_format) in enumerate(zip(values, formats, strict=True), start=1):
            cell = cell_put(ws, r, col, value)
            if number_format:
                cell.number_format = number_format
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 3)


def _choice_validations(ws) -> None:
    """Drop-down lists for the two choice columns; the import checks again, so this is a convenience."""
    codes = [code for code, _ in REGISTRY_COLUMNS]
    for code, labels in (("hightech_field", HightechField.labels), ("listing_status", ListingStatus.labels)):
        letter = get_column_letter(codes.index(code) + 1)
        validation = DataValidation(type="list", formula1='"' + ",".join(labels) + '"', allow_blank=True)
        validation.error = f"请从下拉列表中选择：{'、'.join(labels)}"
        validation.showErrorMessage = True
        ws.add_data_validation(validation)
        validation.add(f"{letter}{FIRST_DATA_ROW}:{letter}20000")


def _guide_sheet(ws, data: EnterpriseWorkbook) -> None:
    lines = [
        f"{_title(data, '名录与年度数据')} · 填报说明",
        "1. 「企业名录」每个企业一行：统一社会信用代码（18位，按 GB 32100-2015 校验）、企业名称、所在乡镇代码"
        "（9位乡级区划代码）、成立日期为必填；已登记的企业按信用代码更新，未登记的新增。",
        f"2. 高新技术领域填写：{'、'.join(HightechField.labels)}，不属于则留空；"
        f"上市情况填写：{'、'.join(ListingStatus.labels)}，留空按「未上市」。",
        "3. 「年度数据」每个企业每年一行：企业须在「企业名录」中或已在平台登记；同一企业同一年度只能一行。"
        "金额单位为万元（最多两位小数），人数、件数为整数；除「估值」外均为必填。",
        "4. 科技人员不能多于职工总数，境内研发费用不能大于研发费用，高新技术产品（服务）收入、销售收入不能大于"
        "总收入；除净资产外金额不能为负数。",
        "5. 上传时整个文件一起检查：只要有一处不合格，全部不导入，页面会列出每个问题所在的工作表、行号和列号。",
        "6. 只能导入您管辖范围内乡镇（街道）的企业；请勿修改第1～3行（第3行灰色的字段名用于识别各列）。",
        "7. 信用代码、乡镇代码列为文本格式：请勿改为数字，否则 Excel 会把18位代码存成科学计数法并丢失末几位。",
    ]
    for r, line in enumerate(lines, start=1):
        cell_put(ws, r, 1, line).font = Font(bold=(r == 1), size=13 if r == 1 else 11)
    ws.column_dimensions["A"].width = 120
