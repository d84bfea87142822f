"""Word documents laid out like a government document (公文): the 工作总结 and the 打擂 通报.

A4, 2.54/2.8 cm margins, the title centred in a 小标宋-style heading font, body in 仿宋 三号 with a
two-character first-line indent and fixed 28-point line spacing, page numbers in the footer.
Font names carry fallbacks because the office's machines differ (WPS, Office, fonts missing).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

BODY_FONT = "仿宋_GB2312"
BODY_FALLBACK = "仿宋"
TITLE_FONT = "方正小标宋简体"
TITLE_FALLBACK = "黑体"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"
BODY_SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(22)  # 二号


@dataclass(frozen=True)
class Block:
    """One paragraph of a document: kind is 'title', 'subtitle', 'heading', 'body' or 'note'."""

    kind: str
    text: str


def _set_fonts(run, east_asian: str, fallback: str, size: Pt, bold: bool = False) -> None:
    run.font.size = size
    run.font.bold = bold
    run.font.name = LATIN_FONT
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:cs"), fallback)


def _page_number_footer(section) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run("— ")
    _set_fonts(run, BODY_FONT, BODY_FALLBACK, Pt(14))
    field = paragraph.add_run()
    _set_fonts(field, BODY_FONT, BODY_FALLBACK, Pt(14))
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        field._element.append(element)
    tail = paragraph.add_run(" —")
    _set_fonts(tail, BODY_FONT, BODY_FALLBACK, Pt(14))


def government_docx(blocks: Iterable[Block]) -> bytes:
    """Render blocks as an A4 公文-style .docx and return its bytes."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    _page_number_footer(section)
    for block in blocks:
        paragraph = doc.add_paragraph()
        fmt = paragraph.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(28)
        fmt.space_before = fmt.space_after = Pt(0)
        run = paragraph.add_run(block.text)
        if block.kind == "title":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            fmt.line_spacing = Pt(36)
            fmt.space_after = Pt(16)
            _set_fonts(run, TITLE_FONT, TITLE_FALLBACK, TITLE_SIZE)
        elif block.kind == "subtitle":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            fmt.space_after = Pt(12)
            _set_fonts(run, BODY_FONT, BODY_FALLBACK, BODY_SIZE)
        elif block.kind == "heading":
            fmt.first_line_indent = Pt(32)
            _set_fonts(run, HEADING_FONT, HEADING_FONT, BODY_SIZE)
        else:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            fmt.first_line_indent = Pt(32)
            size = Pt(14) if block.kind == "note" else BODY_SIZE
            _set_fonts(run, BODY_FONT, BODY_FALLBACK, size)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
