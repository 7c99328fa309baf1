"""Reading uploaded Excel workbooks, shared by every import (data values now, registries later).

Files are recognised by their first bytes, not by their name, so a renamed PDF or an old .xls is refused with
a sentence the user can act on; reading goes through python-calamine (fast, no formula evaluation needed).
"""

import io
from dataclasses import dataclass

import python_calamine
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from county_innovation.common import uploads
from county_innovation.common.errors import DomainError

XLSX_MAGIC = b"PK\x03\x04"  # an .xlsx is a zip archive
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2 compound file: Excel 97-2003 .xls (and old .doc)
PDF_MAGIC = b"%PDF"

CellValue = object  # str, int, float, bool, date, datetime, time or timedelta, as calamine returns them


@dataclass
class Workbook:
    """The sheets of an uploaded workbook as lists of rows; ``rows[i][j]`` is Excel row i+1, column j+1."""

    sheets: dict[str, list[list[CellValue]]]

    def sheet(self, name: str) -> list[list[CellValue]] | None:
        return self.sheets.get(name)


def column_letter(index: int) -> str:
    """0-based column index → Excel column letters (0 → "A", 27 → "AB")."""
    return get_column_letter(index + 1)


def cell_ref(row_index: int, column_index: int) -> str:
    """0-based indices → the Chinese cell reference users see: 「第7行 E列」."""
    return f"第{row_index + 1}行 {column_letter(column_index)}列"


def is_blank(value: CellValue) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def workbook_read(content: bytes) -> Workbook:
    """Read an .xlsx file's every sheet (hidden ones included); raise DomainError for anything else."""
    # Size and real type (an old .xls, a renamed PDF or text file) are judged in one place for every upload.
    uploads.content_check(content, kinds=(uploads.XLSX,))  # also bounds what the workbook expands to
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheets = {
            name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names
        }
    except Exception:  # calamine raises several unrelated types for damaged or foreign zip files
        raise DomainError(
            "无法读取该文件：它不是有效的 Excel 工作簿（.xlsx），或已损坏。"
            "请用 Excel 打开检查后重新保存再上传。"
        ) from None
    return Workbook(sheets=sheets)


# --- writing: the look every template the platform issues shares ----------------------------------------

HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
CODE_FILL = PatternFill("solid", fgColor="F2F2F2")
THIN = Side(style="thin", color="BFBFBF")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def header_cells(ws, *, header_row: int, code_row: int, col: int, header: str, code: str) -> None:
    """A column's header (bold, wrapped) and, below it, the grey code an import matches the column on."""
    cell = cell_put(ws, header_row, col, header)
    cell.font = Font(bold=True)
    cell.fill = HEADER_FILL
    cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    cell.border = BORDER
    code_cell = cell_put(ws, code_row, col, code)
    code_cell.font = Font(color="808080", size=9)
    code_cell.fill = CODE_FILL
    code_cell.border = BORDER


# --- writing user text safely: every export writes through these -----------------------------------------

# A cell whose text starts with one of these is a formula to Excel, LibreOffice or WPS when typed or pasted
# (「=HYPERLINK(...)」「+cmd|...」「-2+3」「@SUM(...)」, and a leading tab or line break before any of them).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def sheet_value(value: object) -> object:
    """A value as an export cell may hold it: text loses the control characters XML cannot carry (openpyxl
    would raise IllegalCharacterError on them, a 500 for the user who typed a stray 0x07 into a name)."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _as_text(cell) -> None:
    """Text stays text: never a live formula, and Excel shows it quoted (quotePrefix) if it could be one."""
    value = cell.value
    if isinstance(value, str):
        if cell.data_type == "f":  # openpyxl takes any text starting with "=" for a formula
            cell.data_type = "s"
        if value.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True


def cell_put(ws, row: int, column: int, value: object):
    """Write one cell of an export (``ws.cell(row, column, value)``), user text as inert text."""
    cell = ws.cell(row, column)
    cell.value = sheet_value(value)
    _as_text(cell)
    return cell


def row_put(ws, values) -> None:
    """Append one row to an export (``ws.append(values)``), user text as inert text."""
    ws.append([sheet_value(v) for v in values])
    for cell in ws[ws.max_row]:
        _as_text(cell)


def workbook_bytes(book) -> bytes:
    """Save an export; every text cell of every sheet is checked once more to be inert text.

    The platform's exports hold no formulas of their own, so any cell openpyxl would write as a formula is
    user text and is written as text. Every openpyxl export saves through here
    (``tests/test_hostile_exports.py`` walks them all with hostile text).
    """
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                _as_text(cell)
        for validation in ws.data_validations.dataValidation:  # prompts name indicators and units
            for attribute in ("prompt", "promptTitle", "error", "errorTitle"):
                text = getattr(validation, attribute)
                if text:
                    setattr(validation, attribute, sheet_value(text))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
