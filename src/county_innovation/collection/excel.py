"""The data-entry Excel template: writing it (openpyxl, styled) and finding its parts in an upload.

Layout of 「数据填报」 (template version 2: every value beside its 说明 column): row 1 title, row 2 headers (name and unit),
row 3 what to type in each column, in Chinese (grey), row 4 on one row per region; column A region code,
B region name, C the row's 填报状态 (a submitted or approved row is skipped on import, with a note), then
per indicator a value column and its 说明 column (the explanation a rule warning asks for). A hidden sheet
``_meta`` records the framework, version, period and which indicator each column holds; the import reads
the columns from there and refuses a template whose header above a mapped column was emptied (a column moved).
"""

from dataclasses import dataclass

from django.utils import timezone
from openpyxl import Workbook as OpenpyxlWorkbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from county_innovation.collection.selectors import TemplateData
from county_innovation.common.errors import DomainError
from county_innovation.common.excel import (
    BORDER,
    HEADER_FILL,
    CellValue,
    Workbook,
    cell_put,
    header_cells,
    is_blank,
    row_put,
    workbook_bytes,
)
from county_innovation.indicators.models import Indicator, ValueKind

# Bump when the layout changes in a way an older template could be misread; the import refuses other versions.
TEMPLATE_VERSION = "2"

DATA_SHEET = "数据填报"
GUIDE_SHEET = "填报说明"
META_SHEET = "_meta"
CODE_MARKER = "填写要求"  # cell A of the guidance row (row 3)
COLUMN_PREFIX = (
    "column:"  # _meta rows 「column:D」→「hightech_enterprises」, 「column:E」→「hightech_enterprises#说明」
)
COMMENT_SUFFIX = "#说明"
TITLE_ROW, HEADER_ROW, CODE_ROW, FIRST_DATA_ROW = 1, 2, 3, 4
STATUS_COLUMN = 3  # C (1-based)
FIRST_VALUE_COLUMN = 4  # D (1-based)
_LOCKED_FILL = PatternFill("solid", fgColor="EDEDED")

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_NUMBER_FORMATS = {
    ValueKind.COUNT: "#,##0",
    ValueKind.AMOUNT: "#,##0.00",
    ValueKind.PERCENT: "0.00",
    ValueKind.RATE: "0.00",
}
_KEY_FILL = PatternFill("solid", fgColor="F7F9FC")


def template_filename(data: TemplateData) -> str:
    return f"{data.framework.name}_v{data.framework.version}_{data.period}年度_数据填报模板.xlsx"


def template_build(data: TemplateData) -> bytes:
    """The .xlsx template for ``data``: entry sheet, instructions, hidden metadata."""
    book = OpenpyxlWorkbook()
    _entry_sheet(book.active, data)
    _guide_sheet(book.create_sheet(GUIDE_SHEET), data)
    _meta_sheet(book.create_sheet(META_SHEET), data)
    return workbook_bytes(book)


def _title(data: TemplateData) -> str:
    demo = "【演示数据】" if data.demo else ""
    fw = data.framework
    return f"{demo}{fw.name}（第{fw.version}版） {data.period}年度 数据填报"


def value_column(offset: int) -> int:
    """The 1-based column of the ``offset``-th indicator's value; its 说明 is the next column."""
    return FIRST_VALUE_COLUMN + 2 * offset


def _rule_text(indicator: Indicator) -> str:
    if indicator.value_kind == ValueKind.PERCENT:
        return "0～100 的百分数"
    if indicator.value_kind == ValueKind.COUNT:
        return "不小于 0 的整数"
    return "不小于 0 的数"


def _entry_sheet(ws, data: TemplateData) -> None:
    ws.title = DATA_SHEET
    last_col = value_column(len(data.indicators)) - 1
    cell_put(ws, TITLE_ROW, 1, _title(data)).font = Font(
        bold=True, size=14, color="C0392B" if data.demo else "1D4E89"
    )
    ws.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=max(last_col, 2))
    ws.row_dimensions[TITLE_ROW].height = 26
    ws.row_dimensions[HEADER_ROW].height = 60
    ws.row_dimensions[CODE_ROW].height = 30

    fixed = (("区划代码", CODE_MARKER), ("区划名称", "勿修改"), ("填报状态", "已提交的行导入时跳过"))
    for col, (header, hint) in enumerate(fixed, start=1):
        header_cells(ws, header_row=HEADER_ROW, code_row=CODE_ROW, col=col, header=header, code=hint)
    ws.column_dimensions["A"].width = 13
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["C"].width = 14
    for offset, indicator in enumerate(data.indicators):
        col = value_column(offset)
        header_cells(
            ws,
            header_row=HEADER_ROW,
            code_row=CODE_ROW,
            col=col,
            header=f"{indicator.name}\n（{indicator.unit}）",
            code=f"数值：{_rule_text(indicator)}",
        )
        header_cells(
            ws,
            header_row=HEADER_ROW,
            code_row=CODE_ROW,
            col=col + 1,
            header=f"{indicator.name}\n说明",
            code="说明：出现提示时写明原因",
        )
        ws.column_dimensions[get_column_letter(col)].width = 16
        ws.column_dimensions[get_column_letter(col + 1)].width = 18
    for col in range(1, last_col + 1):
        ws.cell(CODE_ROW, col).alignment = Alignment(wrap_text=True, vertical="center")

    last_row = FIRST_DATA_ROW + len(data.regions) - 1
    for r, region in enumerate(data.regions, start=FIRST_DATA_ROW):
        locked = region.code in data.locked
        status = data.statuses.get(region.code, "")
        for col, text in ((1, region.code), (2, region.name), (STATUS_COLUMN, status)):
            cell = cell_put(ws, r, col, text)
            cell.fill = _LOCKED_FILL if locked else _KEY_FILL
            cell.border = BORDER
            cell.number_format = "@"
        for offset, indicator in enumerate(data.indicators):
            key = (region.code, indicator.code)
            cell = cell_put(ws, r, value_column(offset), data.values.get(key))
            cell.number_format = _NUMBER_FORMATS.get(indicator.value_kind, "General")
            cell.border = BORDER
            note = cell_put(ws, r, value_column(offset) + 1, data.comments.get(key) or None)
            note.border = BORDER
            note.alignment = Alignment(wrap_text=True)
            if locked:
                cell.fill = note.fill = _LOCKED_FILL
    for offset, indicator in enumerate(data.indicators):
        letter = get_column_letter(value_column(offset))
        validation = _validation(indicator)
        ws.add_data_validation(validation)
        validation.add(f"{letter}{FIRST_DATA_ROW}:{letter}{max(last_row, FIRST_DATA_ROW)}")
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, FIRST_VALUE_COLUMN)


def _validation(indicator: Indicator) -> DataValidation:
    """Excel's own check while typing; the import checks again, so this is a convenience, not the rule."""
    kind = indicator.value_kind
    if kind == ValueKind.PERCENT:
        validation = DataValidation(type="decimal", operator="between", formula1="0", formula2="100")
        rule = "0 到 100 之间的百分数（如 2.5 表示 2.5%）"
    elif kind == ValueKind.COUNT:
        validation = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
        rule = "不小于 0 的整数"
    else:
        validation = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
        rule = "不小于 0 的数"
    validation.allow_blank = True
    validation.showErrorMessage = True
    validation.errorTitle = "数值不符合要求"
    validation.error = f"「{indicator.name}」应为{rule}，单位：{indicator.unit}。"
    validation.showInputMessage = True
    validation.promptTitle = indicator.unit[:32]
    validation.prompt = f"请填写{rule}"
    return validation


def _guide_sheet(ws, data: TemplateData) -> None:
    lines = [
        f"{_title(data)} · 填报说明",
        "1. 只在「数据填报」表中填写数值，每个区划一行、每个指标一列数值加一列说明；"
        "请勿增删行列、修改第1～3行或区划代码（A列）。",
        "2. 按表头所示单位填写纯数字；比重类指标填写百分数本身（2.5 表示 2.5%），不要写「约」「万」等文字。",
        "3. 不掌握的数据请留空；留空的单元格不会覆盖平台中已有的数值。表中已填的数为平台中该年度已存数值。",
        "4. 上传时整张表一起检查：格式、已提交的数据和合理性提示一次全部列出；只要有一处错误，全部不导入，"
        "页面会列出每个问题所在的行号和列号。",
        "6. 「填报状态」为已提交、已审核或已锁定的行（灰色）不能再修改，导入时跳过并给出说明；如需更正请联系审核单位退回。",
        "7. 数值较上年变化过大或与同级区划差异过大时平台会提示：请在该指标右侧的「说明」列写明原因，"
        "否则不能提交（勾选「导入后直接提交」时同样如此）。",
        "5. 模板绑定指标体系版本与年度；体系更新或换年度后，请重新下载模板。",
    ]
    for r, line in enumerate(lines, start=1):
        cell_put(ws, r, 1, line).font = Font(bold=(r == 1), size=13 if r == 1 else 11)
    header_row = len(lines) + 2
    headers = ["指标代码", "指标名称", "计量单位", "数值类型", "方向", "数据来源", "指标解释"]
    for col, text in enumerate(headers, start=1):
        cell = cell_put(ws, header_row, col, text)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
    for r, indicator in enumerate(data.indicators, start=header_row + 1):
        row = [
            indicator.code,
            indicator.name,
            indicator.unit,
            indicator.get_value_kind_display(),
            indicator.get_direction_display(),
            indicator.source,
            indicator.definition,
        ]
        for col, text in enumerate(row, start=1):
            cell = cell_put(ws, r, col, text)
            cell.border = BORDER
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEFG", (26, 40, 14, 18, 8, 14, 60), strict=True):
        ws.column_dimensions[letter].width = width


def _meta_sheet(ws, data: TemplateData) -> None:
    rows = [
        ("template_version", TEMPLATE_VERSION),
        ("framework_code", data.framework.code),
        ("framework_version", str(data.framework.version)),
        ("period", str(data.period)),
        ("generated_at", timezone.localtime().isoformat(timespec="seconds")),
        ("generated_by", data.user.username),
    ]
    for offset, indicator in enumerate(data.indicators):
        col = value_column(offset)
        rows.append((f"{COLUMN_PREFIX}{get_column_letter(col)}", indicator.code))
        rows.append((f"{COLUMN_PREFIX}{get_column_letter(col + 1)}", indicator.code + COMMENT_SUFFIX))
    for row in rows:
        row_put(ws, row)
    ws.sheet_state = "hidden"


# --- reading an upload ------------------------------------------------------------------------------------


@dataclass
class TemplateUpload:
    """The parts of an uploaded template; indices are 0-based (row i is Excel row i+1)."""

    meta: dict[str, str]
    code_row: int
    columns: dict[int, str]  # value column index → indicator code (from _meta)
    comment_columns: dict[int, int]  # value column index → its 说明 column index
    rows: list[tuple[int, list[CellValue]]]  # non-blank rows below the code row
    problems: list[str]  # headers that no longer name the column's indicator


def _meta_text(value: CellValue) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


def template_parse(book: Workbook) -> TemplateUpload:
    """Find the metadata, the guidance row and the data rows; raise DomainError when it is not our template."""
    sheet = book.sheet(DATA_SHEET)
    if sheet is None:
        raise DomainError(
            f"这不是本平台的填报模板：文件中没有「{DATA_SHEET}」工作表。请先下载模板，在模板中填写后上传。"
        )
    meta_rows = book.sheet(META_SHEET)
    if meta_rows is None:
        raise DomainError(
            "这不是本平台的填报模板：缺少记录模板信息的隐藏工作表（_meta），可能是把数据复制到了新建的文件中。"
            "请下载模板，在模板中填写后上传。"
        )
    meta = {
        _meta_text(row[0]): _meta_text(row[1]) for row in meta_rows if len(row) >= 2 and not is_blank(row[0])
    }
    code_row = next(
        (i for i, row in enumerate(sheet[:20]) if row and _meta_text(row[0]) == CODE_MARKER),
        None,
    )
    if code_row is None:
        raise DomainError(
            f"无法识别各列对应的指标：模板第{CODE_ROW}行（灰色的填写要求行）被删除或修改。请重新下载模板后填写。"
        )
    codes = {
        _column_index(key[len(COLUMN_PREFIX) :]): value
        for key, value in meta.items()
        if key.startswith(COLUMN_PREFIX) and key[len(COLUMN_PREFIX) :].isalpha()
    }
    columns = {j: code for j, code in codes.items() if not code.endswith(COMMENT_SUFFIX)}
    comment_columns = {
        j: next((k for k, c in codes.items() if c == code + COMMENT_SUFFIX), -1)
        for j, code in columns.items()
    }
    header = sheet[code_row - 1] if code_row >= 1 else []
    problems = []
    for j in sorted(codes):
        text = _meta_text(header[j]) if j < len(header) and not is_blank(header[j]) else ""
        if not text:
            problems.append(
                f"第{code_row}行 {get_column_letter(j + 1)}列：表头为空，与模板不符；请勿增删列，重新下载模板后填写"
            )
    rows = [(i, row) for i, row in enumerate(sheet) if i > code_row and not all(is_blank(v) for v in row)]
    return TemplateUpload(
        meta=meta,
        code_row=code_row,
        columns=columns,
        comment_columns=comment_columns,
        rows=rows,
        problems=problems,
    )
