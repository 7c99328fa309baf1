"""Reading an import file into entries: the Excel template, long-format CSV and JSON.

Each reader turns a file into ``ImportEntry`` records (region code, indicator code, raw value, 说明) that keep
where they came from (「第5行 C列」, 「第5行「数值」列」, 「第3条」), plus the problems of the file's own
structure. Nothing here touches regions, indicators or permissions: ``collection.import_checks`` checks the
entries and writes them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError, fromstring, iterparse

from county_innovation.collection.excel import DATA_SHEET, FIRST_VALUE_COLUMN, template_parse
from county_innovation.common import uploads
from county_innovation.common.errors import DomainError, json_error_message
from county_innovation.common.excel import cell_ref, column_letter, is_blank, workbook_read

XLSX, CSV, JSON = uploads.XLSX, uploads.CSV, uploads.JSON
KINDS = (XLSX, JSON, CSV)  # in this order: uploads.upload_check takes any text as CSV

# The CSV header names, Chinese or English (any case); other columns (区划名称, 指标名称 …) are ignored.
CSV_COLUMNS = {
    "region": ("区划代码", "region"),
    "indicator": ("指标代码", "indicator"),
    "value": ("数值", "value"),
    "comment": ("说明", "comment"),
}
CSV_REQUIRED = ("region", "indicator", "value")
# An import takes no Word file, so an OLE2 file (D0CF11E0) is an old .xls, whatever its name says.
XLS_REFUSAL = (
    "这是旧版 Excel 97-2003 文件（.xls），请在 Excel 中「另存为」.xlsx 后再上传："
    "打开文件，选「文件 → 另存为」，保存类型选「Excel 工作簿（*.xlsx）」。"
)


@dataclass(slots=True)
class ImportEntry:
    """One value read from a file. ``value`` is the cell or text as read; None asks to clear (JSON null)."""

    region: str
    indicator: str
    value: object
    comment: str | None
    where: str  # the value's position: 「第5行 C列」
    region_where: str  # where the region code is: 「第5行 A列」, 「第5行」, 「第3条」
    indicator_where: str  # where the indicator code is: 「第3行 C列」 (the template's code row), 「第5行」

    @property
    def record_where(self) -> str:
        """The position naming this one value: a CSV row or JSON item, a template's cell."""
        return self.region_where if self.region_where == self.indicator_where else self.where


@dataclass
class ImportFile:
    kind: str
    name: str
    sha256: str
    entries: list[ImportEntry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # structure problems, each with its position
    meta: dict[str, str] = field(default_factory=dict)  # the template's _meta sheet, or a JSON file's keys

    @property
    def template_version(self) -> str:
        return self.meta.get("template_version", "") if self.kind == XLSX else self.kind


def code_text(raw: object) -> str:
    """A code as text: Excel stores 360121100 as the float 360121100.0."""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return "" if raw is None else str(raw).strip()


def file_read(content: bytes, *, name: str = "", kinds: Iterable[str] = KINDS) -> ImportFile:
    """Recognise the file by its content (``common.uploads``: size, magic bytes) and read its entries.

    Raises DomainError (UploadRefused) for a file too large, of another type (an .xls renamed .xlsx, a PDF,
    binary data), undecodable text, or something that is not our template, CSV layout or JSON shape.
    """
    uploads.size_check(len(content))
    if content.startswith(uploads.OLE2_MAGIC):
        raise uploads.UploadRefused(XLS_REFUSAL)
    kind = uploads.content_check(content, name=name, kinds=tuple(kinds))
    sha = hashlib.sha256(content).hexdigest()
    if kind == XLSX:
        return xlsx_read(content, name=name, sha256=sha)
    text = text_decode(content, kind)
    if kind == JSON:
        return json_read(text, name=name, sha256=sha)
    return csv_read(text, name=name, sha256=sha)


# --- text: encodings ------------------------------------------------------------------------------------------


def text_decode(content: bytes, kind: str = CSV) -> str:
    """UTF-8 (with or without BOM) first, strictly; then GB18030 (a superset of GBK), because Excel on Chinese
    Windows saves 「CSV（逗号分隔）」 in GBK without a BOM. JSON is UTF-8 only (RFC 8259)."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if kind == JSON:
            raise DomainError(
                f"JSON 文件不是 UTF-8 编码（第 {error.start + 1} 个字节无法识别）：请以 UTF-8 编码保存后再上传。"
            ) from None
    try:
        return content.decode("gb18030")
    except UnicodeDecodeError as error:
        raise DomainError(
            "无法识别 CSV 文件的编码：它既不是 UTF-8，也不是 GBK/GB18030"
            f"（第 {error.start + 1} 个字节无法识别）。请在 Excel 中「另存为」→「CSV UTF-8（逗号分隔）」后再上传。"
        ) from None


# --- CSV: long format, one value a row --------------------------------------------------------------------------


def _csv_dialect(text: str) -> type[csv.Dialect]:
    end = text.find("\n")
    first = text if end < 0 else text[:end]
    if "," not in first and "，" not in first and "\t" in first:
        return csv.excel_tab
    return csv.excel


def _csv_columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    names = [h.strip().lower() for h in header]
    columns: dict[str, int] = {}
    for key, aliases in CSV_COLUMNS.items():
        for j, name in enumerate(names):
            if name in aliases and key not in columns:
                columns[key] = j
    missing = [CSV_COLUMNS[k][0] for k in CSV_REQUIRED if k not in columns]
    return columns, missing


def _csv_cell(row: list[str], columns: dict[str, int], key: str) -> str:
    j = columns.get(key)
    return row[j].strip() if j is not None and j < len(row) else ""


def csv_read(text: str, *, name: str = "", sha256: str = "") -> ImportFile:
    """Long format: a header row 「区划代码,指标代码,数值[,说明]」 (or region,indicator,value[,comment]), then one
    value a row. Rows are numbered as Excel shows them (the header is row 1); an empty 数值 is not imported."""
    result = ImportFile(kind=CSV, name=name, sha256=sha256)
    if "\x00" in text:
        raise DomainError(
            "CSV 文件中含有空字符（NUL），它不是正常的文本文件：请用 Excel「另存为」CSV 后再上传。"
        )
    rows = csv.reader(io.StringIO(text, newline=""), _csv_dialect(text))
    try:
        return _csv_rows(rows, result)
    except csv.Error as error:  # a field over the csv module's limit (a huge cell), a broken quote
        raise DomainError(
            f"CSV 文件第{rows.line_num}行无法读取（单元格过长或引号不成对）：请检查该行后重新保存再上传。",
            [f"第{rows.line_num}行：{_csv_error(error)}"],
        ) from None


def _csv_error(error: csv.Error) -> str:
    text = str(error)
    if "field larger than field limit" in text:
        return f"单元格超过 {csv.field_size_limit():,} 个字符"
    return "格式错误（引号不成对或含有非法字符）"


def _csv_rows(rows, result: ImportFile) -> ImportFile:
    header: list[str] | None = None
    for number, row in enumerate(rows, start=1):
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = row
            columns, missing = _csv_columns(header)
            if missing:
                raise DomainError(
                    f"CSV 文件第{number}行应为表头「区划代码,指标代码,数值,说明」（或 region,indicator,value,comment），"
                    f"缺少「{'」「'.join(missing)}」列；实际为「{','.join(h.strip() for h in header)[:200]}」。",
                    [f"第{number}行：缺少「{m}」列" for m in missing],
                )
            value_name = header[columns["value"]].strip()
            continue
        value = _csv_cell(row, columns, "value")
        comment = _csv_cell(row, columns, "comment") or None
        if value == "":
            if comment:
                result.problems.append(f"第{number}行：填写了说明但「{value_name}」为空，请同时填写数值")
            continue
        result.entries.append(
            ImportEntry(
                region=_csv_cell(row, columns, "region"),
                indicator=_csv_cell(row, columns, "indicator"),
                value=value,
                comment=comment,
                where=f"第{number}行「{value_name}」列",
                region_where=f"第{number}行",
                indicator_where=f"第{number}行",
            )
        )
    if header is None:
        raise DomainError("CSV 文件是空的：没有表头，也没有数据。")
    return result


# --- JSON ----------------------------------------------------------------------------------------------------


def json_read(text: str, *, name: str = "", sha256: str = "") -> ImportFile:
    """``{"framework": …, "period": …, "values": [{"region", "indicator", "value", "comment"}]}`` or the list."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:  # also a 5,000-digit integer, "[" nested 100,000 deep
        raise DomainError(json_error_message(error)) from None
    meta: dict[str, str] = {}
    if isinstance(data, dict):
        meta = {k: code_text(data[k]) for k in ("framework", "version", "period") if data.get(k) is not None}
        data = data.get("values")
    if not isinstance(data, list):
        raise DomainError(
            'JSON 文件应为 {"values": [{"region": 区划代码, "indicator": 指标代码, "value": 数值}, …]}。'
        )
    result = json_entries(data)
    result.name, result.sha256, result.meta = name, sha256, meta
    return result


def json_entries(items: list[object]) -> ImportFile:
    """The ``values`` list of a JSON file or API request; item n (from 1) is 「第n条」."""
    result = ImportFile(kind=JSON, name="", sha256="")
    for n, item in enumerate(items, start=1):
        where = f"第{n}条"
        if not isinstance(item, dict):
            result.problems.append(f'{where}：应为对象 {{"region": …, "indicator": …, "value": …}}')
            continue
        missing = [k for k in ("region", "indicator") if is_blank(item.get(k))]
        if "value" not in item:
            missing.append("value")
        if missing:
            result.problems.append(f"{where}：缺少「{'」「'.join(missing)}」")
            continue
        comment = item.get("comment")
        result.entries.append(
            ImportEntry(
                region=code_text(item["region"]),
                indicator=code_text(item["indicator"]),
                value=item["value"],
                comment=None if comment is None else str(comment),
                where=where,
                region_where=where,
                indicator_where=where,
            )
        )
    return result


# --- the Excel template -------------------------------------------------------------------------------------


def xlsx_read(content: bytes, *, name: str = "", sha256: str = "") -> ImportFile:
    """The filled-in template: one entry per non-empty value cell, plus its structure problems.

    Values come from calamine (a formula cell gives its cached result); merged cells, hidden rows and columns
    holding values, and formulas without a cached result are found in the sheet's XML (``sheet_structure``).
    """
    upload = template_parse(workbook_read(content))
    result = ImportFile(kind=XLSX, name=name, sha256=sha256 or hashlib.sha256(content).hexdigest())
    result.meta = upload.meta
    result.problems.extend(upload.problems)
    structure = sheet_structure(content, DATA_SHEET)
    result.problems.extend(structure.problems(code_row=upload.code_row, first_data_row=upload.code_row + 1))
    seen_rows: dict[str, int] = {}

    def text_at(row: list, j: int) -> str:
        return "" if j < 0 or j >= len(row) or is_blank(row[j]) else code_text(row[j])

    for i, row in upload.rows:
        raw_code = row[0] if row else ""
        cells = [(j, row[j]) for j in upload.columns if j < len(row) and not is_blank(row[j])]
        notes = [(j, text_at(row, k)) for j, k in upload.comment_columns.items() if text_at(row, k)]
        if is_blank(raw_code):
            if cells or notes:
                result.problems.append(f"{cell_ref(i, 0)}：缺少区划代码")
            continue
        code = code_text(raw_code)
        if code in seen_rows:
            result.problems.append(f"{cell_ref(i, 0)}：区划「{code}」重复，已在第{seen_rows[code] + 1}行出现")
            continue
        seen_rows[code] = i
        with_value = {j for j, _ in cells}
        for j, _ in notes:
            if j not in with_value:
                k = upload.comment_columns[j]
                result.problems.append(f"{cell_ref(i, k)}：填写了说明但左侧「数值」为空，请同时填写数值")
        for j, raw in cells:
            if isinstance(raw, float) and raw.is_integer():
                raw = int(raw)  # Excel stores every number as a float; "-3", not "-3.0", in messages
            k = upload.comment_columns.get(j, -1)
            result.entries.append(
                ImportEntry(
                    region=code,
                    indicator=upload.columns[j],
                    value=raw,
                    # A blank 说明 cell clears the explanation: the template shows the stored one pre-filled.
                    comment=text_at(row, k) if k >= 0 else None,
                    where=cell_ref(i, j),
                    region_where=cell_ref(i, 0),
                    indicator_where=cell_ref(upload.code_row - 1, j),
                )
            )
    return result


# --- the sheet's XML: what calamine does not tell ----------------------------------------------------------

_CELL_REF = re.compile(r"^([A-Z]+)(\d+)$")
_MAYBE_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*?ref=\"([A-Z]+\d+(?::[A-Z]+\d+)?)\"")
_TRUE = {"1", "true"}


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


def _split_ref(ref: str) -> tuple[int, int]:
    """「C5」 → (4, 2), 0-based row and column."""
    match = _CELL_REF.match(ref)
    if match is None:
        raise ValueError(ref)
    return int(match.group(2)) - 1, _column_index(match.group(1))


@dataclass
class SheetStructure:
    """Facts about one worksheet's XML; rows and columns 0-based."""

    merged: list[tuple[str, int, int]] = field(default_factory=list)  # (range, first row, last row)
    hidden_rows: list[int] = field(default_factory=list)  # hidden rows that hold a value
    hidden_columns: list[tuple[int, int]] = field(default_factory=list)  # (first, last) column
    last_value_row: dict[int, int] = field(default_factory=dict)  # column → last row holding a value
    formulas_without_result: list[tuple[int, int]] = field(default_factory=list)  # (row, column)

    def problems(self, *, code_row: int, first_data_row: int) -> list[str]:
        """Problems inside the data area: the code row and the rows below it (both 0-based)."""
        found = []
        for ref, _top, bottom in self.merged:
            if bottom >= code_row:
                found.append(
                    f"单元格 {ref} 为合并单元格：数据区域（第{code_row + 1}行起）不能合并单元格，"
                    "请选中后点「合并后居中」取消合并，每个单元格各填一个数值后再上传"
                )
        for row in self.hidden_rows:
            if row >= code_row:
                found.append(
                    f"第{row + 1}行为隐藏行：隐藏行中的数据看不到也容易误传，"
                    "请取消隐藏（选中相邻行 → 右键 →「取消隐藏」）并核对后再上传"
                )
        for first, last in self.hidden_columns:
            holding = [c for c in range(first, last + 1) if self.last_value_row.get(c, -1) >= first_data_row]
            if holding and last >= FIRST_VALUE_COLUMN - 1:
                cols = (
                    column_letter(first) if first == last else f"{column_letter(first)}–{column_letter(last)}"
                )
                found.append(f"{cols}列为隐藏列：请取消隐藏并核对其中的数据后再上传")
        for row, col in self.formulas_without_result:
            if row >= first_data_row:
                found.append(
                    f"{cell_ref(row, col)}为公式且没有计算结果，请在 Excel 中重新计算并保存后再上传"
                    "（或把公式改为数值）"
                )
        return found


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_path(archive: zipfile.ZipFile, sheet_name: str) -> str | None:
    workbook = fromstring(archive.read("xl/workbook.xml"))
    rid = None
    for el in workbook.iter():
        if _local(el.tag) == "sheet" and el.get("name") == sheet_name:
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), None)
    if rid is None:
        return None
    rels = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for el in rels.iter():
        if _local(el.tag) == "Relationship" and el.get("Id") == rid:
            target = el.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


def sheet_structure(content: bytes, sheet_name: str) -> SheetStructure:
    """Merged ranges, hidden rows and columns holding values, and formulas without a cached result.

    Reads the sheet's XML straight from the zip; the full parse runs only when the text holds a formula or a
    hidden attribute at all, so a plain template costs one decompression and two regular expressions.
    """
    found = SheetStructure()
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            path = _sheet_path(archive, sheet_name)
            if path is None:
                return found
            xml = archive.read(path)
    except (zipfile.BadZipFile, KeyError, ParseError, OSError):
        return found  # calamine has already read the workbook; a part we cannot find hides nothing we check
    for match in _MERGE.finditer(xml):
        ref = match.group(1).decode()
        first, _, last = ref.partition(":")
        found.merged.append((ref, _split_ref(first)[0], _split_ref(last or first)[0]))
    if not (_MAYBE_FORMULA.search(xml) or b"hidden=" in xml):
        return found
    try:
        _scan_cells(xml, found)
    except (ParseError, ValueError):
        pass
    return found


def _scan_cells(xml: bytes, found: SheetStructure) -> None:
    row_hidden = False
    row_has_value = False
    row_number = 0
    for event, el in iterparse(io.BytesIO(xml), events=("start", "end")):
        tag = _local(el.tag)
        if event == "start":
            if tag == "row":
                row_hidden = el.get("hidden", "") in _TRUE
                row_has_value = False
                row_number = int(el.get("r", row_number + 1))
            continue
        if tag == "c":
            formula = value = None
            for child in el:
                name = _local(child.tag)
                if name == "f":
                    formula = child
                elif name in ("v", "is"):
                    value = child
            has_value = value is not None and (
                (value.text or "").strip() != "" or any((t.text or "") for t in value.iter())
            )
            ref = el.get("r")
            if formula is not None and not has_value and ref:
                found.formulas_without_result.append(_split_ref(ref))
            if has_value and ref:
                row, col = _split_ref(ref)
                found.last_value_row[col] = row
                row_has_value = row_has_value or col >= FIRST_VALUE_COLUMN - 1
        elif tag == "row":
            if row_hidden and row_has_value:
                found.hidden_rows.append(row_number - 1)
            el.clear()
        elif tag == "col" and el.get("hidden", "") in _TRUE:
            found.hidden_columns.append((int(el.get("min", "1")) - 1, int(el.get("max", "1")) - 1))
