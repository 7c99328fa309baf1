"""Importing the enterprise workbook (``exporting``'s layout): registry rows and yearly figures, all or nothing.

The service reads the upload with ``common.excel``, checks every cell (collecting every problem with its
sheet, row and column, as ``collection.importing`` does), and writes only when all pass,
with bulk inserts and updates that keep the change history (``common.bulk``). The yearly figures go through the
same checks as the entry form (``figures.year_figures_check`` and its parsers), so a rule lives in one place.
The actor needs the import right (``policies.enterprises`` "import") and each row's town (``policies.regions``).
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from county_innovation.accounts.models import User
from county_innovation.common.actors import history_user
from county_innovation.common.bulk import (
    bulk_create_with_history,
    bulk_insert,
    bulk_update_with_history,
    history_insert,
)
from county_innovation.common.errors import DomainError
from county_innovation.common.excel import CellValue, Workbook, cell_ref, is_blank, workbook_read
from county_innovation.enterprises import figures as services
from county_innovation.enterprises import policies
from county_innovation.enterprises.exporting import (
    FIGURE_FIELDS,
    META_SHEET,
    REGISTRY_COLUMNS,
    REGISTRY_REQUIRED,
    REGISTRY_SHEET,
    TEMPLATE_KIND,
    TEMPLATE_VERSION,
    YEARS_COLUMNS,
    YEARS_SHEET,
)
from county_innovation.enterprises.models import (
    REGISTRY_FIELDS,
    Enterprise,
    EnterpriseYear,
    HightechField,
    ListingStatus,
)
from county_innovation.enterprises.validators import credit_code_problem, normalise_credit_code
from county_innovation.regions.models import Region

CODE_MARKER = "credit_code"  # cell A of the code row of both sheets
FIGURE_LABELS = dict(services.COUNT_FIELDS + services.MONEY_FIELDS + services.OPTIONAL_MONEY_FIELDS)
REGISTRY_UPDATED = [name for name in REGISTRY_FIELDS if name != "credit_code"] + ["updated_at"]
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
COUNT_NAMES = {name for name, _ in services.COUNT_FIELDS}
OPTIONAL_FIGURES = {name for name, _ in services.OPTIONAL_MONEY_FIELDS}
YEARS_REQUIRED = ("credit_code", "year", *(name for name in FIGURE_FIELDS if name not in OPTIONAL_FIGURES))
BATCH_SIZE = 1000


@dataclass
class EnterpriseImportReport:
    enterprises_created: int = 0
    enterprises_updated: int = 0
    enterprises_unchanged: int = 0
    years_created: int = 0
    years_updated: int = 0
    years_unchanged: int = 0


@dataclass
class _Sheet:
    name: str
    columns: dict[str, int]  # field name → 0-based column index
    rows: list[tuple[int, list[CellValue]]]  # non-blank data rows with their 0-based row index

    def get(self, row: list[CellValue], name: str) -> CellValue:
        j = self.columns.get(name)
        return row[j] if j is not None and j < len(row) else None


@dataclass
class _Problems:
    items: list[str] = field(default_factory=list)

    def add(self, sheet: _Sheet, i: int, column: str | int, text: str) -> None:
        j = sheet.columns[column] if isinstance(column, str) else column
        self.items.append(f"「{sheet.name}」{cell_ref(i, j)}{'' if text.startswith('「') else '：'}{text}")


@dataclass
class _YearEntry:
    enterprise: Enterprise
    year: int
    clean: dict


def _text(value: CellValue) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _meta_check(book: Workbook) -> None:
    if book.sheet(REGISTRY_SHEET) is None and book.sheet(YEARS_SHEET) is None:
        raise DomainError(
            f"这不是科技企业导入模板：文件中没有「{REGISTRY_SHEET}」和「{YEARS_SHEET}」工作表。"
            "请在企业名录页下载模板，在模板中填写后上传。"
        )
    meta = {_text(r[0]): _text(r[1]) for r in book.sheet(META_SHEET) or [] if len(r) >= 2}
    if meta.get("template_kind") != TEMPLATE_KIND:
        raise DomainError(
            "这不是本平台的科技企业模板：缺少记录模板信息的隐藏工作表（_meta），可能是把数据复制到了新建的文件中。"
            "请下载模板（或导出现有数据），在其中填写后上传。"
        )
    if meta.get("template_version") != TEMPLATE_VERSION:
        raise DomainError(
            f"模板格式版本（{meta.get('template_version') or '未知'}）与平台当前的模板（{TEMPLATE_VERSION}）"
            "不一致，请重新下载模板后填写。"
        )


def _sheet_read(book: Workbook, name: str, columns: tuple, required: tuple, problems: _Problems) -> _Sheet:
    rows = book.sheet(name)
    if rows is None:
        return _Sheet(name=name, columns={}, rows=[])
    code_row = next((i for i, row in enumerate(rows[:20]) if row and _text(row[0]) == CODE_MARKER), None)
    headers = dict(columns)
    if code_row is None:
        problems.items.append(
            f"「{name}」：无法识别各列，第3行（灰色的字段名行）被删除或修改；请重新下载模板，把数据粘贴到模板中。"
        )
        return _Sheet(name=name, columns={}, rows=[])
    found: dict[str, int] = {}
    sheet = _Sheet(name=name, columns=found, rows=[])
    for j, raw in enumerate(rows[code_row]):
        code = _text(raw)
        if not code:
            continue
        if code not in headers:
            problems.add(sheet, code_row, j, f"字段名「{code}」无法识别，请删除该列或重新下载模板")
        elif code in found:
            problems.add(
                sheet, code_row, j, f"「{headers[code]}」列重复，已在 {cell_ref(code_row, found[code])} 出现"
            )
        else:
            found[code] = j
    data_rows = [(i, row) for i, row in enumerate(rows) if i > code_row and not all(is_blank(v) for v in row)]
    missing = [code for code in required if code not in found]
    for code in missing if data_rows else ():
        problems.items.append(f"「{name}」：缺少「{headers[code]}」列（第3行字段名 {code}），请重新下载模板")
    if not missing:
        sheet.rows = data_rows
    return sheet


def _credit_code(sheet: _Sheet, i: int, raw: CellValue, problems: _Problems) -> str | None:
    if is_blank(raw):
        problems.add(sheet, i, "credit_code", "「统一社会信用代码」未填写")
        return None
    if isinstance(raw, int | float):
        problems.add(
            sheet,
            i,
            "credit_code",
            f"「统一社会信用代码」被 Excel 存成了数字（{raw:.0f}），18位数字会丢失末几位；"
            "请把该列设为文本格式后重新填写",
        )
        return None
    code = normalise_credit_code(str(raw))
    problem = credit_code_problem(code)
    if problem:
        problems.add(sheet, i, "credit_code", problem)
        return None
    return code


def _date(raw: CellValue) -> date | None:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = _text(raw)
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _choice(raw: CellValue, choices: type, default: str) -> str | None:
    """A choice by its Chinese label (as exported) or its stored value; None when it is neither."""
    text = _text(raw)
    if not text:
        return default
    by_label = {str(label): value for value, label in choices.choices}
    return by_label.get(text) or (text if text in choices.values else None)


def _registry_rows(
    sheet: _Sheet,
    user: User,
    existing: dict[str, Enterprise],
    towns: dict[str, Region],
    problems: _Problems,
) -> tuple[dict[str, Enterprise], dict[str, int], set[str]]:
    """Check 「企业名录」: the checked enterprises (new ones unsaved), each code's first row, the changed codes."""
    valid: dict[str, Enterprise] = {}
    changed: set[str] = set()
    first_row: dict[str, int] = {}
    today = timezone.localdate()
    for i, row in sheet.rows:
        before = len(problems.items)
        code = _credit_code(sheet, i, sheet.get(row, "credit_code"), problems)
        if code is not None:
            if code in first_row:
                problems.add(
                    sheet,
                    i,
                    "credit_code",
                    f"「统一社会信用代码」{code} 重复，已在第{first_row[code] + 1}行出现",
                )
                continue
            first_row[code] = i
        name = _text(sheet.get(row, "name"))
        if not name:
            problems.add(sheet, i, "name", "「企业名称」未填写")
        elif len(name) > 200:
            problems.add(sheet, i, "name", f"「企业名称」最长200字，实际为{len(name)}字")
        town = _town(sheet, i, _text(sheet.get(row, "town_code")), user, towns, problems)
        stored = existing.get(code) if code else None
        if stored is not None and not policies.regions.allows(user, "manage_enterprises", stored.town):
            problems.add(
                sheet,
                i,
                "credit_code",
                f"「统一社会信用代码」{code} 已登记为「{stored.name}」（{stored.town.name}），"
                "该企业不在您的管辖范围内，不能修改",
            )
        values = {"name": name, "town": town}
        for column, limit, label in (("industry_code", 5, "行业代码"), ("industry_name", 100, "行业名称")):
            values[column] = _text(sheet.get(row, column))
            if len(values[column]) > limit:
                problems.add(sheet, i, column, f"「{label}」最长{limit}个字符，实际为「{values[column]}」")
        values["industry_code"] = values["industry_code"].upper()
        for column, choices, default, label in (
            ("hightech_field", HightechField, "", "高新技术领域"),
            ("listing_status", ListingStatus, ListingStatus.UNLISTED, "上市情况"),
        ):
            values[column] = _choice(sheet.get(row, column), choices, default)
            if values[column] is None:
                problems.add(
                    sheet,
                    i,
                    column,
                    f"「{label}」应为以下之一：{'、'.join(map(str, choices.labels))}，"
                    f"实际为「{_text(sheet.get(row, column))}」",
                )
        raw_founded = sheet.get(row, "founded")
        values["founded"] = _date(raw_founded)
        if is_blank(raw_founded):
            problems.add(sheet, i, "founded", "「成立日期」未填写")
        elif values["founded"] is None:
            problems.add(
                sheet, i, "founded", f"「成立日期」应为日期（如 2015-03-01），实际为「{_text(raw_founded)}」"
            )
        elif values["founded"] > today:
            problems.add(sheet, i, "founded", f"「成立日期」{values['founded']:%Y-%m-%d} 晚于今天，请核对")
        if code is None or len(problems.items) > before:
            continue
        enterprise = stored or Enterprise(credit_code=code)
        if stored is None or any(getattr(enterprise, k) != v for k, v in values.items()):
            changed.add(code)
        for k, v in values.items():
            setattr(enterprise, k, v)
        valid[code] = enterprise
    return valid, first_row, changed


def _town(
    sheet: _Sheet, i: int, code: str, user: User, towns: dict[str, Region], problems: _Problems
) -> Region | None:
    if not code:
        problems.add(sheet, i, "town_code", "「所在乡镇代码」未填写（9位乡级区划代码）")
        return None
    town = towns.get(code)
    if town is None:
        problems.add(sheet, i, "town_code", f"「所在乡镇代码」{code} 不是已知的区划代码，应为9位乡级区划代码")
    elif town.level != Region.Level.TOWN:
        problems.add(
            sheet,
            i,
            "town_code",
            f"「所在乡镇代码」{code}「{town.name}」是{town.get_level_display()}区划，不是乡镇（街道）；"
            "企业应登记到所在的乡镇（街道）",
        )
    elif not policies.regions.allows(user, "manage_enterprises", town):
        problems.add(
            sheet,
            i,
            "town_code",
            f"「所在乡镇代码」{code}「{town.name}」不在您的管辖范围内，不能导入该乡镇（街道）的企业",
        )
    else:
        return town
    return None


def _figure_column(message: str) -> str | None:
    """The column a cross-field sentence of ``year_figures_check`` is about: the label it starts with."""
    labels = sorted(
        [("year", "年度"), *((name, FIGURE_LABELS[name]) for name in FIGURE_FIELDS)], key=lambda x: -len(x[1])
    )
    return next((name for name, label in labels if message.startswith(label)), None)


def _year_rows(
    sheet: _Sheet,
    user: User,
    in_file: dict[str, Enterprise],
    file_rows: dict[str, int],
    existing: dict[str, Enterprise],
    problems: _Problems,
) -> list[_YearEntry]:
    entries: list[_YearEntry] = []
    first_row: dict[tuple[str, int], int] = {}
    for i, row in sheet.rows:
        code = _credit_code(sheet, i, sheet.get(row, "credit_code"), problems)
        enterprise = None
        if code in in_file:
            enterprise = in_file[code]
        elif code is not None and code not in file_rows:
            enterprise = existing.get(code)
            if enterprise is None:
                problems.add(
                    sheet,
                    i,
                    "credit_code",
                    f"「统一社会信用代码」{code} 的企业既不在「{REGISTRY_SHEET}」表中，也未在平台登记；"
                    f"请先在「{REGISTRY_SHEET}」表中填写该企业",
                )
            elif not policies.regions.allows(user, "manage_enterprises", enterprise.town):
                problems.add(
                    sheet,
                    i,
                    "credit_code",
                    f"「统一社会信用代码」{code}「{enterprise.name}」（{enterprise.town.name}）不在您的管辖范围内，"
                    "不能导入其年度数据",
                )
                enterprise = None
        cell_problems: list[str] = []
        year = services.parse_count(sheet.get(row, "year"), "年度", cell_problems)
        for text in cell_problems:
            problems.add(sheet, i, "year", text)
        if code is not None and year is not None:
            if (code, year) in first_row:
                problems.add(
                    sheet,
                    i,
                    "year",
                    f"「年度」{code} 的 {year} 年数据重复，已在第{first_row[(code, year)] + 1}行出现",
                )
                continue
            first_row[(code, year)] = i
        clean, row_ok = {}, True
        for name in FIGURE_FIELDS:
            raw, label = sheet.get(row, name), FIGURE_LABELS[name]
            if isinstance(raw, float) and raw.is_integer():
                raw = int(raw)  # Excel stores every number as a float; "-5", not "-5.0", in messages
            cell_problems = []
            if name in COUNT_NAMES:
                clean[name] = services.parse_count(raw, label, cell_problems)
            elif name in OPTIONAL_FIGURES and is_blank(raw):
                clean[name] = None
            else:
                negative_ok = name in services.MAY_BE_NEGATIVE
                clean[name] = services.parse_amount(
                    raw, label, negative_ok=negative_ok, problems=cell_problems
                )
            for text in cell_problems:
                problems.add(sheet, i, name, text.rstrip("。"))
            row_ok = row_ok and not cell_problems
        if enterprise is None or year is None or not row_ok:
            continue
        # Cross-field rules (科技人员 ≤ 职工, 境内研发 ≤ 研发, …) and the year range, from the one place they live.
        clean, rule_problems = services.year_figures_check(enterprise=enterprise, year=year, figures=clean)
        for text in rule_problems:
            column = _figure_column(text)
            where = column if column in sheet.columns else "credit_code"
            problems.add(sheet, i, where, text.rstrip("。"))
        if not rule_problems:
            entries.append(_YearEntry(enterprise=enterprise, year=year, clean=clean))
    return entries


def _chunks(items: list, size: int = 900):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _write(
    enterprises: dict[str, Enterprise],
    changed_codes: set[str],
    entries: list[_YearEntry],
    user: User | None,
    reason: str,
) -> EnterpriseImportReport:
    report = EnterpriseImportReport()
    now = timezone.now()
    new = [e for e in enterprises.values() if e.pk is None]
    changed = [e for c, e in enterprises.items() if e.pk is not None and c in changed_codes]
    report.enterprises_created, report.enterprises_updated = len(new), len(changed)
    report.enterprises_unchanged = len(enterprises) - len(new) - len(changed)
    if new:
        bulk_insert(Enterprise, new, key=("credit_code",), batch_size=BATCH_SIZE)
        history_insert(Enterprise, new, history_type="+", user=user, reason=reason, batch_size=BATCH_SIZE)
    for enterprise in changed:
        enterprise.updated_at = now
    if changed:
        bulk_update_with_history(
            changed,
            Enterprise,
            REGISTRY_UPDATED,
            batch_size=BATCH_SIZE,
            default_user=user,
            default_change_reason=reason,
        )
    stored: dict[tuple[int, int], EnterpriseYear] = {}
    ids = list({e.enterprise.pk for e in entries})
    for chunk in _chunks(ids):
        for record in EnterpriseYear.objects.select_for_update().filter(enterprise_id__in=chunk):
            stored[(record.enterprise_id, record.year)] = record
    to_create, to_update = [], []
    for entry in entries:
        record = stored.get((entry.enterprise.pk, entry.year))
        if record is None:
            to_create.append(EnterpriseYear(enterprise=entry.enterprise, year=entry.year, **entry.clean))
        elif any(getattr(record, k) != v for k, v in entry.clean.items()):
            for k, v in entry.clean.items():
                setattr(record, k, v)
            record.updated_at = now
            to_update.append(record)
        else:
            report.years_unchanged += 1
    report.years_created, report.years_updated = len(to_create), len(to_update)
    if to_create:
        bulk_create_with_history(
            to_create, EnterpriseYear, batch_size=BATCH_SIZE, default_user=user, default_change_reason=reason
        )
    if to_update:
        bulk_update_with_history(
            to_update,
            EnterpriseYear,
            [*FIGURE_FIELDS, "updated_at"],
            batch_size=BATCH_SIZE,
            default_user=user,
            default_change_reason=reason,
        )
    return report


@transaction.atomic
def enterprise_import_excel(*, actor, file_name: str, content: bytes) -> EnterpriseImportReport:
    """Create or update the enterprises of 「企业名录」 and the figures of 「年度数据」.

    All or nothing: every problem (format, template, column, cell) is collected and raised as one DomainError
    whose ``problems`` name the sheet, row and column; then nothing is written. An enterprise already
    registered is updated from its row; a yearly row replaces that year's figures.
    """
    policies.enterprises.require(actor, "import")
    book = workbook_read(content)
    _meta_check(book)
    problems = _Problems()
    registry = _sheet_read(book, REGISTRY_SHEET, REGISTRY_COLUMNS, REGISTRY_REQUIRED, problems)
    years = _sheet_read(book, YEARS_SHEET, YEARS_COLUMNS, YEARS_REQUIRED, problems)
    codes = {
        normalise_credit_code(_text(sheet.get(row, "credit_code")))
        for sheet in (registry, years)
        for _, row in sheet.rows
    }
    existing = (
        Enterprise.objects.select_related("town")
        .select_for_update(of=("self",))
        .in_bulk([c for c in codes if c], field_name="credit_code")
    )
    towns = Region.objects.in_bulk(list({_text(registry.get(row, "town_code")) for _, row in registry.rows}))
    in_file, file_rows, changed = _registry_rows(registry, actor, existing, towns, problems)
    entries = _year_rows(years, actor, in_file, file_rows, existing, problems)
    if problems.items:
        raise DomainError(
            f"导入失败：发现 {len(problems.items)} 处问题，未导入任何企业或数据。请改正后重新上传。",
            problems.items,
        )
    if not in_file and not entries:
        raise DomainError(
            f"未找到任何数据：「{REGISTRY_SHEET}」和「{YEARS_SHEET}」表都是空的。请填写后再上传。"
        )
    return _write(in_file, changed, entries, history_user(actor), f"Excel导入：{file_name}"[:100])
