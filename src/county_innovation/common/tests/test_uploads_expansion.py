"""The expansion check reads sheets the way Excel writes them, with or without cell references."""

import io
import zipfile

import pytest

from county_innovation.common import uploads

NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _workbook(sheet: bytes) -> io.BytesIO:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    out.seek(0)
    return out


def _limits(**kwargs) -> uploads.ExpansionLimits:
    return uploads.ExpansionLimits(
        **{"expanded": 10**8, "member": 10**8, "rows": 100, "columns": 10, "cells": 500, **kwargs}
    )


def test_cells_without_references_are_counted_per_row():
    rows = b"".join(b"<row>" + b"<c><v>1</v></c>" * 8 + b"</row>" for _ in range(50))
    sheet = b"<worksheet " + NS + b"><sheetData>" + rows + b"</sheetData></worksheet>"
    uploads.expansion_check(_workbook(sheet), limits=_limits())  # 50 rows × 8 columns: within every bound


def test_a_row_past_the_limit_is_refused_even_without_references():
    rows = b"<row><c><v>1</v></c></row>" * 101
    sheet = b"<worksheet " + NS + b"><sheetData>" + rows + b"</sheetData></worksheet>"
    with pytest.raises(uploads.UploadRefused, match="第 101 行"):
        uploads.expansion_check(_workbook(sheet), limits=_limits())


def test_a_wide_sheet_is_refused_by_its_columns():
    sheet = (
        b"<worksheet " + NS + b'><sheetData><row r="1"><c r="K1"><v>1</v></c></row></sheetData></worksheet>'
    )
    with pytest.raises(uploads.UploadRefused, match="第 11 列"):
        uploads.expansion_check(_workbook(sheet), limits=_limits())


def test_a_damaged_part_is_refused_as_damaged():
    sheet = b"<worksheet " + NS + b"><sheetData><row>"
    with pytest.raises(uploads.UploadRefused, match="无法读取该文件"):
        uploads.expansion_check(_workbook(sheet), limits=_limits())
