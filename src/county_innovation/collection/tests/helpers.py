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


def column_of(content: bytes, indicator_code: str, *, comment: bool = False) -> str:
    """The column letter of an indicator's value (or its 说明), as the hidden _meta sheet maps them."""
    meta = openpyxl.load_workbook(io.BytesIO(content))["_meta"]
    wanted = indicator_code + ("#说明" if comment else "")
    for key, value in meta.iter_rows(values_only=True):
        if str(key).startswith("column:") and value == wanted:
            return str(key)[len("column:") :]
    raise AssertionError(f"{indicator_code} not in template")
