"""An official document (公文) page in Word, laid out after GB/T 9704-2012《党政机关公文格式》.

A4; type area 156 mm × 225 mm (margins: top 37 mm, bottom 35 mm, left 28 mm, right 26 mm); body 3号 (16 pt)
仿宋_GB2312 on a grid of 22 lines (line pitch 28.95 pt); title 2号 (22 pt) 方正小标宋简体; headings numbered
一、（一）1.（1）in 黑体, 楷体_GB2312, 仿宋_GB2312; the page number 4号 (14 pt) as「— 1 —」at the foot.
Offices without those fonts get the CJK fonts Debian installs (fonts-noto-cjk), which the document names as
each font's alternative (``w:altName`` in the font table); LibreOffice and fontconfig fall back the same way.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

# GB/T 9704-2012 7.1, 7.2: page and type area.
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGIN_TOP_MM, MARGIN_BOTTOM_MM, MARGIN_LEFT_MM, MARGIN_RIGHT_MM = 37, 35, 28, 26
LINES_PER_PAGE = 22  # 7.2: 22 lines of 28 characters
LINE_PITCH_PT = 28.95  # 225 mm / 22 lines, as Word's「固定值 28.95 磅」
# Chinese type sizes (字号) in points.
SIZE_2 = Pt(22)  # 二号: the title
SIZE_3 = Pt(16)  # 三号: body and headings
SIZE_4 = Pt(14)  # 四号: page numbers
SIZE_5 = Pt(10.5)  # 五号: tables
SIZE_SMALL_5 = Pt(9)  # 小五: chart notes, header and footer marks

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
# The installed CJK fonts each official font falls back to (Debian fonts-noto-cjk).
FALLBACK_SERIF = "Noto Serif CJK SC"
FALLBACK_SANS = "Noto Sans CJK SC"
FONT_FALLBACKS = {
    TITLE_FONT: FALLBACK_SERIF,
    BODY_FONT: FALLBACK_SERIF,
    HEADING1_FONT: FALLBACK_SANS,
    HEADING2_FONT: FALLBACK_SERIF,
    PAGE_NUMBER_FONT: FALLBACK_SERIF,
}

DEMO_MARK = "演示数据，非真实统计"
CHINESE_NUMERALS = "零一二三四五六七八九十"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五 (enough for headings)."""
    if n <= 10:
        return CHINESE_NUMERALS[n]
    tens, ones = divmod(n, 10)
    return (CHINESE_NUMERALS[tens] if tens > 1 else "") + "十" + (CHINESE_NUMERALS[ones] if ones else "")


@dataclass
class Numbering:
    """The four heading levels of GB/T 9704 7.3.3: 一、 （一） 1. （1）; a level restarts under its parent."""

    counters: list[int] = field(default_factory=lambda: [0, 0, 0, 0])

    def next(self, level: int) -> str:
        self.counters[level - 1] += 1
        for deeper in range(level, 4):
            self.counters[deeper] = 0
        n = self.counters[level - 1]
        return (f"{chinese_number(n)}、", f"（{chinese_number(n)}）", f"{n}.", f"（{n}）")[level - 1]


def set_run_font(run, east_asian: str, size: Pt | None = None, bold: bool | None = None) -> None:
    """Name the East Asian font in w:rFonts/@w:eastAsia (python-docx's font.name sets only the Latin ones)."""
    run.font.name = LATIN_FONT
    r_fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    r_fonts.set(qn("w:eastAsia"), east_asian)
    if size is not None:
        run.font.size = size
    if bold is not None:
        run.font.bold = bold


def _style_font(style, east_asian: str, size: Pt) -> None:
    style.font.name = LATIN_FONT
    style.font.size = size
    r_pr = style.element.get_or_add_rPr()
    r_pr.get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)


def _font_table_fallbacks(document) -> None:
    """Add the official fonts to the font table, each naming its installed alternative (w:altName)."""
    part = next(r.target_part for r in document.part.rels.values() if r.reltype == RT.FONT_TABLE)
    root = etree.fromstring(part.blob)
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    for name, alternative in FONT_FALLBACKS.items():
        font = etree.SubElement(root, f"{{{w}}}font", {f"{{{w}}}name": name})
        etree.SubElement(font, f"{{{w}}}altName", {f"{{{w}}}val": alternative})
        etree.SubElement(font, f"{{{w}}}charset", {f"{{{w}}}val": "86"})  # GB2312
        etree.SubElement(font, f"{{{w}}}family", {f"{{{w}}}val": "modern" if "黑" in name else "roman"})
    for alternative in sorted(set(FONT_FALLBACKS.values())):
        font = etree.SubElement(root, f"{{{w}}}font", {f"{{{w}}}name": alternative})
        etree.SubElement(font, f"{{{w}}}charset", {f"{{{w}}}val": "86"})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _field(paragraph, instruction: str, placeholder: str = "1") -> None:
    """A Word field (PAGE, NUMPAGES…) as begin / instruction / separate / result / end runs."""

    def char(kind: str):
        run = paragraph.add_run()
        set_run_font(run, PAGE_NUMBER_FONT, SIZE_4)
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        run._element.append(el)

    char("begin")
    run = paragraph.add_run()
    set_run_font(run, PAGE_NUMBER_FONT, SIZE_4)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._element.append(instr)
    char("separate")
    result = paragraph.add_run(placeholder)
    set_run_font(result, PAGE_NUMBER_FONT, SIZE_4)
    char("end")


def _line_grid(section) -> None:
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE_PITCH_PT * 20)))


def _header_footer(document, section, demo: bool, footer_note: str) -> None:
    """GB/T 9704 7.5: the page number "— 1 —" in 4号 type, on odd pages at the right and on even pages at the left,
    each one character in from the edge of the text block; the demo mark in the header and footer of both."""
    document.settings.odd_and_even_pages_header_footer = True
    for header, footer, side in (
        (section.header, section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_header, section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        top = header.paragraphs[0]
        top.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if demo:
            set_run_font(top.add_run(DEMO_MARK), HEADING1_FONT, SIZE_SMALL_5, bold=True)
        number = footer.paragraphs[0]
        number.alignment = side
        number.paragraph_format.first_line_indent = Pt(0)
        if side == WD_ALIGN_PARAGRAPH.RIGHT:
            number.paragraph_format.right_indent = SIZE_4  # one character (of the page number's size) in
        else:
            number.paragraph_format.left_indent = SIZE_4
        set_run_font(number.add_run("— "), PAGE_NUMBER_FONT, SIZE_4)
        _field(number, "PAGE")
        set_run_font(number.add_run(" —"), PAGE_NUMBER_FONT, SIZE_4)
        note = " · ".join(x for x in (DEMO_MARK if demo else "", footer_note) if x)
        if note:
            p = footer.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            set_run_font(p.add_run(note), BODY_FONT, SIZE_SMALL_5)


def _off_grid(paragraph) -> None:
    """Table cells and pictures keep their own line height instead of snapping to the 22-line body grid."""
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    paragraph._p.get_or_add_pPr().insert(0, snap)


def _chinese_language(style) -> None:
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "zh-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")
    style.element.get_or_add_rPr().append(lang)


class OfficialDocument:
    """A Word document with the GB/T 9704 page, styles, numbering and the demo mark on every page."""

    def __init__(self, *, demo: bool, footer_note: str = "", landscape: bool = False) -> None:
        self.doc = Document()
        self.demo = demo
        self.numbering = Numbering()
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = Mm(PAGE_HEIGHT_MM), Mm(PAGE_WIDTH_MM)
        section.top_margin, section.bottom_margin = Mm(MARGIN_TOP_MM), Mm(MARGIN_BOTTOM_MM)
        section.left_margin, section.right_margin = Mm(MARGIN_LEFT_MM), Mm(MARGIN_RIGHT_MM)
        section.header_distance, section.footer_distance = Mm(15), Mm(18)
        _line_grid(section)
        normal = self.doc.styles["Normal"]
        _style_font(normal, BODY_FONT, SIZE_3)
        fmt = normal.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(LINE_PITCH_PT)
        fmt.space_before = fmt.space_after = Pt(0)
        _chinese_language(normal)
        for name in ("Header", "Footer"):
            style = self.doc.styles[name]
            _style_font(style, BODY_FONT, SIZE_SMALL_5)
            style.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        _font_table_fallbacks(self.doc)
        _header_footer(self.doc, section, demo, footer_note)
        self.doc.core_properties.language = "zh-CN"

    # --- blocks ---------------------------------------------------------------------------------------------

    def title(self, text: str, subtitle: str = "") -> None:
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.line_spacing = Pt(36)
        set_run_font(p.add_run(text), TITLE_FONT, SIZE_2)
        if subtitle:
            s = self.doc.add_paragraph()
            s.alignment = WD_ALIGN_PARAGRAPH.CENTER
            set_run_font(s.add_run(subtitle), HEADING2_FONT, SIZE_3)
        self.doc.add_paragraph()  # GB/T 9704 7.3.3: one blank line between title and body

    def heading(self, level: int, text: str) -> str:
        """A numbered heading; returns its number (一、 …). Levels 1–2 stand alone, as GB/T 9704 shows them."""
        number = self.numbering.next(level)
        p = self.doc.add_paragraph()
        p.paragraph_format.first_line_indent = Pt(32)
        p.paragraph_format.keep_with_next = True
        font = {1: HEADING1_FONT, 2: HEADING2_FONT}.get(level, BODY_FONT)
        set_run_font(p.add_run(number + text), font, SIZE_3, bold=level >= 3 or None)
        return number

    def paragraph(self, text: str, *, indent: bool = True, align_right: bool = False) -> None:
        p = self.doc.add_paragraph()
        if indent:
            p.paragraph_format.first_line_indent = Pt(32)  # two characters of 3号
        if align_right:
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        set_run_font(p.add_run(text), BODY_FONT, SIZE_3)

    def note(self, text: str) -> None:
        p = self.doc.add_paragraph()
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        _off_grid(p)
        set_run_font(p.add_run(text), BODY_FONT, SIZE_SMALL_5)

    def caption(self, text: str) -> None:
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.keep_with_next = True
        set_run_font(p.add_run(text), HEADING1_FONT, Pt(12))

    def picture(self, png: bytes, width_mm: float = 150) -> None:
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        _off_grid(p)
        p.add_run().add_picture(io.BytesIO(png), width=Mm(width_mm))

    def table(
        self, header: list[str], rows: list[list[str]], *, widths_mm: list[float] | None = None
    ) -> None:
        """A bordered table in 五号 仿宋; the header row repeats on every page it spans."""
        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        self._row(table.rows[0], header, bold=True)
        tr_pr = table.rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        tr_pr.append(repeat)
        for values in rows:
            self._row(table.add_row(), values)
        if widths_mm:
            for row in table.rows:
                for cell, width in zip(row.cells, widths_mm, strict=False):
                    cell.width = Mm(width)
        self.doc.add_paragraph()

    @staticmethod
    def _row(row, values: list[str], bold: bool = False) -> None:
        for cell, value in zip(row.cells, values, strict=True):
            p = cell.paragraphs[0]
            _off_grid(p)
            p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
            p.paragraph_format.first_line_indent = Pt(0)
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            set_run_font(p.add_run(value), HEADING1_FONT if bold else BODY_FONT, SIZE_5, bold=bold or None)

    def page_break(self) -> None:
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def annex(self, number: int, title: str) -> None:
        """An annex on a new page:「附件1」in 黑体 at the top left, its title centred (GB/T 9704 8.1)."""
        self.page_break()
        p = self.doc.add_paragraph()
        set_run_font(p.add_run(f"附件{number}"), HEADING1_FONT, SIZE_3)
        t = self.doc.add_paragraph()
        t.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_run_font(t.add_run(title), TITLE_FONT, SIZE_2)
        self.doc.add_paragraph()
        self.numbering = Numbering()

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()
