"""Hostile input at every door (issue 12): every upload form and import endpoint is sent files renamed to the
wrong type, zip bombs of several shapes, huge cells, formulas, wrong encodings and control characters, and
every numeric entry path huge and non-finite numbers. Each is refused in Chinese — never a 500 — in bounded
memory and time, and nothing is stored.

The hostile files are built here with zipfile and openpyxl, streamed so that the test itself stays small.
"""

import base64
import io
import json
import struct
import time
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from county_innovation.common import uploads
from county_innovation.common.errors import DomainError

MB = 1024 * 1024
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


# --- building hostile files --------------------------------------------------------------------------------


def _small_xlsx(rows=(("区划代码", "数值"), ("360121", "12"))) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rewrite(base: bytes, replace: dict[str, object]) -> bytes:
    """A copy of the archive ``base`` with members replaced or added; a value may be bytes or a generator of
    chunks, streamed into the archive so that a 60 MB part never sits in memory."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename not in replace:
                target.writestr(info.filename, source.read(info.filename))
        for name, content in replace.items():
            with target.open(name, "w") as member:
                for chunk in [content] if isinstance(content, bytes) else content:
                    member.write(chunk)
    return out.getvalue()


def _repeat(head: bytes, piece: bytes, times: int, tail: bytes):
    yield head
    block = piece * max(1, MB // len(piece))
    written = 0
    while written < times:
        n = min(times - written, MB // len(piece))
        yield block if n == MB // len(piece) else piece * n
        written += n
    yield tail


def shared_string_bomb(chars: int = 40 * MB) -> bytes:
    """One shared string of ``chars`` characters (the probe's 824 KB file held 800 MB); under the part limit."""
    sst = b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'
    return _rewrite(_small_xlsx(), {"xl/sharedStrings.xml": _repeat(sst, b"A", chars, b"</t></si></sst>")})


def declared_size_bomb() -> bytes:
    """A part that honestly expands to 60 MB of zeros: over the per-part limit by its declared size."""
    return _rewrite(_small_xlsx(), {"xl/media/padding.bin": _repeat(b"", b"\0", 60 * MB, b"")})


def many_parts_bomb() -> bytes:
    """Thirty parts of 4 MB: each under the part limit, together over the whole-archive limit."""
    return _rewrite(
        _small_xlsx(), {f"xl/media/p{i}.bin": _repeat(b"", b"\0", 4 * MB, b"") for i in range(30)}
    )


def lying_size_bomb() -> bytes:
    """A part that declares 1 KB in the zip directory but expands to 5 MB: never trusted."""
    content = _rewrite(_small_xlsx(), {"xl/media/liar.bin": _repeat(b"", b"\0", 5 * MB, b"")})
    data = bytearray(content)
    name = b"xl/media/liar.bin"
    for signature, size_offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        at = data.find(signature)
        while at >= 0:
            name_offset = 46 if signature == b"PK\x01\x02" else 30
            if data[at + name_offset : at + name_offset + len(name)] == name:
                struct.pack_into("<I", data, at + size_offset, 1024)
            at = data.find(signature, at + 4)
    return bytes(data)


def sparse_sheet() -> bytes:
    """One cell at XFD1048576: a reader that fills the grid would allocate 17 billion cells."""
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<dimension ref="A1:XFD1048576"/><sheetData><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
        b"</sheetData></worksheet>"
    )
    return _rewrite(_small_xlsx(), {"xl/worksheets/sheet1.xml": sheet})


def many_rows_sheet(rows: int = 150_000) -> bytes:
    head = b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    return _rewrite(
        _small_xlsx(),
        {"xl/worksheets/sheet1.xml": _repeat(head, b"<row/>", rows, b"</sheetData></worksheet>")},
    )


def entity_bomb() -> bytes:
    """The "billion laughs": a DTD whose entities expand exponentially."""
    lol = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    sheet = (
        lol
        + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    )
    return _rewrite(_small_xlsx(), {"xl/worksheets/sheet1.xml": sheet})


def docx_bomb() -> bytes:
    base = io.BytesIO()
    with zipfile.ZipFile(base, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return _rewrite(base.getvalue(), {"word/media/image1.png": _repeat(b"", b"\0", 60 * MB, b"")})


XLSX_BOMBS = {
    "shared_string": (shared_string_bomb, "个字符"),
    "declared_size": (declared_size_bomb, "解压后"),
    "many_parts": (many_parts_bomb, "合计"),
    "lying_size": (lying_size_bomb, "无法读取该文件"),
    "sparse_sheet": (sparse_sheet, "超过上限"),
    "many_rows": (many_rows_sheet, "超过上限"),
    "entity_bomb": (entity_bomb, "文档类型定义"),
}


@pytest.fixture(scope="module")
def bombs():
    return {name: (build(), fragment) for name, (build, fragment) in XLSX_BOMBS.items()}


# --- the check itself: constant memory, quick, Chinese --------------------------------------------------------


@pytest.mark.parametrize("name", list(XLSX_BOMBS))
def test_every_zip_bomb_shape_is_refused_in_chinese_in_bounded_memory_and_time(bombs, name):
    content, fragment = bombs[name]
    assert len(content) < uploads.max_bytes()  # only the compressed size was limited before
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(uploads.UploadRefused) as refused:
            uploads.content_check(content, kinds=(uploads.XLSX,), name="填报.xlsx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert fragment in refused.value.message, refused.value.message
    assert not refused.value.message.isascii()
    assert peak < 16 * MB, f"{name}: peak {peak / MB:.1f} MB"
    assert time.perf_counter() - started < 20


def test_a_docx_attachment_bomb_is_refused():
    with pytest.raises(uploads.UploadRefused, match="解压后"):
        uploads.check_upload("申报书.docx", docx_bomb())


def test_an_ordinary_workbook_passes_the_expansion_check():
    assert uploads.content_check(_small_xlsx(), kinds=(uploads.XLSX,)) == uploads.XLSX


def test_the_expansion_limits_are_settings(settings):
    settings.COUNTY_INNOVATION_UPLOAD_MAX_ROWS = 1
    with pytest.raises(uploads.UploadRefused, match="超过上限 1 行"):
        uploads.content_check(_small_xlsx(), kinds=(uploads.XLSX,))


# --- text files: encodings, control characters, huge cells, nesting -------------------------------------------

CSV_HEADER = "区划代码,指标代码,数值,说明\n"


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        pytest.param(bytes(range(128, 256)) * 40, "", id="not_text"),
        pytest.param((CSV_HEADER + "360121,x,1\n").encode("utf-16"), "", id="utf16"),
        pytest.param((CSV_HEADER + "360121,x," + "9" * 200_000 + "\n").encode(), "单元格", id="huge_cell"),
        pytest.param(
            CSV_HEADER.encode() + b"360121,x,1\n" * 1000 + b"360121,\x00x,1\n", "空字符", id="nul_late"
        ),
        pytest.param(b"[" * 200_000 + b"]" * 200_000, "嵌套", id="json_deep"),
        pytest.param(
            b'{"values": [{"region": "360121", "indicator": "x", "value": 1' + b"0" * 5000 + b"}]}",
            "位数过多",
            id="json_digits",
        ),
    ],
)
def test_hostile_text_files_are_refused_in_chinese(content, fragment):
    from county_innovation.collection.import_files import file_read

    with pytest.raises(DomainError) as refused:
        file_read(content, name="填报.csv")
    assert fragment in refused.value.message and not refused.value.message.isascii(), refused.value.message


def test_control_characters_in_a_csv_reach_the_checks_as_text():
    from county_innovation.collection.import_files import file_read

    read = file_read((CSV_HEADER + "360121\x07,x\x1b[31m,1,说明\x08\n").encode(), name="填报.csv")
    assert read.entries[0].region == "360121\x07"


# --- every upload form and import endpoint -------------------------------------------------------------------


def _renamed_files():
    return {
        "pdf_as_xlsx": ("填报.xlsx", PDF),
        "xls_as_xlsx": ("填报.xlsx", uploads.OLE2_MAGIC + b"\0" * 600),
        "gzip_as_xlsx": ("填报.xlsx", b"\x1f\x8b\x08" + b"\0" * 100),
    }


def _hostile_uploads(bombs):
    files = {name: ("填报.xlsx", content) for name, (content, _) in bombs.items()}
    files.update(_renamed_files())
    return files


def _refused_in_chinese(response, *, stored_before: int, stored_after: int) -> None:
    assert response.status_code < 500, response.content[:300]
    assert stored_after == stored_before
    if response.headers.get("Content-Type", "").startswith("application/json"):
        detail = response.json()["detail"]
        assert not detail.isascii(), detail
    else:
        page = response.content.decode()
        words = (
            "无法读取",
            "超过",
            "不是",
            "上传的是",
            "文档类型定义",
            "旧版",
            "不被接受",
            "空字符",
            "无法识别",
        )
        assert any(word in page for word in words), page[:2000]


@pytest.mark.django_db
def test_the_data_import_page_refuses_every_hostile_file(demo, client_for, bombs):
    from county_innovation.indicators.models import DataValue

    client = client_for("county")
    texts = {
        "utf16": ("填报.csv", (CSV_HEADER + "360121,rd_expenditure,1\n").encode("utf-16")),
        "not_text": ("填报.csv", bytes(range(128, 256)) * 40),
        "huge_cell": ("填报.csv", (CSV_HEADER + "360121,rd_expenditure," + "9" * 200_000 + "\n").encode()),
        "nul_late": ("填报.csv", CSV_HEADER.encode() + b"360121,x,1\n" * 1000 + b"360121,\x00x,1\n"),
        "gbk_garbage": ("填报.csv", CSV_HEADER.encode("gbk") + b"\x81\x20\xff\xfe" * 50),
    }
    for filename, content in (_hostile_uploads(bombs) | texts).values():
        before = DataValue.objects.count()
        response = client.post(
            reverse("collection:import", args=["county", 2025]),
            {"file": SimpleUploadedFile(filename, content), "dry_run": "on"},
        )
        _refused_in_chinese(response, stored_before=before, stored_after=DataValue.objects.count())


@pytest.mark.django_db
def test_the_enterprise_import_page_refuses_every_hostile_file(demo, client_for, bombs):
    from county_innovation.enterprises.models import Enterprise

    client = client_for("city_admin")
    for filename, content in _hostile_uploads(bombs).values():
        before = Enterprise.objects.count()
        response = client.post(reverse("enterprises:import"), {"file": SimpleUploadedFile(filename, content)})
        _refused_in_chinese(response, stored_before=before, stored_after=Enterprise.objects.count())


@pytest.mark.django_db
def test_designation_material_uploads_refuse_every_hostile_file(demo, users, client, bombs):
    from county_innovation.designation.models import Material
    from county_innovation.designation.tests.factory import applied

    designation = applied(users["county"])
    client.force_login(users["county"])
    files = _hostile_uploads(bombs) | {"docx_bomb": ("申报书.docx", docx_bomb())}
    for name, (filename, content) in files.items():
        before = Material.objects.count()
        page = client.post(
            reverse("designation:material_upload", args=[designation.pk]),
            {"title": "申报书", "file": SimpleUploadedFile(filename, content)},
            follow=True,
        )
        _refused_in_chinese(page, stored_before=before, stored_after=Material.objects.count())
        api = client.post(
            f"/api/designations/{designation.pk}/materials",
            {"title": "申报书", "filename": filename, "content_base64": base64.b64encode(content).decode()},
            content_type="application/json",
        )
        assert api.status_code == 400, (name, api.content[:300])
        _refused_in_chinese(api, stored_before=before, stored_after=Material.objects.count())


@pytest.mark.django_db
def test_task_report_attachments_refuse_every_hostile_file(demo, users, client, bombs):
    from county_innovation.supervision.models import TaskItem, TaskReport

    item = TaskItem.objects.get(parent=None, number="三（七）")
    client.force_login(users["county"])
    for name, (filename, content) in _hostile_uploads(bombs).items():
        before = TaskReport.objects.count()
        page = client.post(
            reverse("supervision:report", args=[item.pk]),
            {"percent": "35", "text": "进展", "files": SimpleUploadedFile(filename, content)},
            follow=True,
        )
        _refused_in_chinese(page, stored_before=before, stored_after=TaskReport.objects.count())
        api = client.post(
            f"/api/tasks/{item.pk}/reports",
            {
                "percent": 35,
                "text": "进展",
                "attachments": [{"filename": filename, "content_base64": base64.b64encode(content).decode()}],
            },
            content_type="application/json",
        )
        assert api.status_code == 400, (name, api.content[:300])
        _refused_in_chinese(api, stored_before=before, stored_after=TaskReport.objects.count())


# --- numbers at every entry path ------------------------------------------------------------------------------

HUGE_TEXT = ["1e1000000", "-1e1000000", "9" * 100_000, "NaN", "Infinity", "-inf", "1e999999999999999999"]


@pytest.mark.django_db
@pytest.mark.parametrize("dry_run", [True, False])
def test_the_import_api_refuses_huge_numbers_in_chinese(demo, client_for, dry_run):
    client = client_for("county")
    for raw in HUGE_TEXT:
        response = client.post(
            "/api/data/import",
            {
                "framework": "county",
                "period": 2025,
                "dry_run": dry_run,
                "values": [{"region": "360121", "indicator": "rd_expenditure", "value": raw}],
            },
            content_type="application/json",
        )
        assert response.status_code == 400, (raw[:20], response.content[:300])
        assert not response.json()["problems"][0].isascii()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        '{"framework": "county", "values": {"outreach_funding": 1e1000000}}',
        '{"framework": "county", "values": {"outreach_funding": NaN}}',
        '{"framework": "county", "values": {"outreach_funding": -Infinity}}',
        '{"framework": "county", "values": {"outreach_funding": 1' + "0" * 5000 + "}}",
        '{"framework": "county", "values": {"outreach_funding": "1e1000000"}}',
    ],
    ids=["exponent", "nan", "infinity", "5000_digits", "exponent_text"],
)
def test_putting_a_huge_number_is_a_chinese_400(demo, client_for, body):
    import json

    from county_innovation.accounts.tests.api_sample import submission_versions

    # the client read the versions first (GET /api/data/…), as a PUT without them is refused before any value
    versions = json.dumps(submission_versions("360121", 2025))
    body = body[:-1] + f', "submission_versions": {versions}}}'
    response = client_for("county").put("/api/data/360121/2025", body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    answer = response.json()
    assert not answer["detail"].isascii(), answer
    assert all(not p.isascii() for p in answer.get("problems", []))


@pytest.mark.django_db
def test_the_entry_grid_refuses_a_huge_number_in_chinese(demo, client_for):
    client = client_for("county")
    url = reverse("collection:grid", args=["360121", 2025]) + "?framework=county"
    for raw in ("1e1000000", "9" * 100_000, "NaN"):
        response = client.post(url, {"v_outreach_funding": raw})
        assert response.status_code < 500
        assert "应为" in response.content.decode() or "过大" in response.content.decode()


@pytest.mark.django_db
def test_an_xlsx_import_with_a_huge_number_and_a_formula_is_refused_in_chinese(demo, client_for):
    from openpyxl import load_workbook

    from county_innovation.collection.excel import FIRST_DATA_ROW, FIRST_VALUE_COLUMN

    client = client_for("county")
    template = client.get(reverse("collection:template", args=["county", 2025]))
    book = load_workbook(io.BytesIO(template.content))
    ws = book.active
    ws.cell(FIRST_DATA_ROW, FIRST_VALUE_COLUMN).value = "1e1000000"
    ws.cell(FIRST_DATA_ROW + 1, FIRST_VALUE_COLUMN).value = "=1+1"
    ws.cell(FIRST_DATA_ROW + 1, FIRST_VALUE_COLUMN).data_type = "s"
    ws.cell(FIRST_DATA_ROW + 2, FIRST_VALUE_COLUMN).value = "9" * 100_000
    out = io.BytesIO()
    book.save(out)
    response = client.post(
        reverse("collection:import", args=["county", 2025]),
        {"file": SimpleUploadedFile("填报.xlsx", out.getvalue()), "dry_run": "on"},
        follow=True,
    )
    assert response.status_code < 500
    assert "应为" in response.content.decode() or "超出" in response.content.decode()


# --- query parameters and bodies ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/data/?framework=county&offset=" + "9" * 20,
        "/api/data/?framework=county&limit=" + "9" * 20,
        "/api/data/?framework=county&period=" + "9" * 20,
        "/api/data/?framework=county&version=" + "9" * 20,
        "/api/regions/?offset=" + "9" * 20,
        "/api/evaluations/?period=" + "9" * 20,
        "/api/evaluations/" + "9" * 20,
        "/api/designations/" + "9" * 20,
        "/api/tasks/" + "9" * 20,
    ],
)
def test_numeric_query_and_path_parameters_are_bounded(demo, client_for, url):
    response = client_for("city_admin").get(url)
    assert response.status_code in (400, 404, 422), (response.status_code, response.content[:300])
    answer = response.json()
    assert not answer["detail"].isascii(), answer
    assert all(not p.isascii() for p in answer.get("problems", []))


@pytest.mark.django_db
def test_malformed_json_is_a_chinese_400(client_for, users):
    response = client_for("county").post("/api/data/import", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON 格式错误" in response.json()["detail"]


@pytest.mark.django_db
def test_a_json_body_up_to_the_upload_limit_is_read_and_one_over_it_is_a_chinese_413(
    settings, client_for, users
):
    client = client_for("county")
    filler = "x" * (12 * MB)  # between Django's old 10 MB and the documented 20 MB
    body = json.dumps({"framework": "county", "period": 2025, "dry_run": True, "values": [], "pad": filler})
    response = client.post("/api/data/import", body, content_type="application/json")
    assert response.status_code != 400 or "Bad Request" not in response.content.decode()
    assert response.status_code < 500
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1 * MB
    response = client.post("/api/data/import", body, content_type="application/json")
    assert response.status_code == 413 and not response.json()["detail"].isascii()


@pytest.mark.django_db
def test_a_failed_csrf_check_is_explained_in_chinese(users):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(users["county"])
    page = client.post(reverse("accounts:logout"))
    assert page.status_code == 403 and "安全校验未通过" in page.content.decode()
    api = client.post("/api/data/import", "{}", content_type="application/json")
    assert api.status_code == 403 and not api.json()["detail"].isascii()


def test_every_password_rule_speaks_chinese(db):
    from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        validate_password("1234")
    assert refused.value.messages and all(not m.isascii() for m in refused.value.messages)
    assert "至少需要 8 个字符" in refused.value.messages[0]
    assert all(not text.isascii() for text in password_validators_help_texts())


@pytest.mark.django_db
def test_a_form_with_too_many_fields_gets_a_chinese_400_page(client_for, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    response = client_for("county").post(reverse("accounts:logout"), {f"f{i}": "x" for i in range(20)})
    assert response.status_code == 400
    assert "请求无法处理" in response.content.decode()
    assert "Bad Request" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes",
    [
        {"total_revenue": "1e1000000"},
        {"total_revenue": "9" * 100_000},
        {"employees": "1e1000000"},
        {"sales_revenue": ["1e999999", "1e999999", "1e999999"]},
        {"rd_expense": [10**400, 1, 1]},
        {"total_assets": "NaN"},
    ],
    ids=["exponent", "million_digits", "count_exponent", "huge_finite", "huge_int", "nan"],
)
def test_the_eligibility_api_refuses_huge_figures_in_chinese(client_for, changes):
    from county_innovation.engine.eligibility.tests.factory import payload

    body = json.dumps(payload(**changes))
    response = client_for("enterprise").post("/api/eligibility", data=body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert all(not p.isascii() for p in response.json()["problems"])
