"""总览 (home): what needs attention, every area since January against last year, data status."""

import streamlit as st

from township_data import charts, digest, metrics, months
from views import loaders, overview, sharing, shell, widgets

context = shell.setup(__file__)
catalogue = context.catalogue

with shell.guard():
    st.title(f"{catalogue.township_name}工作数据看板")
    month_list = loaders.loaded_months(context)
    if not month_list:
        st.warning("还没有任何数据。请在“数据上传”页上传月报工作簿。")
        st.stop()
    latest = month_list[-1]
    sharing.print_title(context, "总览", f"数据截至{months.label(latest)}")
    st.caption(f"数据截至 {months.label(latest)}。点击各卡片下方的链接查看该领域详情。")
    summary = loaders.overview_data(context, month_list)
    sharing.overview(
        context,
        digest.overview(
            catalogue,
            latest,
            summary.year_so_far,
            summary.behind,
            summary.unreported,
            summary.hazards,
            loaders.latest_contest(context),
        ),
        loaders.status_matrix(context, month_list)[month_list[-12:]],
    )
    overview.attention(context, summary, month_list)
    overview.contest_card(context)
    overview.events_card(context, summary, month_list)
    overview.area_cards(context, summary, month_list)

    st.subheader("数据报送情况")
    matrix = loaders.status_matrix(context, month_list)
    reported_latest = int((matrix[latest] == metrics.REPORTED).sum())
    expected_latest = int((matrix[latest] != metrics.NOT_APPLICABLE).sum())
    # The span goes in the caption: as a metric value it is cut to "2023年1月–…" in a column.
    cols = st.columns(3)
    cols[0].metric("已载入月份", f"{len(month_list)} 个月")
    cols[1].metric(f"{months.label(latest)}已报领域", f"{reported_latest} / {expected_latest}")
    cols[2].metric("村（社区）", f"{len(catalogue.village_names)} 个")
    st.caption(f"数据月份：{months.label(month_list[0])}–{months.label(latest)}")
    show_all = st.toggle("显示全部月份", value=False, key="home_all_months")
    shown = matrix if show_all else matrix[month_list[-12:]]
    # an area whose work ended before these months (疫情防控) has no row here
    shown = shown[(shown != metrics.NOT_APPLICABLE).any(axis=1)]
    widgets.plot(
        context,
        "status",
        (tuple(shown.columns),),
        lambda: charts.status_heatmap(
            shown,
            f"各领域数据报送情况（{months.period_label(shown.columns[0], shown.columns[-1])}）",
        ),
    )
    st.caption("已报：所有村（社区）都有数据；部分：部分村（社区）有数据；未报：该月没有数据。")
    table = shown.copy()
    table.columns = [months.label(m) for m in table.columns]
    st.dataframe(table, width="stretch", key="home_status_table")
