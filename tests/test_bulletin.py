"""The quarterly 打擂 bulletin draft: text from the hand-built sheet, opened with python-docx."""

from __future__ import annotations

import io

from docx import Document

from township_data import bulletin, ranking
from township_data.workbook import read_workbook

from .test_ranking import SCORES, contest_workbook


def quarter(catalogue, top_n: int = 2, bottom_n: int = 2):
    parsed = read_workbook(contest_workbook(SCORES), "打擂.xlsx", catalogue)
    scores = ranking.score_table(parsed.values, catalogue)
    return scores, ranking.rank_quarter(scores, catalogue, "2024Q1", top_n, bottom_n)


def test_bulletin_docx_names_lists_items_and_warnings(catalogue) -> None:
    scores, result = quarter(catalogue)
    data = bulletin.to_docx(scores, catalogue, result)
    doc = Document(io.BytesIO(data))
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs[0] == "2024年第一季度人居环境打擂情况通报"
    text = "\n".join(paragraphs)
    assert "全镇 6 个村（社区）参加评比" in text
    # (87.33 + 86.33 + 84.67 + 84.00 + 77.67 + 74.67) / 6 = 82.445 → 82.44 (floating point)
    assert "季度平均分 82.4" in text
    assert "杉林村（2 个月）本季度评分月份较少" in text
    assert "二、红榜（前 2 名）" in paragraphs and "三、黑榜（后 2 名）" in paragraphs
    red = paragraphs[
        paragraphs.index("二、红榜（前 2 名）") : paragraphs.index("三、黑榜（后 2 名）")
    ]
    assert [p.split("：")[0] for p in red[2:]] == ["杨龙村", "蛇形村"]
    # 杨龙村's Q1 means: 农村改厕 17.67/20 = 88.3%, 长效管护 13.33/15 = 88.9% strongest,
    # 村容村貌 17/20 = 85.0% weakest.
    assert (
        "杨龙村：季度平均 87.33 分，排第 1 名。长效管护（平均 13.33 分，得分率 88.9%）表现最好"
        in text
    )
    assert "村容村貌（平均 17.00 分，得分率 85.0%）还有提升空间" in text
    black = paragraphs[paragraphs.index("三、黑榜（后 2 名）") : paragraphs.index("四、预警提醒")]
    assert [p.split("：")[0] for p in black[2:]] == ["潭湾社区", "石牌村"]
    assert "石牌村连续 3 个月；潭湾社区连续 3 个月" in text
    assert (
        bulletin.file_name(catalogue, "2024Q1")
        == "潭湾镇2024年第一季度人居环境打擂情况通报（草稿）.docx"
    )


def test_bulletin_without_warnings_says_so(catalogue) -> None:
    scores, result = quarter(catalogue, top_n=1, bottom_n=1)
    blocks = bulletin.blocks(scores, catalogue, result)
    texts = [b.text for b in blocks]
    assert "以下 1 个村（社区）进入红榜，在季度表彰大会上作经验交流发言：" in texts
    assert any("石牌村连续 3 个月" in t for t in texts)
    single = {"2024-01": SCORES["2024-01"]}
    parsed = read_workbook(contest_workbook(single), "打擂.xlsx", catalogue)
    one = ranking.score_table(parsed.values, catalogue)
    alone = ranking.rank_quarter(one, catalogue, "2024Q1", 1, 1)
    plain = bulletin.text(bulletin.blocks(one, catalogue, alone))
    assert "没有村（社区）连续两个月及以上排在全镇后 1 名" in plain
    assert "2024年1月共评比 1 次" in plain
