"""Every uploaded file is judged here: its size against the configured limit and its real type by its first
bytes (magic numbers), never by its name alone. Refusals are Chinese sentences that say what to do.

Used by the import forms (collection, enterprises), ``common/excel.workbook_read`` (so the API and the command
line get the same checks), and the attachment uploads (``check_upload``). A request body far over the limit is
refused earlier still, with HTTP 413, by ``RequestSizeLimitMiddleware``.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol
from xml.parsers import expat

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import format_html

from county_innovation.common.errors import DomainError

MB = 1024 * 1024
DEFAULT_MAX_MB = 20
# A multipart body carries the file plus field names and boundaries; only bodies well beyond the file limit
# are cut off unread, so that a file just over the limit still gets the form's precise message.
BODY_SLACK_BYTES = 1 * MB
SNIFF_BYTES = 8192

XLSX = "xlsx"
CSV = "csv"
JSON = "json"
PDF = "pdf"
DOCX = "docx"
JPG = "jpg"
PNG = "png"

LABELS = {
    XLSX: "Excel 工作簿（.xlsx）",
    CSV: "CSV 文本文件（.csv）",
    JSON: "JSON 文件（.json）",
    PDF: "PDF 文件（.pdf）",
    DOCX: "Word 文档（.docx）",
    JPG: "JPG 图片（.jpg）",
    PNG: "PNG 图片（.png）",
}
CONTENT_TYPES = {
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    CSV: "text/csv",
    JSON: "application/json",
    PDF: "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    JPG: "image/jpeg",
    PNG: "image/png",
}

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # .xlsx and .docx are zip archives
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 .xls, Word 97-2003 .doc
MAGIC = {PDF: b"%PDF", PNG: b"\x89PNG\r\n\x1a\n", JPG: b"\xff\xd8\xff"}
# Other binary files someone may pick by mistake: named in the refusal.
OTHER_BINARY = {b"Rar!": "RAR 压缩包", b"7z\xbc\xaf": "7z 压缩包", b"\x1f\x8b": "gzip 压缩包"}


class UploadRefused(DomainError):
    """An upload was refused for its size or type; ``message`` says why in Chinese."""


class Upload(Protocol):
    name: str | None
    size: int | None

    def seek(self, offset: int, whence: int = 0) -> int: ...
    def read(self, size: int = -1) -> bytes: ...


def max_bytes() -> int:
    """The largest accepted file in bytes: setting ``COUNTY_INNOVATION_UPLOAD_MAX_MB`` (default 20)."""
    return int(float(getattr(settings, "COUNTY_INNOVATION_UPLOAD_MAX_MB", DEFAULT_MAX_MB)) * MB)


upload_max_bytes = max_bytes


def _mb(size: int) -> str:
    return f"{size / MB:.1f} MB"


def _limit_text(limit: int) -> str:
    return f"{limit / MB:g} MB"


def size_check(size: int, *, limit: int | None = None) -> None:
    """Refuse a file larger than the limit; the message names both sizes (「文件大小 60.0 MB，超过上限 20 MB」)."""
    limit = max_bytes() if limit is None else limit
    if size > limit:
        raise UploadRefused(f"文件大小 {_mb(size)}，超过上限 {_limit_text(limit)}：请压缩或拆分后分批上传。")


def _zip_kind(upload: Upload) -> str | None:
    upload.seek(0)
    try:
        # zipfile reads the central directory at the end of the file, not the whole file.
        with zipfile.ZipFile(upload) as archive:  # type: ignore[arg-type]
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    if any(n.startswith("xl/") for n in names):
        return XLSX
    if any(n.startswith("word/") for n in names):
        return DOCX
    return None


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    # The sniffed block may end inside a multi-byte character: judge all but its last few bytes.
    sample = head[:-4] if len(head) == SNIFF_BYTES else head
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            sample.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def _sniff(upload: Upload, head: bytes) -> str | None:
    """What the file really is (one of the kinds, ``"ole2"``, ``"zip"``), or None when nothing we know."""
    for kind, magic in MAGIC.items():
        if head.startswith(magic):
            return kind
    if head.startswith(OLE2_MAGIC):
        return "ole2"
    if head.startswith(ZIP_MAGIC):
        return _zip_kind(upload) or "zip"
    if any(head.startswith(magic) for magic in OTHER_BINARY):
        return None
    if _is_text(head):
        return JSON if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[") else CSV
    return None


def _refusal(found: str | None, head: bytes, kinds: tuple[str, ...]) -> str:
    wanted = "或".join(LABELS[k] for k in kinds)
    if found == "ole2":
        if kinds == (XLSX,):
            return (
                "这是旧版 Excel 97-2003 文件（.xls），请在 Excel 中「另存为」.xlsx 后再上传："
                "打开文件，选「文件 → 另存为」，保存类型选「Excel 工作簿（*.xlsx）」。"
            )
        return "这是旧版 Office 97-2003 文件（.doc/.xls），请「另存为」.docx 或 .xlsx 后再上传。"
    if found == "zip":  # a zip archive that is neither a workbook nor a Word document, or a damaged one
        if kinds == (XLSX,):
            return "无法读取该文件：它不是有效的 Excel 工作簿（.xlsx），或已损坏。请用 Excel 打开检查后重新保存再上传。"
        return f"无法读取该文件：它不是有效的 {wanted}，或已损坏。"
    if found == PDF and kinds == (XLSX,):
        return "上传的是 PDF 文件，不是 Excel 工作簿；请上传从本平台下载并填写的 .xlsx 模板。"
    if found in (CSV, JSON) and kinds == (XLSX,):
        return "上传的文件不是 Excel 工作簿（.xlsx），而是文本文件；请上传从本平台下载并填写的模板。"
    for magic, label in OTHER_BINARY.items():
        if head.startswith(magic):
            return f"上传的是 {label}，不是 {wanted}：请选择正确的文件。"
    if found is not None:
        return f"上传的是 {LABELS.get(found, found)}，不是 {wanted}：请选择正确的文件。"
    return f"上传的文件类型不被接受：只能上传 {wanted}。"


def _matches(found: str | None, kind: str) -> bool:
    if kind == CSV:
        return found in (CSV, JSON)  # any text file; the CSV reader reports its rows
    return found == kind


def upload_check(upload: Upload, *, kinds: Iterable[str] = (XLSX,), limit: int | None = None) -> str:
    """Check an uploaded file's size and real type; return the kind it is (one of ``kinds``).

    Parameters
    ----------
    upload : a Django ``UploadedFile`` (or any object with ``name``, ``size``, ``seek`` and ``read``); it is
        rewound afterwards.
    kinds : accepted kinds among ``XLSX``, ``CSV``, ``JSON``, ``PDF``, ``DOCX``, ``JPG``, ``PNG``. CSV takes
        any text (UTF-8, with or without BOM, or GB18030/GBK); JSON a text starting with ``{`` or ``[``.
    limit : bytes; default the setting ``COUNTY_INNOVATION_UPLOAD_MAX_MB`` (20 MB).

    Raises
    ------
    UploadRefused (a DomainError) with a Chinese sentence: the size and the limit, or what the file is and
    what was expected. Only the size, the first 8 KB and, for zip files, the zip directory are read.
    """
    kinds = tuple(kinds)
    size = getattr(upload, "size", None)
    if size is None:
        size = upload.seek(0, io.SEEK_END)
    size_check(size, limit=limit)
    if size == 0:
        hint = "填写好的 Excel 模板（.xlsx）" if kinds == (XLSX,) else "或".join(LABELS[k] for k in kinds)
        raise UploadRefused(f"上传的文件是空的（0 字节），请选择{hint}。")
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    found = _sniff(upload, head)
    kind = found if found in kinds else next((k for k in kinds if _matches(found, k)), None)
    if kind is None:
        raise UploadRefused(_refusal(found, head, kinds))
    if kind in (XLSX, DOCX):
        # What the archive expands to is bounded before any reader (calamine, python-docx) sees it.
        upload.seek(0)
        try:
            expansion_check(upload, kind=kind)
        finally:
            upload.seek(0)
    return kind


def content_check(
    content: bytes, *, kinds: Iterable[str] = (XLSX,), name: str = "", limit: int | None = None
) -> str:
    """``upload_check`` for content already in memory (an API body, a file read by the command line)."""
    buffer = io.BytesIO(content)
    buffer.name = name  # type: ignore[attr-defined]
    buffer.size = len(content)  # type: ignore[attr-defined]
    return upload_check(buffer, kinds=kinds, limit=limit)  # type: ignore[arg-type]


# --- what an Office file may expand to (zip bombs, shared-string bombs, sparse sheets) ------------------------

DEFAULT_EXPANDED_MB = 100
DEFAULT_MEMBER_MB = 50
MAX_MEMBERS = 2000
# 1,048,576 × 16,384 is what Excel allows; a platform template is a few hundred rows by a few dozen columns.
DEFAULT_MAX_ROWS = 100_000
DEFAULT_MAX_COLUMNS = 1_000
DEFAULT_MAX_CELLS = 2_000_000
MAX_CELL_TEXT = 32_767  # Excel's own limit on the characters of one cell
CHUNK = 1024 * 1024
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")


@dataclass(frozen=True)
class ExpansionLimits:
    """What an uploaded .xlsx/.docx may expand to; settings ``COUNTY_INNOVATION_UPLOAD_EXPANDED_MB`` (the
    whole archive, default 100), ``…_MEMBER_MB`` (one part, default 50), ``…_MAX_ROWS`` (100,000),
    ``…_MAX_COLUMNS`` (1,000), ``…_MAX_CELLS`` (rows × columns a sheet spans, 2,000,000)."""

    expanded: int
    member: int
    rows: int
    columns: int
    cells: int
    cell_text: int = MAX_CELL_TEXT
    members: int = MAX_MEMBERS


def expansion_limits() -> ExpansionLimits:
    def setting(name: str, default: float) -> float:
        return float(getattr(settings, f"COUNTY_INNOVATION_UPLOAD_{name}", default))

    return ExpansionLimits(
        expanded=int(setting("EXPANDED_MB", DEFAULT_EXPANDED_MB) * MB),
        member=int(setting("MEMBER_MB", DEFAULT_MEMBER_MB) * MB),
        rows=int(setting("MAX_ROWS", DEFAULT_MAX_ROWS)),
        columns=int(setting("MAX_COLUMNS", DEFAULT_MAX_COLUMNS)),
        cells=int(setting("MAX_CELLS", DEFAULT_MAX_CELLS)),
    )


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


class _SheetScan:
    """Reads one XML part of a workbook with expat, in constant memory: counts rows and cells, follows the
    largest row and column any reference names, and measures the text of every cell and shared string
    without keeping it. Refuses (UploadRefused) as soon as a bound is passed, and any DTD (entity bombs)."""

    def __init__(self, part: str, limits: ExpansionLimits) -> None:
        self.part, self.limits = part, limits
        self.max_row = self.max_column = self.rows = self.cells = 0
        self.row = self.column = 0  # the row and column being read
        self.text_depth = 0  # inside <c>, <si> or <t>: the characters count toward one cell's text
        self.text = 0
        self.parser = expat.ParserCreate()
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._characters
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._entity

    def _sheet(self) -> str:
        name = self.part.rsplit("/", 1)[-1].removesuffix(".xml")
        return name.replace("sheet", "工作表 ") if name.startswith("sheet") else name

    def _doctype(self, *args: object) -> None:
        raise UploadRefused(
            "文件中含有文档类型定义（DTD），这不是 Excel 正常保存的工作簿：请用 Excel 重新保存后再上传。"
        )

    _entity = _doctype

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        tag = name.rsplit(":", 1)[-1]
        if tag == "row":
            self.rows += 1
            r = attrs.get("r", "")
            # A row without "r" follows the previous one; a cell without "r" the previous cell of its row.
            self.row = int(r) if r.isascii() and r.isdigit() and len(r) <= 9 else self.row + 1
            self.column = 0
            self._extent(self.row, self.max_column)
        elif tag == "c":
            self.cells += 1
            match = _REF.match(attrs.get("r", ""))
            if match:
                self.row, self.column = int(match.group(2)), _column_number(match.group(1))
            else:
                self.column += 1
            self._extent(max(self.row, 1), self.column)
            self.text_depth, self.text = 1, 0
        elif tag == "si":
            self.cells += 1
            self.text_depth, self.text = 1, 0
        elif tag == "dimension":
            last = attrs.get("ref", "").rpartition(":")[2]
            match = _REF.match(last)
            if match:
                self._extent(int(match.group(2)), _column_number(match.group(1)))
        elif self.text_depth:
            self.text_depth += 1
        if self.cells > self.limits.cells:
            raise UploadRefused(
                f"工作表「{self._sheet()}」的单元格超过 {self.limits.cells:,} 个，超出平台可处理的范围："
                "请删除多余内容或拆分为多个文件后上传。"
            )

    def _extent(self, row: int, column: int) -> None:
        self.max_row, self.max_column = max(self.max_row, row), max(self.max_column, column)
        if self.max_row > self.limits.rows:
            raise UploadRefused(
                f"工作表「{self._sheet()}」用到了第 {self.max_row:,} 行，超过上限 {self.limits.rows:,} 行："
                "请删除表格下方多余的行（或拆分文件）后上传。"
            )
        if self.max_column > self.limits.columns:
            raise UploadRefused(
                f"工作表「{self._sheet()}」用到了第 {self.max_column:,} 列，超过上限 {self.limits.columns:,} 列："
                "请删除表格右侧多余的列后上传。"
            )
        if self.max_row * self.max_column > self.limits.cells:
            raise UploadRefused(
                f"工作表「{self._sheet()}」的范围达 {self.max_row:,} 行 × {self.max_column:,} 列，"
                f"超过 {self.limits.cells:,} 个单元格的上限：请删除多余的行列（或拆分文件）后上传。"
            )

    def _end(self, name: str) -> None:
        if self.text_depth:
            self.text_depth -= 1

    def _characters(self, data: str) -> None:
        if self.text_depth:
            self.text += len(data)
            if self.text > self.limits.cell_text:
                raise UploadRefused(
                    f"文件中有单元格的文字超过 {self.limits.cell_text:,} 个字符（Excel 单元格的上限），"
                    "文件可能已损坏或被篡改：请检查后重新保存再上传。"
                )

    def feed(self, data: bytes, final: bool = False) -> None:
        try:
            self.parser.Parse(data, final)
        except expat.ExpatError:
            raise UploadRefused(_DAMAGED) from None


_DAMAGED = "无法读取该文件：它不是有效的 Excel 工作簿（.xlsx）或 Word 文档（.docx），或已损坏。请用 Office 打开检查后重新保存再上传。"


def _scanned(name: str) -> bool:
    """Every XML part is streamed through expat: worksheets and shared strings wherever the workbook's
    relationships put them, and a DTD anywhere is refused."""
    return name.endswith((".xml", ".rels"))


def expansion_check(upload: Upload, *, kind: str = XLSX, limits: ExpansionLimits | None = None) -> None:
    """Refuse an .xlsx/.docx whose content expands beyond the limits, in constant memory, before parsing.

    The zip directory's declared sizes are checked first (members, every part, the whole); then every part is
    decompressed in 1 MB pieces and counted, so a part that expands beyond what it declared (or a damaged
    one) is refused, not trusted; worksheets and shared strings are scanned as they stream (``_SheetScan``).
    """
    limits = limits or expansion_limits()
    try:
        archive = zipfile.ZipFile(upload)  # type: ignore[arg-type]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise UploadRefused(_DAMAGED) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.members:
            raise UploadRefused(
                f"文件内含 {len(infos):,} 个部件，超过上限 {limits.members:,}：这不是正常的 Office 文件。"
            )
        names = [info.filename for info in infos]
        if len(set(names)) != len(names):
            raise UploadRefused("文件内有重名的部件，可能已损坏或被篡改：请用 Office 重新保存后再上传。")
        declared = sum(info.file_size for info in infos)
        for info in infos:
            if info.file_size > limits.member:
                raise UploadRefused(
                    _too_big(f"其中「{info.filename}」解压后为 {_mb(info.file_size)}", limits)
                )
        if declared > limits.expanded:
            raise UploadRefused(_too_big(f"解压后共 {_mb(declared)}", limits))
        total = 0
        for info in infos:
            scan = _SheetScan(info.filename, limits) if _scanned(info.filename) else None
            size = 0
            try:
                with archive.open(info) as member:
                    while chunk := member.read(CHUNK):
                        size += len(chunk)
                        total += len(chunk)
                        if size > limits.member or total > limits.expanded:
                            raise UploadRefused(_too_big("解压后的内容超过声明的大小", limits))
                        if scan is not None:
                            scan.feed(chunk)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
                raise UploadRefused(_DAMAGED) from None
            if scan is not None:
                scan.feed(b"", final=True)


def _too_big(what: str, limits: ExpansionLimits) -> str:
    return (
        f"文件{what}，超过平台的上限（单个部件 {_limit_text(limits.member)}，合计 {_limit_text(limits.expanded)}）："
        "请删除多余的工作表、图片或空白行列，或拆分为多个文件后上传。"
    )


# --- attachments (designation materials, progress reports): the file's extension must match its content ---

ATTACHMENT_KINDS = (PDF, DOCX, XLSX, JPG, PNG)
ALLOWED_LABEL = "PDF、Word（.docx）、Excel（.xlsx）、JPG、PNG"
MAX_UPLOAD_BYTES = DEFAULT_MAX_MB * MB


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    kind: str
    content_type: str
    size: int


def check_upload(filename: str, content: bytes, *, max_bytes: int | None = None) -> CheckedFile:
    """Accept a PDF, DOCX, XLSX, JPG or PNG attachment whose name matches its content; refuse in Chinese."""
    name = (filename or "").strip().replace("\\", "/").rsplit("/", 1)[-1]
    if not name:
        raise UploadRefused("请选择要上传的文件。")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    extension = JPG if extension == "jpeg" else extension
    if extension not in ATTACHMENT_KINDS:
        raise UploadRefused(f"文件「{name}」的类型不被接受：只能上传 {ALLOWED_LABEL} 文件。")
    kind = content_check(content, kinds=ATTACHMENT_KINDS, name=name, limit=max_bytes)
    if kind != extension:
        raise UploadRefused(
            f"文件「{name}」的内容不是有效的 .{extension} 文件（扩展名与实际内容不符），"
            f"请上传真实的 {ALLOWED_LABEL} 文件。"
        )
    return CheckedFile(filename=name, kind=kind, content_type=CONTENT_TYPES[kind], size=len(content))


# --- the early refusal of a body far over the limit ----------------------------------------------------------


class RequestSizeLimitMiddleware:
    """Refuse with HTTP 413 a request whose declared body is far over the upload limit, before anything reads
    it (neither the CSRF check nor Django's upload handlers spool 60 MB to disk first)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = max_bytes()
        if length > limit + BODY_SLACK_BYTES:
            return too_large_response(request, length, limit)
        return self.get_response(request)


def too_large_response(request: HttpRequest, length: int, limit: int) -> HttpResponse:
    """413 in Chinese: JSON for the API (or a client asking for JSON), a small page otherwise."""
    message = f"上传内容大小 {_mb(length)}，超过上限 {_limit_text(limit)}：请压缩或拆分后分批上传。"
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"detail": message}, status=413, json_dumps_params={"ensure_ascii": False})
    page = format_html(
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>文件过大</title></head>'
        "<body><h1>文件过大</h1><p>{}</p><p>请返回上一页，重新选择较小的文件。</p></body></html>",
        message,
    )
    return HttpResponse(page, status=413, content_type="text/html; charset=utf-8")
