"""长图: a tall PNG, 1080 px wide, that a leader forwards to a WeChat group.

Drawn with matplotlib's Agg renderer and a CJK font found by family name (Noto Sans CJK from
fonts-noto-cjk, or the Chinese fonts of a Windows or macOS office PC). matplotlib rather than
plotly + kaleido: kaleido drives a Chromium for every picture (about 6 s cold on this machine,
and a browser the server would otherwise not need), matplotlib draws one in well under a
second in-process. The layout is a column of blocks (header band, table rows, wrapped lines,
footer) measured first, so the picture is exactly as tall as its content.
"""

from __future__ import annotations

import io
import threading
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from . import formatting, ranking
from .catalogue import TOTAL_SCORE, Catalogue
from .digest import BAD, GOOD, WARN, Digest, Source
from .errors import Problem, TownshipError

WIDTH = 1080
DPI = 100
MARGIN = 48
# Chinese fonts by preference: Debian's Noto, then what a Windows / macOS office PC has.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
    "WenQuanYi Zen Hei",
)
HEADER_COLOUR = "#8E1B1B"
INK, GREY, RULE = "#222222", "#777777", "#DDDDDD"
TONE_COLOURS = {GOOD: "#2E7D32", BAD: "#C00000", WARN: "#B26A00", "": INK}
BOARD_COLOURS = {ranking.RED: "#FCE4E4", ranking.BLACK: "#D9D9D9"}
ROW_HEIGHT = 64
TABLE_HEADER = 56
# Column left edges of the ranking table (px) and their alignment.
_COLUMNS = (("名次", 48, "center", 120), ("村（社区）", 150, "left", 0), ("总分", 620, "right", 0))
_MOVE_X, _BOARD_X = 820, 960


def cjk_family() -> str:
    """The first Chinese font matplotlib can find, or a clear message naming what to install."""
    from matplotlib import font_manager

    for family in CJK_FAMILIES:
        try:
            font_manager.findfont(
                font_manager.FontProperties(family=family), fallback_to_default=False
            )
        except ValueError:
            continue
        return family
    raise TownshipError(
        problems=[
            Problem(
                message="服务器上没有中文字体，无法生成长图：请安装 Noto Sans CJK"
                "（Debian/Ubuntu 软件包 fonts-noto-cjk）或微软雅黑、黑体后重启看板"
            )
        ],
        title="无法生成长图",
    )


def _pt(px: float) -> float:
    """Font size in points for a height in pixels at DPI."""
    return px * 72 / DPI


_REFERENCE = 100.0  # px: advances are measured once at this size and scaled
_advances: dict[tuple[str, str], float] = {}
_measuring = threading.Lock()
# A line never starts with closing punctuation: it stays at the end of the line before.
_NO_BREAK_BEFORE = set("，。；：、）》”’！？…%")


def _advance(family: str, char: str) -> float:
    """A character's advance in px at the reference size, from the font itself (cached)."""
    key = (family, char)
    if key not in _advances:
        from matplotlib import font_manager

        with _measuring:  # matplotlib shares one FT2Font per file between threads
            font = font_manager.get_font(
                font_manager.findfont(font_manager.FontProperties(family=family))
            )
            font.set_size(_pt(_REFERENCE), DPI)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # a missing glyph is reported when drawn
                font.set_text(char, 0.0)
            _advances[key] = font.get_width_height()[0] / 64
    return _advances[key]


def text_width(family: str, text: str, size: float) -> float:
    """Width in px of `text` at `size` px in `family` (sum of advances, no kerning)."""
    return sum(_advance(family, c) for c in text) * size / _REFERENCE


def wrap(family: str, text: str, size: float, width: float, first: float = 0) -> list[str]:
    """Lines of `text` no wider than `width` px at `size` px (Chinese breaks anywhere); the
    first line starts `first` px in (after a label)."""
    lines, current, used = [], "", first
    for char in text:
        step = text_width(family, char, size)
        if current and used + step > width and char not in _NO_BREAK_BEFORE:
            lines.append(current)
            current, used = "", 0.0
        current += char
        used += step
    return [*lines, current] if current else lines or [""]


# A block draws itself at a top y (px from the picture's top) on the page's axes.
Draw = Callable[[object, float], None]


@dataclass(frozen=True)
class Block:
    height: float
    draw: Draw


class Sheet:
    """A column of blocks, measured as they are added, drawn on one tall figure at the end."""

    def __init__(self, family: str) -> None:
        self.family = family
        self.blocks: list[Block] = []

    def add(self, height: float, draw: Draw) -> None:
        self.blocks.append(Block(height, draw))

    def text(self, ax, x, y, text, size, colour=INK, bold=False, align="left") -> None:
        ax.text(
            x,
            y,
            text,
            fontsize=_pt(size),
            color=colour,
            family=self.family,
            weight="bold" if bold else "normal",
            ha=align,
            va="center",
        )

    def rect(self, ax, x, y, w, h, colour) -> None:
        from matplotlib.patches import Rectangle

        ax.add_patch(Rectangle((x, y), w, h, facecolor=colour, edgecolor="none"))

    def header(self, title: str, subtitle: str, facts: str) -> None:
        lines = wrap(self.family, title, 46, WIDTH - 2 * MARGIN)
        height = 60 + 62 * len(lines) + 30 + (50 if facts else 0) + 16

        def draw(ax, top):
            self.rect(ax, 0, top, WIDTH, height, HEADER_COLOUR)
            y = top + 60
            for line in lines:
                self.text(ax, MARGIN, y, line, 46, "white", bold=True)
                y += 62
            self.text(ax, MARGIN, y, subtitle, 32, "#FFE9A8", bold=True)
            if facts:
                self.text(ax, MARGIN, y + 50, facts, 24, "#F6DADA")

        self.add(height, draw)

    def heading(self, text: str) -> None:
        def draw(ax, top):
            self.rect(ax, MARGIN, top + 22, 8, 36, HEADER_COLOUR)
            self.text(ax, MARGIN + 22, top + 40, text, 32, INK, bold=True)

        self.add(76, draw)

    def paragraph(self, text: str, size: float = 26, colour: str = INK, indent: int = 0) -> None:
        lines = wrap(self.family, text, size, WIDTH - 2 * MARGIN - indent)
        step = size * 1.55

        def draw(ax, top):
            for i, line in enumerate(lines):
                self.text(ax, MARGIN + indent, top + step * (i + 0.5), line, size, colour)

        self.add(step * len(lines) + 6, draw)

    def labelled(self, label: str, text: str, colour: str, size: float = 26) -> None:
        """'label：' in bold, then the text in its tone, wrapped under it."""
        label = f"{label}："
        offset = text_width(self.family, label, size) + 4
        lines = wrap(self.family, text, size, WIDTH - 2 * MARGIN, first=offset)
        step = size * 1.55

        def draw(ax, top):
            self.text(ax, MARGIN, top + step / 2, label, size, INK, bold=True)
            for i, line in enumerate(lines):
                x = MARGIN + (offset if i == 0 else 0)
                self.text(ax, x, top + step * (i + 0.5), line, size, colour)

        self.add(step * len(lines) + 12, draw)

    def footer(self, source: Source) -> None:
        lines = wrap(self.family, source.line, 22, WIDTH - 2 * MARGIN)

        def draw(ax, top):
            ax.plot([MARGIN, WIDTH - MARGIN], [top + 14, top + 14], color=RULE, lw=1.5)
            y = top + 48
            for line in [source.made_line, *lines]:
                self.text(ax, MARGIN, y, line, 22, GREY)
                y += 36

        self.add(48 + 36 * (len(lines) + 1) + 24, draw)

    def png(self, strict: bool = True, fmt: str = "png") -> bytes:
        """Draw every block on a figure exactly as tall as they are and return the PNG (or
        another matplotlib format: the bench draws the same picture as SVG for comparison).

        `strict`: a character the font lacks (it would print as a box) is an error naming it.
        """
        from matplotlib.figure import Figure

        height = round(sum(b.height for b in self.blocks))
        figure = Figure(figsize=(WIDTH / DPI, height / DPI), dpi=DPI, facecolor="white")
        ax = figure.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, WIDTH)
        ax.set_ylim(height, 0)
        ax.axis("off")
        top = 0.0
        for block in self.blocks:
            block.draw(ax, top)
            top += block.height
        buffer = io.BytesIO()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            figure.savefig(buffer, format=fmt, dpi=DPI)
        missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
        if strict and missing:
            raise TownshipError(
                problems=[Problem(message=f"字体“{self.family}”缺少以下字符：{missing[0]}")],
                title="无法生成长图",
            )
        return buffer.getvalue()


def _move_text(change: object) -> tuple[str, str]:
    text = ranking.arrow(change)
    if text.startswith("↑"):
        return text, ranking.UP_COLOUR
    if text.startswith("↓"):
        return text, ranking.DOWN_COLOUR
    return text or "—", GREY


def _table(sheet: Sheet, result: ranking.Ranking) -> None:
    """The ranked villages, one shaded row each (红榜 light red, 黑榜 grey)."""
    previous = f"较{result.previous_label}" if result.previous_label else "较上期"

    def head(ax, top):
        sheet.rect(ax, MARGIN, top + 8, WIDTH - 2 * MARGIN, TABLE_HEADER - 8, "#F1F1F1")
        y = top + 8 + (TABLE_HEADER - 8) / 2
        sheet.text(ax, MARGIN + 60, y, "名次", 24, GREY, align="center")
        sheet.text(ax, 150, y, "村（社区）", 24, GREY)
        sheet.text(ax, 620, y, "总分", 24, GREY, align="right")
        sheet.text(ax, _MOVE_X, y, previous, 22 if len(previous) > 6 else 24, GREY, align="center")
        sheet.text(ax, _BOARD_X, y, "榜单", 24, GREY, align="center")

    sheet.add(TABLE_HEADER, head)
    for village, row in zip(result.villages, result.table.itertuples(index=False), strict=True):
        sheet.add(ROW_HEIGHT, _row_drawer(sheet, result, village, row))


def _row_drawer(sheet: Sheet, result: ranking.Ranking, village: str, row: tuple) -> Draw:
    values = dict(zip(result.table.columns, row, strict=True))
    board = values[ranking.BOARD]
    rank = values[ranking.RANK]
    total = values[TOTAL_SCORE]
    fewer = result.fewer_months.get(village)

    def draw(ax, top):
        fill = BOARD_COLOURS.get(board)
        if fill:
            sheet.rect(ax, MARGIN, top, WIDTH - 2 * MARGIN, ROW_HEIGHT - 2, fill)
        else:
            ax.plot([MARGIN, WIDTH - MARGIN], [top + ROW_HEIGHT - 1] * 2, color=RULE, lw=1)
        y = top + ROW_HEIGHT / 2
        ranked = not pd.isna(rank)
        sheet.text(ax, MARGIN + 60, y, str(int(rank)) if ranked else "—", 30, INK, True, "center")
        sheet.text(ax, 150, y, village, 30, INK, bold=bool(board))
        if fewer:
            note = f"仅评{fewer}个月"
            sheet.text(ax, 150 + text_width(sheet.family, village, 30) + 14, y + 2, note, 20, GREY)
        score = (
            formatting.number(total, digits=result.digits, fixed=True)
            if ranked
            else formatting.MISSING
        )
        sheet.text(ax, 620, y, score, 30, INK if ranked else GREY, bold=ranked, align="right")
        move, colour = _move_text(values[ranking.CHANGE])
        sheet.text(ax, _MOVE_X, y, move, 28, colour, bold=colour != GREY, align="center")
        if board:
            colour = TONE_COLOURS[BAD] if board == ranking.RED else INK
            sheet.text(ax, _BOARD_X, y, board, 28, colour, bold=True, align="center")

    return draw


def ranking_png(
    result: ranking.Ranking,
    found: Sequence[ranking.Notice],
    catalogue: Catalogue,
    source: Source,
    fmt: str = "png",
) -> bytes:
    """The 长图 of a month's or quarter's 打擂: every village with rank, score and movement,
    红榜 and 黑榜 shaded, the warnings and honours, when it was made and from which data."""
    sheet = Sheet(cjk_family())
    average = formatting.number(result.average, "分", digits=2, fixed=True)
    unscored = f"，{len(result.unscored)} 个未报" if result.unscored else ""
    sheet.header(
        f"{catalogue.township_name}{catalogue.contest.sheet}",
        f"{result.label}排名",
        f"参评 {len(result.ranked)} 个村（社区）{unscored}　全镇平均 {average}",
    )
    sheet.add(16, lambda ax, top: None)
    _table(sheet, result)
    legend = (
        f"红榜：前 {result.top_n} 名　黑榜：后 {result.bottom_n} 名（并列一并列入）　↑ 上升　↓ 下降"
    )
    sheet.add(12, lambda ax, top: None)
    sheet.paragraph(legend, 22, GREY)
    if result.kind == ranking.QUARTER:
        sheet.paragraph("季度按各村已评分月份的月平均总分排名。", 22, GREY)
    warnings_ = [n for n in found if n.kind == "warning"]
    honours = [n for n in found if n.kind != "warning"]
    if warnings_ or honours:
        sheet.heading("预警与表扬")
        for notice in warnings_:
            sheet.paragraph(f"【预警】{notice.text}", 26, TONE_COLOURS[BAD])
        for notice in honours:
            sheet.paragraph(f"【表扬】{notice.text}", 26, TONE_COLOURS[GOOD])
    sheet.add(16, lambda ax, top: None)
    sheet.footer(source)
    return sheet.png(fmt=fmt)


def digest_png(digest: Digest, source: Source, fmt: str = "png") -> bytes:
    """The 长图 of a page in words (the overview): title, then each section's lines."""
    sheet = Sheet(cjk_family())
    sheet.header(digest.title, digest.subtitle, "")
    for section in digest.sections:
        sheet.heading(section.title)
        if section.note:
            sheet.paragraph(section.note, 22, GREY)
        for line in section.lines:
            sheet.labelled(line.label, line.text, TONE_COLOURS.get(line.tone, INK))
    sheet.add(8, lambda ax, top: None)
    sheet.footer(source)
    return sheet.png(fmt=fmt)
