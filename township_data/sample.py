"""Deterministic sample workbooks: 24 months of believable figures for every indicator.

The sample is what a leader sees on first start, so it has the township's seasons (fireworks
enforcement around the Spring Festival, conscription in its two seasons), magnitudes that fit
16 villages, some 未报 cells, a village that misses a month, 打擂 months with tied totals and a
黑榜 village that climbs after its 表态发言, 疫情防控 ending with its area, the seed's own
villages where the seed names them, and the 大事记 (sample_events.py): floods with the militia
out in their months, a 表彰大会 each quarter, one month re-sent with corrections.
Files are byte-identical on every run (fixed seed, fixed zip timestamps), so the committed
sample_data/ can be checked against the generator.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import numpy as np

from . import config, months
from .catalogue import TOWN, Catalogue, Indicator
from .sample_events import (
    CORRECTED_FILE,
    CORRECTED_MONTH,
    FLOOD_MONTHS,
    corrected,
    fill_events,
    sample_events,
)
from .workbook import template_book

FIXED_ZIP_TIME = (2024, 1, 1, 0, 0, 0)
_TIMESTAMP = re.compile(rb">\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<")

# Month weights (Jan..Dec) of the seasonal indicators.
SPRING_FESTIVAL = [3.0, 2.6, 0.6, 0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 0.7, 1.8]
FLOOD = [0, 0, 0, 0, 0.3, 2.5, 3.0, 1.2, 0, 0, 0, 0]
REGISTRATION = [1.5, 1.5, 1.4, 1.2, 1.2, 1.6, 0, 0, 0, 0, 0, 0]
ENLIST_SIGNUP = [1.6, 1.2, 0, 0, 0, 1.0, 1.8, 1.0, 0, 0, 0, 0.6]
ENLIST_CHECK = [0, 1.8, 0.4, 0, 0, 0, 0.4, 1.8, 0, 0, 0, 0]
ENLIST_JOIN = [0, 0, 1.6, 0, 0, 0, 0, 0, 1.6, 0, 0, 0]
SCHOOL_TERMS = [0.3, 2.0, 2.0, 0.2, 0.1, 0.1, 0.2, 1.6, 2.2, 0.3, 0.1, 0.1]
RECRUIT = [0.2, 0.1, 0.3, 0.4, 0.8, 2.6, 0.6, 0.2, 0.3, 0.4, 0.6, 2.4]
CAMPAIGNS = [1.6, 1.4, 0.9, 0.9, 1.2, 1.3, 1.2, 0.9, 0.9, 1.3, 0.8, 1.2]
BUILD = [0.4, 0.5, 1.4, 1.6, 1.3, 0.8, 0.7, 0.8, 1.2, 1.5, 1.3, 0.5]
DISPUTES = [1.8, 1.6, 1.0, 0.8, 0.8, 0.8, 0.9, 0.9, 0.8, 0.8, 0.9, 1.3]
FLAT = [1.0] * 12

# name → (monthly mean per village, mean of the 全镇 row, season): sized for 16 villages of a
# township of about 25,000 people (a year's 兵役登记 about 150, 入伍 about 10).
COUNTS: dict[str, tuple[float, float, list[float]]] = {
    "中心组理论学习": (0, 0.5, FLAT),  # plus the one session every month the seed requires
    "党员干部读书活动会": (0.15, 0.8, FLAT),
    "联村领导到村上党课": (0.3, 0, FLAT),
    "已发展党员": (0.07, 0.05, RECRUIT),
    "入党积极分子集中培训": (0, 0.25, RECRUIT),
    "发展对象集中培训": (0, 0.2, RECRUIT),
    "办理退职老干生活补助": (0, 3, FLAT),
    "村（社区）干部培训": (0.3, 0, FLAT),
    "主题党日活动": (1.05, 0, FLAT),
    "建档立卡贫困学生助学摸底": (4, 0, SCHOOL_TERMS),
    "危房改造": (0.12, 0, BUILD),
    "新增监测户": (0.08, 0, FLAT),
    "专项隐患排查整治": (0, 9, CAMPAIGNS),
    "检查生产经营单位": (6, 0, CAMPAIGNS),
    "下达行政整改指令（通知）书": (0, 6, CAMPAIGNS),
    "排查安全隐患": (1.5, 0, CAMPAIGNS),
    "联合集中整治行动": (0, 2.5, CAMPAIGNS),
    "检查车辆": (15, 0, SPRING_FESTIVAL),
    "查处非法营运": (0.2, 0, SPRING_FESTIVAL),
    "查处交通违法": (1.0, 0, SPRING_FESTIVAL),
    "排查整改农村道路安全隐患": (0.4, 0, BUILD),
    "查处非法烟花爆竹零售点": (0.08, 0, SPRING_FESTIVAL),
    "扣押非法烟花爆竹": (0, 12, SPRING_FESTIVAL),
    "办理简易执法案件": (0, 2.5, CAMPAIGNS),
    "现场处罚生产经营单位": (0, 2, CAMPAIGNS),
    "安全知识培训讲座和现场演练": (0.15, 1.5, CAMPAIGNS),
    "观看安全警示教育片": (0.1, 1, CAMPAIGNS),
    "矛盾纠纷": (0.6, 0, DISPUTES),
    "信访重点人员销号": (0.05, 0, FLAT),
    "精神病患者送院康复救治": (0.08, 0, FLAT),
    "扫黑除恶线索摸排": (0.15, 0, FLAT),
    "党管武装专项会议": (0, 0.5, REGISTRATION),
    "兵役登记": (1.1, 0, REGISTRATION),
    "征兵报名": (0.5, 0, ENLIST_SIGNUP),
    "征兵初检": (0.5, 0, ENLIST_CHECK),
    "入伍": (0.3, 0, ENLIST_JOIN),
    "拆除危房": (0.3, 0, BUILD),
    "拆除残垣断壁": (0.6, 0, BUILD),
    "拆除旱厕": (0.5, 0, BUILD),
    "拆除猪栏牛栏": (0.4, 0, BUILD),
    "修建沟渠、治理黑臭水体": (0.3, 0, BUILD),
    "公路两边播种花籽及绿化": (1.2, 0, BUILD),
    "打造小花坛": (0.2, 0, BUILD),
    "敲门行动排查": (60, 0, FLAT),
    "中高风险地返乡人员隔离管控": (3, 0, FLAT),
    "疫苗接种": (80, 0, FLAT),
    "新增低保": (0.15, 0, FLAT),
    "停发低保": (0.1, 0, FLAT),
    "新增农村分散特困供养": (0.04, 0, FLAT),
    "停发农村分散特困供养": (0.03, 0, FLAT),
    "临时救助": (0.3, 0, SPRING_FESTIVAL),
    "残疾人两项补贴新增": (0.2, 0, FLAT),
    "残疾人两项补贴停发": (0.1, 0, FLAT),
    "新办理残疾证": (0.2, 0, FLAT),
    "残疾证到期换证": (0.15, 0, FLAT),
    "变更残疾等级": (0.06, 0, FLAT),
    "发放轮椅": (0.06, 0, FLAT),
    "发放坐厕椅": (0.05, 0, FLAT),
    "发放拐杖": (0.05, 0, FLAT),
    "发放盲杖": (0.02, 0, FLAT),
    "发放语音壶": (0.02, 0, FLAT),
}
# Militia go out in the months of a flood (the 大事记's 防汛抢险): (village mean, 全镇 mean).
FLOOD_MILITIA = (1.5, 6.0)
# Only the villages the seed names do this work: its 产业基地 and its roadside planting.
ONLY_IN = {
    "乡村振兴产业基地": ("酉庄村", "蛇形村", "杉林村"),
    "公路两边播种花籽及绿化": ("杨龙村", "杉林村", "石牌村"),
}
# The 打擂 story: 荷塘村 is on the 黑榜 until its 表态发言 at the April 2024 meeting, then climbs.
LAGGARD, TURNS = "荷塘村", "2024-04"
# Covid work faded out after early 2023.
COVID = {
    "敲门行动排查",
    "中高风险地返乡人员隔离管控",
    "疫苗接种",
    "疫情防控服务站",
    "公共场所场所码",
}
# A part of another figure: (part, whole, share).
PARTS = {
    "危房改造（其中脱贫户）": ("危房改造", 0.55),
    "危房改造已完成": ("危房改造", 0.8),
    "新增监测人口": ("新增监测户", 3.1),
    "监测户已制定帮扶措施": ("新增监测户", 1.0),
    "已整改安全隐患": ("排查安全隐患", 0.93),
    "矛盾纠纷已调解处理": ("矛盾纠纷", 0.95),
    "绿化长度": ("公路两边播种花籽及绿化", 180),
    "新增低保人数": ("新增低保", 2.2),
    "停发低保人数": ("停发低保", 1.9),
    "新增农村分散特困供养人数": ("新增农村分散特困供养", 1.0),
    "停发农村分散特困供养人数": ("停发农村分散特困供养", 1.0),
    "临时救助金额": ("临时救助", 1500),
}


class _Generator:
    """Holds the random state and per-village traits so every figure is reproducible."""

    def __init__(self, catalogue: Catalogue, seed: int) -> None:
        self.cat = catalogue
        self.rng = np.random.default_rng(seed)
        self.villages = catalogue.village_names
        self.size = {v: float(self.rng.uniform(0.6, 1.6)) for v in self.villages}
        self.quality = {v: float(self.rng.uniform(-1, 1)) for v in self.villages}
        self.stock: dict[str, dict[str, float]] = {v: {} for v in [*self.villages, TOWN]}

    def month_values(self, month: str, area: str) -> dict[str, dict[str, float | None]]:
        """village (or 全镇) → indicator → value (None = 未报) for one sheet and month."""
        index = months.month_range(config.SAMPLE_FIRST_MONTH, month).__len__() - 1
        mon = int(month[5:]) - 1
        rows: dict[str, dict[str, float | None]] = {}
        for village in [*self.villages, TOWN]:
            row: dict[str, float | None] = {}
            for ind in self.cat.area(area).indicators:
                if (village == TOWN and not ind.town_row) or (
                    village != TOWN and not ind.village_rows
                ):
                    continue
                row[ind.name] = self._value(ind, village, month, mon, index, row)
            rows[village] = row
        return rows

    def _value(
        self, ind: Indicator, village: str, month: str, mon: int, index: int, row
    ) -> float | None:
        town = village == TOWN
        size = 1.0 if town else self.size[village]
        if ind.name in PARTS:
            return self._part(ind, row)
        if ind.name in ONLY_IN and village not in ONLY_IN[ind.name]:
            return 0.0
        if ind.name == "抢险救灾出动民兵":
            if month not in FLOOD_MONTHS:
                return 0.0
            mean = FLOOD_MILITIA[1] if town else FLOOD_MILITIA[0] * size
            return float(self.rng.poisson(mean * FLOOD_MONTHS[month]))
        if ind.combine == "sum":
            village_mean, town_mean, season = COUNTS.get(ind.name, (1.0, 1.0, FLAT))
            mean = (town_mean if town else village_mean * size) * season[mon]
            if ind.name in COVID:
                mean *= max(0.0, 1 - index / 5) ** 2
            drawn = float(self.rng.poisson(mean)) if mean > 0 else 0.0
            # 中心组理论学习 at least once every month, as the report's 下步工作重点 requires
            return drawn + 1 if ind.name == "中心组理论学习" else drawn
        return self._stock(ind, village, month, index, size)

    def _part(self, ind: Indicator, row: dict[str, float | None]) -> float | None:
        whole, share = PARTS[ind.name]
        base = row.get(whole)
        if base is None:
            return None
        if share == 1:
            return float(base)
        if share > 1:
            spread = self.rng.uniform(0.7, 1.3) if share > 100 else self.rng.uniform(0.9, 1.15)
            return float(max(base, round(base * share * spread, -1 if share > 100 else 0)))
        return float(self.rng.binomial(int(base), share))

    def _rate(self, ind: Indicator, village: str, month: str, index: int) -> float:
        if ind.name == "脱贫户医保和防返贫保险覆盖率":
            # fully covered from 2024 (the seed's 已实现全覆盖), a few short in 2023
            gap = 0.0 if month >= "2024-01" else abs(self.rng.normal(0, 0.4))
            return round(100.0 - gap, 1)
        floor = {"家庭医生签约率": 82.0, "基干民兵在位率": 95.0}.get(ind.name, 96.0)
        drift = 0.15 * index + self.rng.normal(0, 0.6) + 1.5 * self.quality.get(village, 0)
        return round(float(min(100.0, max(floor - 5, floor + drift))), 1)

    def _stock(self, ind: Indicator, village: str, month: str, index: int, size: float) -> float:
        memory = self.stock[village]
        town = village == TOWN
        previous = memory.get(ind.name)
        # yearly figures (plans, 基干民兵 after the year's reorganisation, projects) are set
        # in January and kept through the year
        kept = previous if previous is not None and not month.endswith("-01") else None
        projects = memory.get("衔接资金项目", 0.0)
        if ind.kind == "percent":
            value = self._rate(ind, village, month, index)
        elif ind.name in ONLY_IN:
            value = 1.0
        elif ind.combine == "target":
            value = kept if kept is not None else float(2 if town else self.rng.binomial(1, 0.6))
        elif ind.name in COVID:
            full = 3 if ind.name == "疫情防控服务站" else 6
            value = float(max(0, round(full * size * (1 - index / 4)))) if index < 4 else 0.0
        elif ind.name == "基干民兵":
            value = kept if kept is not None else float(12 if town else round(2 * size))
        elif ind.name == "信访重点人员（五包一）":
            base = previous if previous is not None else float(self.rng.choice([0, 0, 0, 1, 1, 2]))
            value = float(min(2, max(0, base + self.rng.choice([-1, *[0] * 10, 1]))))
        elif ind.name == "衔接项目总投资":
            value = (
                kept if kept is not None else round(float(projects * self.rng.uniform(30, 120)), 1)
            )
        elif ind.name == "衔接项目已开工":
            started = (previous or 0) + self.rng.binomial(1, 0.4)
            value = 0.0 if month.endswith("-01") else float(min(projects, started))
        else:
            start = {"公益性岗位": 3, "衔接资金项目": 0.6}.get(ind.name, 1)
            value = kept if kept is not None else float(self.rng.poisson(start * size))
        memory[ind.name] = value
        return value

    def contest(self, month: str) -> dict[str, dict[str, float]]:
        """Per village: item scores in half points, with a tie forced in some months."""
        scores: dict[str, dict[str, float]] = {}
        for village in self.villages:
            row = {}
            quality = self.quality[village]
            if village == LAGGARD:
                quality = -1.6 if month < TURNS else 1.0
            for item in self.cat.contest.items:
                top = item.max or 0
                level = 0.82 + 0.07 * quality + self.rng.normal(0, 0.05)
                row[item.name] = float(min(top, max(top * 0.5, round(top * level * 2) / 2)))
            scores[village] = row
        tie_months = {"2023-08": (5, 6), "2024-03": (2, 3), "2024-06": (0, 1), "2023-11": (12, 13)}
        if month in tie_months:
            ranked = sorted(self.villages, key=lambda v: -sum(scores[v].values()))
            # modulo: a township with fewer villages (a county's catalogue folder) still ties
            a, b = (ranked[i % len(ranked)] for i in tie_months[month])
            scores[b] = dict(scores[a])
        return scores


def _stable_zip(data: bytes) -> bytes:
    """Re-pack a workbook with fixed timestamps so the same figures give the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _TIMESTAMP.sub(b">2024-01-01T00:00:00Z<", content)
            target.writestr(entry, content)
    return buffer.getvalue()


def sample_workbooks(catalogue: Catalogue, seed: int = config.SAMPLE_SEED) -> dict[str, bytes]:
    """File name → workbook bytes for every sample month, and the corrected month after it."""
    gen = _Generator(catalogue, seed)
    found = sample_events(catalogue)
    files: dict[str, bytes] = {}
    for index, month in enumerate(
        months.month_range(config.SAMPLE_FIRST_MONTH, config.SAMPLE_LAST_MONTH)
    ):
        book = template_book(catalogue, month)
        book.properties.creator = catalogue.township_name
        for area in (a.name for a in catalogue.areas_at(month)):
            values = gen.month_values(month, area)
            _fill(book[area], values, gen, skip_village=_absent(catalogue, index, area))
        contest = gen.contest(month)
        if month == "2024-05":
            contest.pop(catalogue.village_names[-1])
        _fill_contest(book[catalogue.contest.sheet], contest, catalogue)
        _add_total_row(book["社会事务"])
        fill_events(book, found, month)
        buffer = io.BytesIO()
        book.save(buffer)
        files[f"{month}.xlsx"] = _stable_zip(buffer.getvalue())
        if month == CORRECTED_MONTH:
            files[CORRECTED_FILE] = _stable_zip(corrected(buffer.getvalue()))
    return files


def _absent(catalogue: Catalogue, index: int, area: str) -> str | None:
    """Now and then one village does not report one sheet for one month."""
    if index % 5 == 3 and catalogue.area_names.index(area) == index % len(catalogue.area_names):
        return catalogue.village_names[(index * 7) % len(catalogue.village_names)]
    return None


def _fill(ws, values, gen: _Generator, skip_village: str | None) -> None:
    headers = {ws.cell(3, c).value: c for c in range(1, ws.max_column + 1)}
    for r in range(4, ws.max_row + 1):
        village = ws.cell(r, 1).value
        if village not in values or village == skip_village:
            continue
        blank: set[str] = set()
        for name, value in values[village].items():
            ind = gen.cat.indicator(ws.title, name)
            # now and then (1 cell in 500) a cell is left 未报; a part (已调解处理) goes with its whole
            if name in PARTS:
                if PARTS[name][0] in blank:
                    blank.add(name)
            elif village != TOWN and gen.rng.random() < 0.002:
                blank.add(name)
            if value is None or name in blank:
                continue
            ws.cell(r, headers[ind.label], int(value) if float(value).is_integer() else value)


def _fill_contest(ws, scores, catalogue: Catalogue) -> None:
    headers = {ws.cell(3, c).value: c for c in range(1, ws.max_column + 1)}
    for r in range(4, ws.max_row + 1):
        row = scores.get(ws.cell(r, 1).value)
        if row is None:
            continue
        for item in catalogue.contest.items:
            ws.cell(r, headers[item.label], row[item.name])
        ws.cell(r, headers[catalogue.contest.total.label], sum(row.values()))


def _add_total_row(ws) -> None:
    """Offices add a 合计 row; the reader checks it, so the sample carries a correct one."""
    last = ws.max_row
    ws.cell(last + 1, 1, "合计")
    for c in range(3, ws.max_column + 1):
        numbers = [ws.cell(r, c).value for r in range(4, last + 1)]
        numbers = [n for n in numbers if isinstance(n, int | float)]
        if numbers:
            ws.cell(last + 1, c, sum(numbers))


def write_samples(out: Path, catalogue: Catalogue, seed: int = config.SAMPLE_SEED) -> list[Path]:
    """Write the sample workbooks into `out`; returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in sample_workbooks(catalogue, seed).items():
        path = out / name
        path.write_bytes(data)
        paths.append(path)
    return paths


def load_into(store, catalogue: Catalogue, user: str = config.SAMPLE_USER) -> int:
    """Import the shipped sample workbooks (generated in memory if the folder is missing).

    Used on first start with an empty store; returns how many versions were stored. The shipped
    files fit the shipped catalogue only: another township's catalogue (its own villages, in a
    county's catalogue folder) gets workbooks generated from it. A file imported before is not
    imported again (June's first version would otherwise replace its correction once more).
    """
    import hashlib

    from .catalogue import load_catalogue
    from .workbook import read_workbook

    files = {}
    if catalogue.fingerprint == load_catalogue(config.DEFAULT_CATALOGUE).fingerprint:
        files = {p.name: p.read_bytes() for p in sorted(config.SAMPLE_DIR.glob("*.xlsx"))}
    if not files:
        files = sample_workbooks(catalogue)
    stored = 0
    history = store.history()
    known = set(history["sha256"]) if len(history) else set()
    for name, data in files.items():
        if hashlib.sha256(data).hexdigest() in known:
            continue
        result = store.import_workbook(read_workbook(data, name, catalogue), user)
        stored += int(result.changed)
    return stored
