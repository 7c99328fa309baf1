"""Reading and filling the data-entry template in tests, with openpyxl as a user's Excel would."""

import io

import openpyxl


def fill(content: bytes, cells: dict[str, object], edit=None) -> bytes:
    """Set cells of 「数据填报」 ({"C4": 12}); ``edit(workbook)`` may change anything else first."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    if edit is not None:
        edit(book)
    sheet = book["数据填报"]
    for ref, value in cells.items():
        sheet[ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row_of(content: bytes, region_code: str) -> int:
    """The Excel row number of a region in the template."""
    sheet = openpyxl.load_workbook(io.BytesIO(content))["数据填报"]
    for row in sheet.iter_rows(min_row=4):
        if row[0].value == region_code:
            return row[0].row
    raise AssertionError(f"{region_code} not in template")


def column_of(content: bytes, indicator_code: str) -> str:
    sheet = openpyxl.load_workbook(io.BytesIO(content))["数据填报"]
    for cell in sheet[3]:
        if cell.value == indicator_code:
            return cell.column_letter
    raise AssertionError(f"{indicator_code} not in template")
