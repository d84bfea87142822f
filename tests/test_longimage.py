"""长图: PNGs drawn from the hand-built 打擂 sheet and a hand-built overview, read back as pixels.

Glyphs, not boxes: with a font lacking CJK every Chinese character is drawn as the same
"missing" box, so two different strings come out identical; with the CJK font they differ.
"""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from township_data import digest, longimage, ranking
from township_data.errors import TownshipError
from township_data.workbook import read_workbook

from .test_ranking import SCORES, contest_workbook

SOURCE = digest.Source("潭湾镇", 7, dt.date(2024, 4, 2))
NO_CJK = "DejaVu Sans"  # ships with matplotlib, has no Chinese glyphs


def pixels(png: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return np.asarray(image.convert("RGB"))


def line_png(family: str, text: str) -> np.ndarray:
    sheet = longimage.Sheet(family)
    sheet.paragraph(text, 40)
    return pixels(sheet.png(strict=False))


def ink(image: np.ndarray) -> np.ndarray:
    return image.min(axis=2) < 128


def test_cjk_font_draws_distinct_glyphs_where_a_latin_font_draws_boxes() -> None:
    family = longimage.cjk_family()
    with_cjk = [ink(line_png(family, t)) for t in ("人居环境", "打擂排名")]
    without = [ink(line_png(NO_CJK, t)) for t in ("人居环境", "打擂排名")]
    # Without CJK glyphs both strings are four identical boxes: the same pixels.
    assert (without[0] == without[1]).all()
    # With them, the two strings differ in a large share of their inked pixels ...
    differing = (with_cjk[0] != with_cjk[1]).sum()
    assert differing > 0.3 * max(with_cjk[0].sum(), with_cjk[1].sum())
    # ... and neither looks like the box rendering.
    assert (with_cjk[0] != without[0]).sum() > 0.3 * with_cjk[0].sum()
    # Four 40 px glyphs leave ink in a 40 px band, about 4 × 40 px wide.
    rows, cols = np.nonzero(with_cjk[0])
    assert 25 <= rows.max() - rows.min() <= 46
    assert 140 <= cols.max() - cols.min() <= 165


def test_a_character_the_font_lacks_is_an_error_not_a_box() -> None:
    sheet = longimage.Sheet(NO_CJK)
    sheet.paragraph("打擂", 30)
    with pytest.raises(TownshipError) as raised:
        sheet.png()
    assert "缺少以下字符" in str(raised.value.problems[0])


def test_no_chinese_font_is_a_message_naming_the_package(monkeypatch) -> None:
    monkeypatch.setattr(longimage, "CJK_FAMILIES", ("没有这种字体",))
    with pytest.raises(TownshipError) as raised:
        longimage.cjk_family()
    assert "fonts-noto-cjk" in str(raised.value.problems[0])


def test_wrap_keeps_lines_within_width_and_punctuation_off_line_starts() -> None:
    family = longimage.cjk_family()
    text = "石牌村截至2024年3月已连续 3 个月排在后 3 名（黑榜），请督促整改。" * 3
    lines = longimage.wrap(family, text, 26, 400)
    assert "".join(lines) == text
    assert len(lines) > 3
    # Every line fits, except that one closing mark may hang past the edge.
    for line in lines:
        assert longimage.text_width(family, line.rstrip("，。；：、）"), 26) <= 400
    assert not any(line[0] in "，。；：、）" for line in lines)


def bands(column: np.ndarray, colour: str) -> list[int]:
    """Heights of the runs of `colour` down one pixel column (taller than a drawn rule line)."""
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
    hit = (np.abs(column.astype(int) - rgb).sum(axis=1) <= 3).astype(int)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], hit, [0]])))
    return [int(n) for n in edges[1::2] - edges[::2] if n > 4]


@pytest.fixture
def scores(catalogue) -> pd.DataFrame:
    parsed = read_workbook(contest_workbook(SCORES), "打擂.xlsx", catalogue)
    return ranking.score_table(parsed.values, catalogue)


def test_month_image_is_1080_wide_with_one_shaded_row_per_listed_village(catalogue, scores) -> None:
    # March 2024, top 2 / bottom 2: 杨龙村 90, 蛇形村 86 (红榜); 潭湾社区 80, 石牌村 74 (黑榜).
    result = ranking.rank_month(scores, catalogue, "2024-03", 2, 2)
    found = ranking.notices(scores, result, catalogue)
    image = pixels(longimage.ranking_png(result, found, catalogue, SOURCE))
    height, width, _ = image.shape
    assert width == longimage.WIDTH == 1080
    # Header, 16 rows (6 ranked, 10 未报), notices and footer: a tall image, not a screen.
    assert 16 * longimage.ROW_HEIGHT < height < 16 * longimage.ROW_HEIGHT + 1100
    # Just inside the table's left edge no text is drawn: the row shading alone.
    column = image[:, longimage.MARGIN + 4]
    assert bands(column, longimage.BOARD_COLOURS[ranking.RED]) == [62, 62]
    assert bands(column, longimage.BOARD_COLOURS[ranking.BLACK]) == [62, 62]
    # The header band is the first thing on the picture.
    assert bands(image[:, 2], longimage.HEADER_COLOUR)[0] > 150


def test_more_villages_listed_make_a_taller_image_by_whole_rows(catalogue, scores) -> None:
    # Ties at the edge: January top 1 is 酉庄村 alone, bottom 1 takes 石牌村 and 潭湾社区 (75).
    january = ranking.rank_month(scores, catalogue, "2024-01", 1, 1)
    assert january.black == ["石牌村", "潭湾社区"]
    image = pixels(longimage.ranking_png(january, [], catalogue, SOURCE))
    column = image[:, longimage.MARGIN + 4]
    assert bands(column, longimage.BOARD_COLOURS[ranking.RED]) == [62]
    assert bands(column, longimage.BOARD_COLOURS[ranking.BLACK]) == [62, 62]


def test_quarter_image_marks_the_warnings_in_red(catalogue, scores) -> None:
    result = ranking.rank_quarter(scores, catalogue, "2024Q1", 2, 2)
    found = ranking.notices(scores, result, catalogue)
    assert any(n.kind == "warning" for n in found)
    image = pixels(longimage.ranking_png(result, found, catalogue, SOURCE))
    assert image.shape[1] == 1080
    red = np.array([0xC0, 0x00, 0x00])
    # Red ink: the 红榜 labels in the table and the 【预警】 lines below it.
    reddish = (np.abs(image.astype(int) - red).sum(axis=2) < 60).sum(axis=1)
    table_end = 16 * longimage.ROW_HEIGHT + 300
    assert reddish[table_end:].sum() > 500


def overview_digest(catalogue) -> digest.Digest:
    year = {
        area.name: pd.DataFrame(
            {
                "indicator": [i.name for i in area.key_indicators],
                "value": [120.0] * len(area.key_indicators),
                "year_ago": [100.0] * len(area.key_indicators),
            }
        )
        for area in catalogue.areas
    }
    behind = pd.DataFrame(
        [{"area": "安全生产", "indicator": "检查生产经营单位", "unit": "家次", "value": 60.0,
          "year_ago": 100.0, "change": -0.4}]
    )  # fmt: skip
    unreported = pd.DataFrame(
        [{"area": "信访维稳", "villages": ["酉庄村", "蛇形村"], "sheet_missing": False}]
    )
    hazards = pd.DataFrame(
        {"backlog": [5.0, 3.0], "paired_found": [10.0, 8.0], "paired_fixed": [6.0, 10.0]},
        index=["2024-01", "2024-02"],
    )
    return digest.overview(catalogue, "2024-02", year, behind, unreported, hazards)


def test_overview_image_is_1080_wide_and_taller_with_more_lines(catalogue) -> None:
    found = overview_digest(catalogue)
    image = pixels(longimage.digest_png(found, SOURCE))
    assert image.shape[1] == 1080
    shorter = digest.Digest(found.title, found.subtitle, found.sections[:1])
    short = pixels(longimage.digest_png(shorter, SOURCE))
    assert short.shape[1] == 1080 and short.shape[0] < image.shape[0] - 8 * 40
    # The attention section's falling indicator is written in the "bad" red.
    red = np.array([0xC0, 0x00, 0x00])
    assert (np.abs(short.astype(int) - red).sum(axis=2) < 60).sum() > 200
