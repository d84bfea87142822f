"""The overview in words (digest): lines and tones from hand-built overview tables."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from township_data import digest, ranking
from township_data.workbook import read_workbook

from .test_longimage import overview_digest
from .test_ranking import SCORES, contest_workbook


def test_attention_lines_hazards_unreported_and_behind(catalogue) -> None:
    found = overview_digest(catalogue)
    assert found.title == "潭湾镇工作概览" and found.subtitle == "数据截至2024年2月"
    attention = found.sections[0]
    assert attention.title == "需要关注"
    assert [(line.label, line.text, line.tone) for line in attention.lines] == [
        # Found 10 + 8, fixed 6 + 10 since January: 16 / 18 = 88.9%; backlog 3 at February.
        ("安全隐患整改", "未整改隐患 3 处（截至2024年2月），2024年以来整改率 88.9%", "warn"),
        ("信访维稳未报送", "酉庄村、蛇形村", "warn"),
        ("安全生产·检查生产经营单位", "60 家次，去年同期 100 家次（-40%）", "bad"),
    ]


def test_area_lines_compare_with_last_year_and_colour_by_direction(catalogue) -> None:
    found = overview_digest(catalogue)
    titles = [s.title for s in found.sections]
    assert titles[1:] == [f"{a.name}（2024年1月至2月）" for a in catalogue.areas]
    party = found.sections[1]
    first = catalogue.areas[0].key_indicators[0]
    assert party.lines[0].label == first.name
    assert party.lines[0].text == f"120 {first.unit}　较去年同期 ↑ +20 {first.unit}（+20%）"
    # Up is good where more is better, bad where less is (矛盾纠纷), neutral where not judged.
    assert digest.change_tone("+20 次（+20%）", True) == digest.GOOD
    assert digest.change_tone("+20 起（+20%）", False) == digest.BAD
    assert digest.change_tone("-3 户", None) == digest.NEUTRAL
    assert digest.change_tone("持平", True) == digest.NEUTRAL
    assert digest.year_ago_text(5.0, float("nan"), "次") == "无可比数据"
    assert digest.year_ago_text(80.0, 82.5, "%") == "较去年同期 ↓ -2.5 个百分点"


def test_nothing_to_report_is_said_in_green(catalogue) -> None:
    empty = pd.DataFrame(columns=["area", "villages", "sheet_missing"])
    behind = pd.DataFrame(columns=["area", "indicator", "unit", "value", "year_ago", "change"])
    found = digest.overview(catalogue, "2024-03", {}, behind, empty, pd.DataFrame())
    assert [(line.text, line.tone) for line in found.sections[0].lines] == [
        ("各领域、各村（社区）均已报送", "good"),
        ("没有差 30% 以上的指标", "good"),
    ]
    assert len(found.sections) == 1  # no area tables given, no area sections


def test_contest_section_lists_boards_with_scores_and_streaks(catalogue) -> None:
    parsed = read_workbook(contest_workbook(SCORES), "打擂.xlsx", catalogue)
    scores = ranking.score_table(parsed.values, catalogue)
    march = ranking.rank_month(scores, catalogue, "2024-03", 2, 2)
    section = digest.contest_section(march, ranking.bottom_streaks(scores, "2024-03", 2))
    assert section.title == "人居环境打擂（2024年3月）"
    assert [(line.label, line.text) for line in section.lines] == [
        ("红榜", "杨龙村（90.0 分）、蛇形村（86.0 分）"),
        ("黑榜", "潭湾社区（80.0 分）、石牌村（74.0 分）"),
        # Bottom 2 in Jan (both 75), Feb (75, 78 of five) and Mar (74, 80): both, 石牌村
        # first as the lower score in March.
        ("连续黑榜", "石牌村已连续 3 个月进入黑榜"),
        ("连续黑榜", "潭湾社区已连续 3 个月进入黑榜"),
    ]


def test_source_line_names_revision_and_sample() -> None:
    source = digest.Source("潭湾镇", 12, dt.date(2024, 3, 5), is_sample=True)
    assert source.line == "数据来源：潭湾镇工作数据看板，第 12 次更新（示例数据，数字为虚构）"
    assert source.made_line == "生成日期：2024年3月5日"
