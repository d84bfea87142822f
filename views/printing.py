"""Printing a page on A4 portrait as a leader expects it on paper.

Streamlit's page prints badly by itself: the sidebar and every widget print, the main area
scrolls inside a window-high box (one page comes out), and charts keep their screen width and
are cut at the paper's edge. The shared page setup injects this stylesheet and script:

- `@page`: A4 portrait, margins, "第 N 页 / 共 M 页" at the foot of every sheet.
- Print media: sidebar, header, toolbars, widgets, buttons and links hidden; the main area
  flows over as many pages as it needs; charts, tables, cards and notices are not split.
- Charts and tables keep a `--print-zoom` (printable width ÷ their on-screen width) up to
  date on screen, so the print stylesheet scales them to the page without a re-layout (no
  script runs between the browser's print layout and the paper).
- A title line that only prints: township, page and period (the widgets that chose the period
  are hidden on paper), and when it was printed.
"""

from __future__ import annotations

import datetime as dt
import html

import streamlit as st

# A4 is 210 mm wide; 12 mm margins each side leave 186 mm = 703 CSS px at 96 px per inch.
PAGE_MARGINS = "14mm 12mm 16mm 12mm"
PRINTABLE_WIDTH_PX = 700

PRINT_CSS = """<style>
@page {
  size: A4 portrait;
  margin: %(margins)s;
  @bottom-center {
    content: "第 " counter(page) " 页 / 共 " counter(pages) " 页";
    font-size: 9pt;
    color: #666666;
  }
}
.township-print-title { display: none; }
@media print {
  html, body, .stApp, [data-testid="stApp"], [data-testid="stAppViewContainer"],
  [data-testid="stMain"], [data-testid="stMainBlockContainer"] {
    height: auto !important;
    min-height: 0 !important;
    overflow: visible !important;
    position: static !important;
  }
  [data-testid="stMainBlockContainer"] {
    padding: 0 !important;
    max-width: none !important;
  }
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
  [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
  [data-testid="stStatusWidget"], [data-testid="stElementToolbar"],
  [data-testid="stBottom"], [data-testid="stDownloadButton"], [data-testid="stButton"],
  [data-testid="stPageLink"], [data-testid="stSelectbox"], [data-testid="stMultiSelect"],
  [data-testid="stRadio"], [data-testid="stNumberInput"], [data-testid="stTextInput"],
  [data-testid="stDateInput"], [data-testid="stCheckbox"], [data-testid="stToggle"],
  [data-testid="stSegmentedControl"], [data-testid="stButtonGroup"],
  [data-testid="stPills"], [data-testid="stFileUploader"], [data-testid="stForm"],
  [data-testid="stExpander"], [data-testid="stTabs"] [role="tablist"],
  [data-testid="stTooltipIcon"], .modebar-container, .no-print {
    display: none !important;
  }
  .township-print-title {
    display: block !important;
    border-bottom: 2px solid #8E1B1B;
    margin: 0 0 8px 0;
    padding-bottom: 4px;
    font-size: 11pt;
    color: #333333;
  }
  .township-print-title b { font-size: 14pt; color: #000000; }
  h1, h2, h3, [data-testid="stHeading"] { break-after: avoid; page-break-after: avoid; }
  [data-testid="stPlotlyChart"], [data-testid="stDataFrame"], [data-testid="stTable"],
  [data-testid="stMetric"], [data-testid="stAlert"], [data-testid="stImage"],
  [data-testid="stVerticalBlockBorderWrapper"], tr {
    break-inside: avoid;
    page-break-inside: avoid;
  }
  [data-testid="stPlotlyChart"], [data-testid="stDataFrame"] {
    zoom: var(--print-zoom, 1);
  }
  * {
    -webkit-print-color-adjust: exact !important;
    print-color-adjust: exact !important;
  }
}
</style>"""

# Keeps --print-zoom of every chart and table equal to printable width ÷ its width on screen
# (never above 1), whenever the page changes or the window is resized. Installed once per
# browser tab; the script runs again on every rerun and returns at once.
PRINT_SCRIPT = """<script>
(() => {
  if (window.townshipPrint) return;
  window.townshipPrint = true;
  const fit = () => {
    document.querySelectorAll('[data-testid="stPlotlyChart"], [data-testid="stDataFrame"]')
      .forEach((box) => {
        const wide = box.scrollWidth || box.getBoundingClientRect().width;
        const zoom = wide > %(width)d ? (%(width)d / wide).toFixed(4) : "1";
        if (box.style.getPropertyValue("--print-zoom") !== zoom) {
          box.style.setProperty("--print-zoom", zoom);
        }
      });
  };
  let queued = false;
  const later = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; fit(); });
  };
  if (!window.matchMedia("print").matches) fit();
  new MutationObserver(() => { if (!window.matchMedia("print").matches) later(); })
    .observe(document.body, { childList: true, subtree: true });
  window.addEventListener("resize", () => { if (!window.matchMedia("print").matches) later(); });
})();
</script>"""


def inject() -> None:
    """The print stylesheet and the chart-fitting script, once per page run."""
    st.html(PRINT_CSS % {"margins": PAGE_MARGINS})
    st.html(PRINT_SCRIPT % {"width": PRINTABLE_WIDTH_PX}, unsafe_allow_javascript=True)


def title(township: str, page: str, period: str, today: dt.date | None = None, where=None) -> None:
    """The line printed at the top of the first sheet: '潭湾镇 · 安全生产　2024年1–3月'.

    `where`: an st.empty() placed under the page's heading (the period is known only after the
    widgets that choose it); the page itself otherwise.
    """
    today = today or dt.date.today()
    printed = f"打印于 {today.year}年{today.month}月{today.day}日"
    (where or st).html(
        f'<div class="township-print-title"><b>{html.escape(township)} · {html.escape(page)}'
        f"</b>　{html.escape(period)}　<span>{printed}</span></div>"
    )
