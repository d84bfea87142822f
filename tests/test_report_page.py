"""AppTest of the 工作总结 page: known data in, the hand-computed figures on the page."""

from __future__ import annotations

import re

from tests.readback import paragraphs_of
from township_data import report
from township_data.catalogue import Catalogue
from township_data.store import Store

from .test_report import store_known_data

PAGE = "pages/12_zongjie.py"
_TAGS = re.compile(r"<[^>]+>")


def _page_paragraphs(at) -> list[str]:
    """The report's paragraphs as the page shows them (HTML tags stripped)."""
    import html

    return [
        html.unescape(_TAGS.sub("", m.value))
        for m in at.markdown
        if m.value.startswith(("<h3", "<h4", "<p"))
    ]


def _open(app_test, store: Store, catalogue: Catalogue):
    store_known_data(store, catalogue)
    at = app_test("app.py").run()
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def test_page_fills_half_year_and_matches_docx(
    app_test, store: Store, catalogue: Catalogue
) -> None:
    at = _open(app_test, store, catalogue)
    assert at.segmented_control(key="report_kind").value == "half"
    assert at.selectbox(key="report_half").value == "2024H1"
    shown = _page_paragraphs(at)
    assert shown[0] == f"{catalogue.township_name}2024年上半年工作总结"
    body = "".join(shown)
    assert "检查各类生产经营单位56家次" in body
    assert "举办安全知识培训讲座和现场演练14次" in body
    assert "家庭医生签约率达82.3%" in body
    assert "查处非法营运【未报】" in body
    summary = next(m.value for m in at.markdown if m.value.startswith("**2024年上半年**"))
    work = report.build(store, catalogue, report.load_template(catalogue), "2024-01", "2024-06")
    assert f"未报 **{len(work.missing())}** 个" in summary
    # the .docx built for the download holds exactly the page's paragraphs
    docx_paragraphs = paragraphs_of(work.docx({}))
    assert docx_paragraphs[: len(shown)] == shown
    assert any(c.value.startswith("附：本期以下") for c in at.caption)


def test_quarter_and_sources_and_free_text(app_test, store: Store, catalogue: Catalogue) -> None:
    at = _open(app_test, store, catalogue)
    at.segmented_control(key="report_kind").set_value("quarter").run()
    at.selectbox(key="report_quarter").set_value("2024Q2").run()
    assert not at.exception
    body = "".join(_page_paragraphs(at))
    assert "2024年第二季度工作总结" in body
    assert "检查各类生产经营单位11家次" in body
    assert "家庭医生签约率达【未报】" in body

    # sources: the 安全生产 paragraph; opening one figure shows the cells it adds up
    template = report.load_template(catalogue)
    work = report.build(store, catalogue, template, "2024-04", "2024-06", sources=False)
    safety = next(i for i, name in work.source_paragraphs().items() if name.startswith("3."))
    at.selectbox(key="report_source_paragraph").set_value(safety).run()
    labels = [e.label for e in at.expander]
    figure = labels.index("安全生产·专项隐患排查整治（余）：6次")
    assert labels[figure + 1] == "安全生产·检查生产经营单位：11家次"
    opened = at.expander[figure]
    assert any("2024-04.xlsx（版本 3）安全生产!E3" in m.value for m in opened.markdown)
    assert not opened.dataframe
    at.session_state[f"report_fig_{safety}_0"] = True
    at.run()
    cells = at.expander[figure].dataframe[0].value
    assert list(cells["单元格"]) == ["E3"] and list(cells["数值"]) == [6]
    assert list(cells["村（社区）"]) == ["镇本级"] and list(cells["文件"]) == ["2024-04.xlsx"]

    # free text: typed, saved with the quarter, shown in the text, not in the half year
    at.text_area(key="report_text_0_2024-04_2024-06").input("产业规模不大。\n基础设施薄弱。")
    submit = next(b for b in at.button if b.label.startswith("保存"))
    submit.click().run()
    assert not at.exception
    assert report.saved_texts(store, "2024-04", "2024-06") == {
        "存在不足": "产业规模不大。\n基础设施薄弱。"
    }
    shown = _page_paragraphs(at)
    assert any(p.endswith("但仍存在一些不足。产业规模不大。") for p in shown)
    assert "基础设施薄弱。" in shown
    assert any("已保存2024年第二季度的文字部分" in s.value for s in at.success)
    at.segmented_control(key="report_kind").set_value("half").run()
    assert not any("产业规模不大" in p for p in _page_paragraphs(at))


def test_broken_template_is_explained_in_chinese(
    app_test, store: Store, catalogue: Catalogue, tmp_path, monkeypatch
) -> None:
    broken = tmp_path / "模板.md"
    broken.write_text("# 标题\n\n检查{安全生产/检查生产经营}。\n", encoding="utf-8")
    monkeypatch.setenv("TOWNSHIP_REPORT_TEMPLATE", str(broken))
    at = _open(app_test, store, catalogue)
    assert at.error[0].value == "工作总结模板文件有误"
    problem = "".join(m.value for m in at.main.markdown)
    assert "模板.md" in problem and "第 3 行" in problem and "检查生产经营单位" in problem


def test_empty_store_asks_for_data(app_test, store: Store, monkeypatch) -> None:
    monkeypatch.setenv("TOWNSHIP_NO_SAMPLE", "1")
    at = app_test("app.py").run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert "还没有任何数据" in at.warning[0].value


def test_custom_range_and_year_to_date(app_test, store: Store, catalogue: Catalogue) -> None:
    at = _open(app_test, store, catalogue)
    at.segmented_control(key="report_kind").set_value("range").run()
    at.selectbox(key="report_range_from").set_value("2024-02")
    at.selectbox(key="report_range_to").set_value("2024-04").run()
    assert not at.exception
    shown = _page_paragraphs(at)
    assert shown[0] == f"{catalogue.township_name}2024年2月至4月工作总结"
    # 检查生产经营单位: 酉庄 7 + 杉林 3 (February) + 酉庄 11 (April); 3月 has no data at all
    assert "2024年2月至4月，开展专项隐患排查整治8次，检查各类生产经营单位21家次" in "".join(shown)
    at.segmented_control(key="report_kind").set_value("ytd").run()
    # the latest month holding data is April, so 年初以来 defaults to 截至2024年4月
    assert at.selectbox(key="report_ytd").value == "2024-04"
    assert "检查各类生产经营单位56家次" in "".join(_page_paragraphs(at))


def test_the_period_before_is_shown_beside_the_words(
    app_test, store: Store, catalogue: Catalogue
) -> None:
    store.save_report_text(
        "2023-07", "2023-12", "存在不足", "产业规模不大。\n基础设施薄弱。", "测试"
    )
    store.save_report_text("2023-10", "2023-12", "下步工作重点", "1.学理论固根基。", "测试")
    at = _open(app_test, store, catalogue)
    boxes = [c.value for c in at.caption if c.value.startswith("上一期")]
    assert boxes == ["上一期（2023年下半年）写的存在不足", "上一期（2023年下半年）写的下步工作重点"]
    shown = [m.value for m in at.markdown]
    assert "产业规模不大。\n\n基础设施薄弱。" in shown and "（上一期没有填写）" in shown
    # the first quarter's period before is the fourth quarter of 2023
    at.segmented_control(key="report_kind").set_value("quarter").run()
    at.selectbox(key="report_quarter").set_value("2024Q1").run()
    assert "1.学理论固根基。" in [m.value for m in at.markdown]
