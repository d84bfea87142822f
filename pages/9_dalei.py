"""打擂排名: monthly or quarterly ranks, 红榜/黑榜, warnings, why a village moved, downloads."""

import streamlit as st

from township_data import ranking
from views import dalei, loaders, sharing, shell

context = shell.setup(__file__)
contest = context.catalogue.contest

with shell.guard():
    st.title(f"{contest.sheet}排名")
    heading = st.empty()
    scores = loaders.contest_scores(context)
    if not ranking.scored_months(scores):
        st.warning(
            f"还没有打擂评分数据。请在“数据上传”页上传含“{contest.sheet}”工作表的月报工作簿。"
        )
        st.stop()
    by_quarter, period, top_n, bottom_n = dalei.choose(context, scores)
    view = loaders.contest_view(context, by_quarter, period, top_n, bottom_n)
    sharing.print_title(context, contest.sheet, f"{view.result.label}排名", heading)
    dalei.ranking_section(context, view, scores)
    if by_quarter:
        dalei.meeting_section(context, view, scores, period, top_n, bottom_n)
    dalei.notices_section(view)
    at = dalei.movement_section(context, scores, by_quarter, period)
    dalei.overview_section(context, scores, at)
