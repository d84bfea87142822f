"""The upload page's layout: template, the files, every problem at once, preview, confirm."""

from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from township_data import changes, downloads, months, roles, workbook
from township_data.catalogue import TOWN, Catalogue
from township_data.errors import AuthError

from . import changes as changes_view
from . import confirm, editors, loaders, registry, shell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# .et is listed so a WPS file reaches the reader, which explains what to do with it.
ACCEPTED = ["xlsx", "xlsm", "xls", "et"]
MERGE, REPLACE = "merge", "replace"
MODES = {
    MERGE: "按村（社区）更新：只改表中有的村（社区），其他村（社区）的数据保持不变",
    REPLACE: "以本表为准：表中没有的村（社区）改为未报",
}


TOWN_FILE, ONE_VILLAGE, EVERY_VILLAGE = "town", "village", "zip"
TEMPLATE_KINDS = {
    TOWN_FILE: "全镇汇总（一个文件）",
    ONE_VILLAGE: "单个村（社区）",
    EVERY_VILLAGE: "各村（社区）各一个文件（.zip）",
}
TEMPLATE_NOTES = {
    TOWN_FILE: "各村（社区）和全镇各一行，每个领域一个工作表；“填表说明”页写明了填报规则。",
    ONE_VILLAGE: "只含所选村（社区）一行，只列出它要填的领域和指标；文件名带村名和月份，"
    "可直接转发到微信群。发回后在下方上传，只更新这个村（社区）的数据。",
    EVERY_VILLAGE: "每个村（社区）一个文件，文件名带村名和月份（如 {example}），解压后逐个转发；"
    "各村发回的文件可以一次全部拖到下方上传。",
}


def template_section(context: shell.Context) -> None:
    """The month's workbook to send out: the township's, one village's, or every village's
    in a zip; last month's stocks pre-filled when chosen."""
    catalogue = context.catalogue
    st.subheader("1. 下载月报模板")
    left, right = st.columns([1, 2])
    month = left.selectbox(
        "模板月份",
        months.recent(37),
        index=1,
        format_func=months.label,
        key="upload_template_month",
    )
    kind = right.radio(
        "模板",
        list(TEMPLATE_KINDS),
        format_func=TEMPLATE_KINDS.get,
        horizontal=True,
        key="upload_template_kind",
    )
    row = None
    if kind == ONE_VILLAGE:
        row = left.selectbox(
            "村（社区）",
            [*catalogue.village_names, TOWN],
            format_func=lambda v: f"{TOWN}（镇本级）" if v == TOWN else v,
            key="upload_template_village",
        )
    example = workbook.template_name(catalogue, month, catalogue.village_names[0])
    st.caption(TEMPLATE_NOTES[kind].format(example=example))
    carry = _carry_choice(context, month, kind)
    if kind == EVERY_VILLAGE:
        st.download_button(
            "下载各村（社区）月报模板（.zip）",
            # Written only when clicked: one workbook per village.
            data=functools.partial(loaders.village_zip, context, month, carry),
            file_name=workbook.zip_name(catalogue, month),
            mime="application/zip",
            on_click="ignore",
            icon=":material/folder_zip:",
            key="upload_template_zip",
        )
    else:
        st.download_button(
            "下载预填上月存量的月报模板（.xlsx）" if carry else "下载空白月报模板（.xlsx）",
            # Written only when clicked: a county's template is 500 villages on every sheet.
            data=functools.partial(loaders.template_bytes, context, month, row, carry),
            file_name=workbook.template_name(catalogue, month, row),
            mime=XLSX,
            on_click="ignore",
            icon=":material/download:",
            key="upload_template_download",
        )


def _carry_choice(context: shell.Context, month: str, kind: str) -> bool:
    """Whether to pre-fill last month's stocks: offered when last month has any, on by default
    for the villages' templates (减负), off for the township's."""
    previous = months.label(months.shift(month, -1))
    if not loaders.carried_stocks(context, month):
        st.caption(f"{previous}还没有存量指标的数据，模板中的存量指标留空。")
        return False
    return st.checkbox(
        f"预填{previous}的存量指标（基干民兵、公益性岗位、信访重点人员等）",
        value=kind != TOWN_FILE,
        key=f"upload_template_carry_{kind}",
        help="预填的格子为绿色并带批注，村里只改有变化的数；次数、人数等当月工作量不预填。"
        "发回后预填的数即作为本月的数导入。",
    )


def show_done(catalogue: Catalogue, done: dict) -> None:
    """What the last confirm stored, with links to the areas it touched."""
    for line in done["stored"]:
        st.success(line, icon=":material/check_circle:")
    for line in done["unchanged"]:
        st.info(line, icon=":material/info:")
    if done.get("error"):
        st.error(done["error"])
    for area in done["areas"]:
        shell.page_link(registry.area_page(area), f"查看{area}", catalogue.area(area).icon)


def show_problems(problems: list) -> None:
    """Every problem of every file, as a table to work through and download."""
    st.error(
        f"发现 {len(problems)} 处问题，**没有导入任何数据**。请按下表逐项改正后重新上传"
        "（单元格位置即 Excel 中的列字母和行号）。",
        icon=":material/block:",
    )
    table = changes.problem_table(problems)
    st.dataframe(table, hide_index=True, width="stretch", key="upload_problems")
    st.download_button(
        "下载问题清单（.xlsx）",
        data=downloads.to_xlsx(table, "月报校验问题清单", sheet_name="问题清单"),
        file_name="月报校验问题清单.xlsx",
        on_click="ignore",
        key="upload_problems_download",
    )


def files_table(preview: changes.Preview) -> pd.DataFrame:
    """Per file: its villages, areas and months, values, and which villages it reports again."""
    return pd.DataFrame(
        {
            "文件": [f.file_name for f in preview.files],
            "村（社区）": ["、".join(f.villages) for f in preview.files],
            "领域和月份": [f.summary for f in preview.files],
            "数值条数": [f"{f.value_count:,}" for f in preview.files],
            "重报（本月已有数据）": ["、".join(f.repeated) or "—" for f in preview.files],
        }
    )


def scope_note(preview: changes.Preview) -> str:
    """The preview's plain statement of which villages change and which stay as they were."""
    held = list(dict.fromkeys(v for f in preview.files for v in f.villages))
    named = "、".join(held[:8]) + (f"等 {len(held)} 个" if len(held) > 8 else "")
    if preview.replace:
        return (
            f"**以本表为准**：所涉领域和月份的数据整体替换为上传的内容（{named}）；"
            "表中没有的村（社区）改为未报。"
        )
    rest = f"其他 {preview.untouched} 个已有数据的村（社区）保持不变。" if preview.untouched else ""
    return f"**按村（社区）更新**：只更新上传文件中有的村（社区）（{named}）。{rest}"


def apply(context: shell.Context, parsed: list, replace: bool, preview: changes.Preview) -> dict:
    """Store the confirmed files in one transaction; what to tell the user afterwards.

    Who may import, and which rows, is checked again here, at the moment of the write.
    """
    catalogue = context.catalogue
    user = editors.editor_for_change(context, roles.IMPORT)
    refused = roles.village_row_problems(editors.signed_in_account(), parsed, catalogue, replace)
    if refused:
        raise AuthError(problems=refused, title="没有导入任何数据")
    with st.spinner(f"正在导入 {len(parsed)} 个文件……"):
        outcome = changes.import_all(
            context.store, parsed, user, preview.revision, replace, preview
        )
    if not outcome.error:
        st.session_state["upload_generation"] = st.session_state.get("upload_generation", 0) + 1
    return {
        "stored": [changes.result_line(r) for r in outcome.stored],
        "unchanged": [r.message for r in outcome.results if not r.changed],
        "error": str(outcome.error) if outcome.error else "",
        "areas": sorted(
            {a for r in outcome.stored for a, _ in r.slices}, key=catalogue.sheet_names.index
        ),
    }


def preview_section(
    context: shell.Context, parsed: list, form_month: str | None, reporter: bool = False
) -> None:
    """The choice of merge or replace, the preview of what a confirm stores, and the button.

    A village reporter always merges: replacing would turn other villages' values into 未报.
    """
    catalogue = context.catalogue
    mode = MERGE
    if not reporter:
        mode = st.radio(
            "导入方式",
            list(MODES),
            format_func=MODES.get,
            key="upload_mode",
            help="默认按村（社区）更新：各村分别报来的文件可以分几次上传，互不覆盖。",
        )
    replace = mode == REPLACE
    inputs = (tuple((p.file_name, p.sha256) for p in parsed), form_month, replace)
    preview = confirm.preview(
        context,
        "upload",
        inputs,
        lambda: changes.preview_import(context.store, parsed, catalogue, replace),
        lambda shown: apply(context, parsed, replace, shown),
    )
    total = sum(p.value_count for p in parsed)
    st.success(
        f"校验通过：{len(parsed)} 个文件，共 {total:,} 个数值。以下是导入后将发生的变化，"
        "确认无误后点击“确认导入”。",
        icon=":material/task_alt:",
    )
    st.dataframe(files_table(preview), hide_index=True, width="stretch", key="upload_files_table")
    st.markdown(scope_note(preview))
    for text in preview.warnings:
        st.warning(f"请核实：{text}", icon=":material/help:")
    for note in preview.notes:
        st.caption(f"说明：{note}")
    changes_view.show_preview(preview, catalogue, "upload")
    if preview.changes_anything:
        confirm.button("upload", "确认导入", inputs, ":material/upload:", preview.revision)
    else:
        st.info("上传的数据与当前数据完全相同，无需导入。", icon=":material/info:")


def upload_section(context: shell.Context) -> None:
    """Sign-in, the files, their problems or their preview."""
    st.subheader("2. 上传月报")
    user = editors.editor_gate(context, "upload", roles.IMPORT)
    done = confirm.done("upload")
    if done:
        show_done(context.catalogue, done)
    if user is None:
        st.stop()
    reporter = user if isinstance(user, roles.Account) and user.role == roles.VILLAGE else None
    if reporter:
        st.info(
            f"村级报送员只能上传“{reporter.village}”的行（各月均可），按村（社区）更新，"
            "其他村（社区）的数据不受影响。可以用全镇的模板，只填本村一行，其他行留空。",
            icon=":material/home_pin:",
        )
    choices = months.recent(37)
    month_column, _ = st.columns([1, 1])
    form_month = (
        month_column.selectbox(
            "表中没有“月份”列（或月份为空）时，数据属于",
            ["", *choices],
            format_func=lambda m: months.label(m) if m else "按表中“月份”列或标题中的月份",
            key="upload_month",
        )
        or None
    )
    generation = st.session_state.setdefault("upload_generation", 0)
    files = st.file_uploader(
        "选择月报工作簿（.xlsx、.xls，可一次选多个，如各村分别报来的文件）",
        type=ACCEPTED,
        accept_multiple_files=True,
        key=f"upload_files_{generation}",
        help="单个文件最大 20 MB。文件名可以是中文。",
    )
    if not files:
        st.stop()
    parsed, problems = loaders.read_uploads(context, files, form_month)
    if not problems:
        problems = roles.village_row_problems(reporter, parsed, context.catalogue)
    if problems:
        st.session_state.pop("upload_preview", None)
        show_problems(problems)
        st.stop()
    preview_section(context, parsed, form_month, reporter is not None)
