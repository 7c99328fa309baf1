"""Charts for the printed documents, drawn on the server with matplotlib (Agg) in a CJK font.

Offices print in black and white, so no chart relies on colour: series differ by hatching, marker and line
style, in shades of grey that stay apart when photocopied.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from django.conf import settings
from matplotlib import font_manager

from county_innovation.common.errors import DomainError

log = logging.getLogger(__name__)

# Debian's fonts-noto-cjk; the first one installed is used. Without any, Chinese labels would be boxes.
CJK_FONT_NAMES = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Noto Sans CJK JP", "WenQuanYi Zen Hei")
HATCHES = ("", "///", "...", "xxx", "\\\\\\", "ooo", "---", "+++")
GREYS = ("#303030", "#f0f0f0", "#a0a0a0", "#ffffff", "#606060", "#d0d0d0", "#808080", "#e0e0e0")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "h", "<")
LINESTYLES = ("-", "--", "-.", ":")
WIDTH_INCHES = 6.1  # the type area of an A4 page with GB/T 9704 margins is 156 mm wide
DPI = 200


NO_FONT_MESSAGE = (
    "未找到中文字体，无法绘制通报与档案中的图表：请安装 Debian 软件包 fonts-noto-cjk（make system-deps），"
    "或在环境变量 REPORT_FONT_DIRS 中指定中文字体所在目录；安装后无需重启，再次生成即可。"
)


def _installed_cjk_name() -> str | None:
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONT_NAMES if name in installed), None)


@lru_cache(maxsize=1)
def cjk_font_name() -> str:
    """The family name of an installed CJK font that matplotlib can use.

    matplotlib keeps its list of fonts in a cache file written the first time it runs; a font installed later
    (``apt install fonts-noto-cjk`` after the first chart) is not in it. When no CJK font is in that list, the
    font files are looked up the way the system finds them (:func:`cjk_font_files`), added to matplotlib's font
    list and the cache file rewritten, so later processes see them too. Raises DomainError (Chinese) when there
    is no CJK font at all; a failure is not remembered, so installing the font mends the next document.
    """
    name = _installed_cjk_name()
    if name is not None:
        return name
    known = {f.fname for f in font_manager.fontManager.ttflist}
    added = 0
    for path in cjk_font_files():
        if str(path) in known:
            continue
        try:
            font_manager.fontManager.addfont(str(path))
        except (OSError, RuntimeError, ValueError):  # an unreadable or non-font file in a font directory
            log.warning("Font file %s could not be read", path)
            continue
        added += 1
    name = _installed_cjk_name()
    if name is None:
        raise DomainError(NO_FONT_MESSAGE)
    if added:
        font_manager.json_dump(font_manager.fontManager, _font_cache_path())
        log.info("Added %d CJK font file(s) to matplotlib's font cache %s", added, _font_cache_path())
    return name


def _font_cache_path() -> Path:
    return Path(matplotlib.get_cachedir(), f"fontlist-v{font_manager.FontManager.__version__}.json")


# Where Debian's CJK font packages put their files (fonts-noto-cjk, fonts-wqy-zenhei), besides fontconfig.
KNOWN_FONT_DIRS = (
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/truetype/noto",
    "/usr/share/fonts/truetype/wqy",
)
FONT_SUFFIXES = {".ttc", ".otf", ".ttf"}


def font_dirs() -> list[Path]:
    """Extra font directories from REPORT_FONT_DIRS (setting or environment, os.pathsep-separated), then the
    known Debian directories."""
    configured = getattr(settings, "REPORT_FONT_DIRS", None) or os.environ.get("REPORT_FONT_DIRS", "")
    if isinstance(configured, str):
        configured = [d for d in configured.split(os.pathsep) if d]
    return [Path(d) for d in (*configured, *KNOWN_FONT_DIRS)]


def cjk_font_files() -> list[Path]:
    """CJK font files as the system finds them: fontconfig's list for Chinese (``fc-list :lang=zh``), then the
    files of :func:`font_dirs` whose name says CJK (Noto … CJK, WenQuanYi)."""
    found: list[Path] = []
    fc_list = shutil.which("fc-list")
    if fc_list:
        try:
            listed = subprocess.run(
                [fc_list, ":lang=zh", "--format", "%{file}\\n"],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            ).stdout
        except (OSError, subprocess.TimeoutExpired):
            listed = ""
        found += [Path(line) for line in listed.splitlines() if line.strip()]
    for directory in font_dirs():
        if directory.is_dir():
            found += sorted(
                p
                for p in directory.rglob("*")
                if p.suffix.lower() in FONT_SUFFIXES and ("CJK" in p.name or "wqy" in p.name.lower())
            )
    unique: dict[str, Path] = {}
    for path in found:
        if path.suffix.lower() in FONT_SUFFIXES and path.is_file():
            unique.setdefault(str(path), path)
    return list(unique.values())


def _style() -> dict:
    return {
        "font.family": [cjk_font_name()],
        "axes.unicode_minus": False,
        "font.size": 9,
        "axes.edgecolor": "#000000",
        "hatch.linewidth": 0.6,
    }


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def stacked_index_chart(
    *, title: str, units: list[str], parts: list[list[float | None]], part_names: list[str]
) -> bytes:
    """Horizontal bars of the index, best on top, one hatched segment per dimension contribution.

    ``parts[j][i]`` is dimension j's contribution to unit i's index.
    """
    with plt.rc_context(_style()):
        height = max(2.2, 0.32 * len(units) + 1.2)
        fig, ax = plt.subplots(figsize=(WIDTH_INCHES, height))
        y = list(range(len(units)))[::-1]
        left = [0.0] * len(units)
        for j, (name, values) in enumerate(zip(part_names, parts, strict=True)):
            widths = [v or 0.0 for v in values]
            ax.barh(
                y,
                widths,
                left=left,
                color=GREYS[j % len(GREYS)],
                hatch=HATCHES[j % len(HATCHES)],
                edgecolor="#000000",
                linewidth=0.5,
                label=name,
            )
            left = [a + b for a, b in zip(left, widths, strict=True)]
        for yi, total in zip(y, left, strict=True):
            ax.text(total + max(left, default=1) * 0.01, yi, f"{total:.2f}", va="center", fontsize=8)
        ax.set_yticks(y, units)
        ax.set_xlabel("综合指数（各段为维度贡献）")
        ax.set_xlim(0, max(left, default=1) * 1.12 or 1)
        ax.set_title(title, fontsize=10)
        ax.legend(loc="lower right", fontsize=8, frameon=True, edgecolor="#000000")
        ax.spines[["top", "right"]].set_visible(False)
        return _png(fig)


def trend_chart(
    *, title: str, periods: list[int], series: dict[str, list[float | None]], highlight: str | None = None
) -> bytes:
    """The index over the published periods, one line per unit, told apart by marker and line style."""
    with plt.rc_context(_style()):
        fig, ax = plt.subplots(figsize=(WIDTH_INCHES, 3.2))
        x = [str(p) for p in periods]
        for i, (name, values) in enumerate(series.items()):
            points = [(px, v) for px, v in zip(x, values, strict=True) if v is not None]
            if not points:
                continue
            bold = name == highlight
            ax.plot(
                [p for p, _ in points],
                [v for _, v in points],
                color="#000000" if bold or i % 2 == 0 else "#707070",
                linestyle=LINESTYLES[(i // len(MARKERS)) % len(LINESTYLES)] if not bold else "-",
                marker=MARKERS[i % len(MARKERS)],
                markerfacecolor="#ffffff" if i % 2 else "#000000",
                linewidth=2.0 if bold else 1.0,
                markersize=5,
                label=name,
            )
        ax.set_xlabel("年度")
        ax.set_ylabel("综合指数")
        ax.set_title(title, fontsize=10)
        ax.grid(axis="y", color="#c0c0c0", linewidth=0.5)
        ax.legend(
            fontsize=7, ncol=min(5, max(1, len(series))), loc="upper center", bbox_to_anchor=(0.5, -0.18)
        )
        ax.spines[["top", "right"]].set_visible(False)
        return _png(fig)


def radar_chart(
    *, title: str, axes: list[str], series: dict[str, list[float | None]], maximum: float
) -> bytes:
    """Dimension scores of a unit against the city average: solid line and dots, dashed line and squares."""
    import math

    with plt.rc_context(_style()):
        fig = plt.figure(figsize=(4.2, 4.2))
        ax = fig.add_subplot(projection="polar")
        angles = [2 * math.pi * i / len(axes) for i in range(len(axes))]
        closed = [*angles, angles[0]]
        for i, (name, values) in enumerate(series.items()):
            data = [v or 0.0 for v in values]
            ax.plot(
                closed,
                [*data, data[0]],
                color="#000000" if i == 0 else "#606060",
                linestyle="-" if i == 0 else "--",
                marker="o" if i == 0 else "s",
                markerfacecolor="#000000" if i == 0 else "#ffffff",
                linewidth=1.6 if i == 0 else 1.0,
                label=name,
            )
            if i == 0:
                ax.fill(closed, [*data, data[0]], color="#000000", alpha=0.08)
        ax.set_xticks(angles, axes)
        ax.set_ylim(0, maximum)
        ax.tick_params(axis="y", labelsize=7)
        ax.set_title(title, fontsize=10, pad=18)
        ax.legend(fontsize=8, loc="upper right", bbox_to_anchor=(1.25, 1.12))
        return _png(fig)
