"""Every page of the app in one table: its file, its Chinese title and icon, and its group.

The sidebar draws its links from this table and every page takes its title and icon from it
(`shell.setup(__file__)`), so a page is named in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from township_data import config


@dataclass(frozen=True)
class Page:
    """One page: the script (relative to the project), its title, icon and sidebar group."""

    path: str
    title: str
    icon: str
    group: str
    area: str | None = None
    link: str = ""

    @property
    def label(self) -> str:
        """The sidebar's words for the page: its own link text, else its title."""
        return self.link or self.title

    @property
    def exists(self) -> bool:
        return (config.PROJECT_ROOT / self.path).is_file()


HOME = Page("app.py", "总览", ":material/home:", "")
AREA_GROUP, CONTEST_GROUP, DATA_GROUP = "工作领域", "人居环境打擂", "数据与报告"
# The area pages' icons come from the catalogue (an area's `icon`); these are the fallbacks.
AREAS = (
    Page("pages/1_dangjian.py", "党建引领", ":material/flag:", AREA_GROUP, "党建引领"),
    Page("pages/2_xiangcun.py", "乡村振兴", ":material/agriculture:", AREA_GROUP, "乡村振兴"),
    Page("pages/3_anquan.py", "安全生产", ":material/health_and_safety:", AREA_GROUP, "安全生产"),
    Page("pages/4_xinfang.py", "信访维稳", ":material/balance:", AREA_GROUP, "信访维稳"),
    Page("pages/5_wuzhuang.py", "党管武装", ":material/military_tech:", AREA_GROUP, "党管武装"),
    Page("pages/6_renju.py", "人居环境", ":material/cottage:", AREA_GROUP, "人居环境"),
    Page("pages/7_yiqing.py", "疫情防控", ":material/vaccines:", AREA_GROUP, "疫情防控"),
    Page("pages/8_shehui.py", "社会事务", ":material/diversity_3:", AREA_GROUP, "社会事务"),
)
CONTEST = Page(
    "pages/9_dalei.py", "人居环境打擂", ":material/emoji_events:", CONTEST_GROUP, link="打擂排名"
)
UPLOAD = Page("pages/10_shangchuan.py", "数据上传", ":material/upload_file:", DATA_GROUP)
PROGRESS = Page("pages/13_baosong.py", "报送进度", ":material/pending_actions:", DATA_GROUP)
MANAGE = Page("pages/11_guanli.py", "数据管理", ":material/manage_history:", DATA_GROUP)
REPORT = Page("pages/12_zongjie.py", "工作总结", ":material/description:", DATA_GROUP)
EVENTS = Page("pages/14_dashiji.py", "大事记", ":material/event_note:", DATA_GROUP)
OTHERS = (UPLOAD, PROGRESS, MANAGE, EVENTS, REPORT)
# Townships side by side: drawn in the sidebar (under 总览) only when several are configured.
COUNTY = Page("pages/15_xianji.py", "全县各乡镇对比", ":material/leaderboard:", "")
PAGES = (HOME, *AREAS, CONTEST, *OTHERS, COUNTY)
AREA_PAGES = {page.area: page.path for page in AREAS if page.area}


def page_of(script: str) -> Page:
    """The registry entry of a page script (its `__file__`, or a path relative to the project)."""
    path = Path(script)
    relative = (
        path.resolve().relative_to(config.PROJECT_ROOT).as_posix()
        if path.is_absolute()
        else path.as_posix()
    )
    for page in PAGES:
        if page.path == relative:
            return page
    raise KeyError(f"page {relative} is not in views/registry.py")


def area_page(area: str) -> Page | None:
    """The page of a work area, when the app has one."""
    path = AREA_PAGES.get(area)
    return page_of(path) if path else None


def page_exists(path: str) -> bool:
    return (config.PROJECT_ROOT / path).is_file()
