"""PDF from the Word document through LibreOffice (Debian's libreoffice-writer-nogui), headless.

Converting the .docx rather than rendering HTML keeps one layout: the PDF is the Word file as printed.
Each process uses its own LibreOffice profile directory, so several workers may convert at once.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from county_innovation.common.errors import DomainError

SOFFICE_NAMES = ("soffice", "libreoffice")
TIMEOUT_SECONDS = 120
# Maps the official fonts (仿宋_GB2312, 方正小标宋简体 …) onto the installed Noto CJK SC faces.
FONTCONFIG_FILE = Path(__file__).parent / "fontconfig" / "fonts.conf"


def soffice_path() -> str | None:
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


@functools.cache
def _profile_dir() -> Path:
    """This process's LibreOffice profile (made on the first conversion, reused after, removed at exit)."""
    path = Path(tempfile.gettempdir()) / f"county-innovation-lo-{os.getuid()}-{os.getpid()}"
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def docx_to_pdf(docx: bytes) -> bytes:
    """Convert .docx bytes to PDF bytes; raise DomainError in Chinese when LibreOffice is missing or fails."""
    soffice = soffice_path()
    if soffice is None:
        raise DomainError(
            "服务器未安装 LibreOffice，无法生成 PDF：请运行 make system-deps（Debian 软件包 libreoffice-writer-nogui）。"
        )
    with tempfile.TemporaryDirectory(prefix="ci-report-") as work:
        source = Path(work) / "document.docx"
        source.write_bytes(docx)
        command = [
            soffice,
            f"-env:UserInstallation={_profile_dir().as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            work,
            str(source),
        ]
        try:
            completed = subprocess.run(
                command,
                capture_output=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
                env={**os.environ, "HOME": work, "FONTCONFIG_FILE": str(FONTCONFIG_FILE)},
            )
        except subprocess.TimeoutExpired:
            raise DomainError(f"LibreOffice 转换 PDF 超过 {TIMEOUT_SECONDS} 秒未完成，请稍后重试。") from None
        target = source.with_suffix(".pdf")
        if completed.returncode != 0 or not target.exists():
            detail = (completed.stderr or completed.stdout).decode(errors="replace").strip()[-300:]
            raise DomainError(f"LibreOffice 转换 PDF 失败：{detail or '未生成文件'}。")
        return target.read_bytes()
