"""The office workbook corpus (tests/office_corpus.py) on every import path: the reader, the
command line and the upload page. A value is never silently wrong: each case is read exactly
as the clerk saw it, or refused with its located Chinese error."""

from __future__ import annotations

import pytest

from tests.office_corpus import CASES, Case
from township_data import cli
from township_data.errors import WorkbookError
from township_data.workbook import read_workbook

IDS = [case.name for case in CASES]


def stored_values(store) -> dict[tuple[str, str, str, str], float]:
    frame = store.current()
    return {
        (r.area, r.month, r.village, r.indicator): r.value for r in frame.itertuples(index=False)
    }


def check_values(found: dict, case: Case) -> None:
    for key, value in case.values.items():
        assert found.get(key) == pytest.approx(value, abs=1e-9), key
    for key in case.absent:
        assert key not in found


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_reader(case: Case, catalogue) -> None:
    data = case.build()
    if case.error:
        with pytest.raises(WorkbookError) as caught:
            read_workbook(data, case.file_name, catalogue, case.month)
        problems = [str(p) for p in caught.value.problems]
        assert len(problems) == 1, problems
        for part in case.error:
            assert part in problems[0], problems[0]
        return
    parsed = read_workbook(data, case.file_name, catalogue, case.month)
    found = {(a, m, v, i): value for a, i, v, m, value, *_ in parsed.values.itertuples(index=False)}
    check_values(found, case)
    for part in case.notes:
        assert any(part in note for note in parsed.notes), (part, parsed.notes)
    for part in case.warnings:
        assert any(part in text for text in parsed.warnings), (part, parsed.warnings)
    assert not parsed.warnings or case.warnings, parsed.warnings


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_command_line(case: Case, tmp_path, data_dir, capsys) -> None:
    path = tmp_path / case.file_name
    path.write_bytes(case.build())
    args = ["import", str(path), "--data-dir", str(data_dir)]
    if case.month:
        args += ["--month", case.month]
    code = cli.main(args)
    out, err = capsys.readouterr()
    if case.error:
        assert code == cli.EXIT_INVALID
        for part in case.error:
            assert part in err, err
        return
    assert code == cli.EXIT_OK, err
    from township_data.store import open_store

    check_values(stored_values(open_store(data_dir)), case)
    for part in (*case.notes, *case.warnings):
        assert part in out, out


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_upload_page(case: Case, app_test, store, catalogue, make_workbook) -> None:
    # a first import, so the page opens on this store and loads no sample data
    base = make_workbook(
        {"党建引领": [["村（社区）", "月份", "主题党日活动"], ["青石村", "2023-01", 1]]}
    )
    store.import_workbook(read_workbook(base, "底.xlsx", catalogue), "甲")
    at = app_test("app.py").run()
    at.switch_page("pages/10_shangchuan.py").run()
    if case.month:
        at.selectbox(key="upload_month").set_value(case.month)
    at.file_uploader(key="upload_files_0").set_value(
        (case.file_name, case.build(), "application/octet-stream")
    ).run()
    assert not at.exception
    if case.error:
        tables = [d.value for d in at.dataframe if "处理建议" in d.value.columns]
        assert tables, [e.value for e in at.error]
        table = tables[0]
        assert len(table) == 1
        text = " ".join(str(v) for v in table.iloc[0].tolist())
        for part in case.error:
            assert part.split("!")[-1] in text, text
        return
    shown = " ".join([c.value for c in at.caption] + [w.value for w in at.warning])
    for part in (*case.notes, *case.warnings):
        assert part in shown, (part, shown)
    at.button(key="upload_confirm").click().run()
    assert not at.exception
    check_values(stored_values(store), case)
