"""The catalogue holds every indicator of the seed report and refuses broken files clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from township_data import config
from township_data.catalogue import TOWN, load_catalogue, load_catalogues, parse_catalogue
from township_data.errors import CatalogueError

# Every figure of the seed report (../shared/spec/indicators-from-seed.md): area, indicator,
# unit, how months combine, level. The contest scores live in their own sheet (see below).
SEED_INDICATORS = [
    ("党建引领", "中心组理论学习", "次", "sum", "town"),
    ("党建引领", "党员干部读书活动会", "次", "sum", "both"),
    ("党建引领", "联村领导到村上党课", "次", "sum", "village"),
    ("党建引领", "计划发展党员", "人", "target", "both"),
    ("党建引领", "已发展党员", "人", "sum", "both"),
    ("党建引领", "入党积极分子集中培训", "次", "sum", "town"),
    ("党建引领", "发展对象集中培训", "次", "sum", "town"),
    ("党建引领", "办理退职老干生活补助", "人", "sum", "town"),
    ("党建引领", "村（社区）干部培训", "次", "sum", "village"),
    ("党建引领", "主题党日活动", "次", "sum", "village"),
    ("乡村振兴", "建档立卡贫困学生助学摸底", "名", "sum", "village"),
    ("乡村振兴", "脱贫户医保和防返贫保险覆盖率", "%", "last", "village"),
    ("乡村振兴", "家庭医生签约率", "%", "last", "village"),
    ("乡村振兴", "危房改造", "户", "sum", "village"),
    ("乡村振兴", "危房改造（其中脱贫户）", "户", "sum", "village"),
    ("乡村振兴", "危房改造已完成", "户", "sum", "village"),
    ("乡村振兴", "公益性岗位", "个", "last", "village"),
    ("乡村振兴", "衔接资金项目", "个", "last", "village"),
    ("乡村振兴", "衔接项目已开工", "个", "last", "village"),
    ("乡村振兴", "衔接项目总投资", "万元", "last", "village"),
    ("乡村振兴", "乡村振兴产业基地", "个", "last", "village"),
    ("乡村振兴", "新增监测户", "户", "sum", "village"),
    ("乡村振兴", "新增监测人口", "人", "sum", "village"),
    ("乡村振兴", "监测户已制定帮扶措施", "户", "sum", "village"),
    ("安全生产", "专项隐患排查整治", "次", "sum", "town"),
    ("安全生产", "检查生产经营单位", "家次", "sum", "village"),
    ("安全生产", "下达行政整改指令（通知）书", "份", "sum", "town"),
    ("安全生产", "排查安全隐患", "处", "sum", "village"),
    ("安全生产", "已整改安全隐患", "处", "sum", "village"),
    ("安全生产", "联合集中整治行动", "次", "sum", "town"),
    ("安全生产", "检查车辆", "台次", "sum", "village"),
    ("安全生产", "查处非法营运", "起", "sum", "village"),
    ("安全生产", "查处交通违法", "起", "sum", "village"),
    ("安全生产", "排查整改农村道路安全隐患", "处", "sum", "village"),
    ("安全生产", "查处非法烟花爆竹零售点", "处", "sum", "village"),
    ("安全生产", "扣押非法烟花爆竹", "件（箱）", "sum", "town"),
    ("安全生产", "办理简易执法案件", "起", "sum", "town"),
    ("安全生产", "现场处罚生产经营单位", "家", "sum", "town"),
    ("安全生产", "安全知识培训讲座和现场演练", "次", "sum", "both"),
    ("安全生产", "观看安全警示教育片", "次", "sum", "both"),
    ("信访维稳", "矛盾纠纷", "起", "sum", "village"),
    ("信访维稳", "矛盾纠纷已调解处理", "起", "sum", "village"),
    ("信访维稳", "信访重点人员（五包一）", "人", "last", "village"),
    ("信访维稳", "信访重点人员销号", "人", "sum", "village"),
    ("信访维稳", "精神病患者送院康复救治", "名", "sum", "village"),
    ("信访维稳", "扫黑除恶线索摸排", "条", "sum", "village"),
    ("党管武装", "党管武装专项会议", "次", "sum", "town"),
    ("党管武装", "基干民兵", "人", "last", "both"),
    ("党管武装", "基干民兵在位率", "%", "last", "both"),
    ("党管武装", "兵役登记", "人", "sum", "village"),
    ("党管武装", "征兵报名", "人", "sum", "village"),
    ("党管武装", "征兵初检", "人", "sum", "village"),
    ("党管武装", "入伍", "人", "sum", "village"),
    ("党管武装", "抢险救灾出动民兵", "人", "sum", "both"),
    ("人居环境", "拆除危房", "处", "sum", "village"),
    ("人居环境", "拆除残垣断壁", "处", "sum", "village"),
    ("人居环境", "拆除旱厕", "处", "sum", "village"),
    ("人居环境", "拆除猪栏牛栏", "处", "sum", "village"),
    ("人居环境", "修建沟渠、治理黑臭水体", "处", "sum", "village"),
    ("人居环境", "公路两边播种花籽及绿化", "处", "sum", "village"),
    ("人居环境", "绿化长度", "米", "sum", "village"),
    ("人居环境", "打造小花坛", "个", "sum", "village"),
    ("疫情防控", "敲门行动排查", "人", "sum", "village"),
    ("疫情防控", "疫情防控服务站", "个", "last", "village"),
    ("疫情防控", "中高风险地返乡人员隔离管控", "人", "sum", "village"),
    ("疫情防控", "疫苗接种", "剂次", "sum", "village"),
    ("疫情防控", "公共场所场所码", "个", "last", "village"),
    ("社会事务", "新增低保", "户", "sum", "village"),
    ("社会事务", "新增低保人数", "人", "sum", "village"),
    ("社会事务", "停发低保", "户", "sum", "village"),
    ("社会事务", "停发低保人数", "人", "sum", "village"),
    ("社会事务", "新增农村分散特困供养", "户", "sum", "village"),
    ("社会事务", "新增农村分散特困供养人数", "人", "sum", "village"),
    ("社会事务", "停发农村分散特困供养", "户", "sum", "village"),
    ("社会事务", "停发农村分散特困供养人数", "人", "sum", "village"),
    ("社会事务", "临时救助", "人", "sum", "village"),
    ("社会事务", "临时救助金额", "元", "sum", "village"),
    ("社会事务", "残疾人两项补贴新增", "人", "sum", "village"),
    ("社会事务", "残疾人两项补贴停发", "人", "sum", "village"),
    ("社会事务", "新办理残疾证", "人", "sum", "village"),
    ("社会事务", "残疾证到期换证", "人", "sum", "village"),
    ("社会事务", "变更残疾等级", "人", "sum", "village"),
    ("社会事务", "发放轮椅", "台", "sum", "village"),
    ("社会事务", "发放坐厕椅", "个", "sum", "village"),
    ("社会事务", "发放拐杖", "副", "sum", "village"),
    ("社会事务", "发放盲杖", "根", "sum", "village"),
    ("社会事务", "发放语音壶", "个", "sum", "village"),
]


def test_every_seed_indicator_is_catalogued_with_its_rules(catalogue) -> None:
    assert len(SEED_INDICATORS) == 87
    for area, name, unit, combine, level in SEED_INDICATORS:
        ind = catalogue.indicator(area, name)
        assert (ind.unit, ind.combine, ind.level) == (unit, combine, level), name


def test_areas_in_report_order_and_contest(catalogue) -> None:
    assert catalogue.area_names == [
        "党建引领",
        "乡村振兴",
        "安全生产",
        "信访维稳",
        "党管武装",
        "人居环境",
        "疫情防控",
        "社会事务",
    ]
    contest = catalogue.contest
    assert contest.sheet == "人居环境打擂"
    assert sum(i.max for i in contest.items) == contest.full_marks == 100
    assert contest.total.name == "总分"
    assert 1 <= contest.red_n < len(catalogue.village_names)


def test_villages_include_the_reports_five_and_aliases(catalogue) -> None:
    names = catalogue.village_names
    assert 12 <= len(names) <= 20
    for named in ("酉庄村", "蛇形村", "杉林村", "杨龙村", "石牌村"):
        assert named in names
    assert catalogue.resolve_village("酉庄") == "酉庄村"
    assert catalogue.resolve_village("杉林村委会") == "杉林村"
    assert catalogue.resolve_village("杉林村村民委员会") == "杉林村"
    assert catalogue.resolve_village("杉林村民委员会") == "杉林村"
    assert catalogue.resolve_village("潭湾社区居委会") == "潭湾社区"
    assert catalogue.resolve_village(" 石\u3000牌 村 ") == "石牌村"
    assert catalogue.resolve_village("镇本级") == TOWN
    assert catalogue.resolve_village("潭湾镇") == TOWN
    assert catalogue.resolve_village("东山村") is None
    assert catalogue.suggest_village("杉材村") == "杉林村"


def test_units_and_ranges_follow_unit_kinds(catalogue) -> None:
    rate = catalogue.indicator("乡村振兴", "家庭医生签约率")
    assert (rate.kind, rate.min, rate.max, rate.across) == ("percent", 0, 100, "mean")
    count = catalogue.indicator("安全生产", "检查生产经营单位")
    assert count.whole and count.min == 0 and count.max is None and count.across == "sum"
    money = catalogue.indicator("社会事务", "临时救助金额")
    assert money.kind == "money" and not money.whole


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("检查生产经营单位", "检查生产经营单位"),
        ("检查生产经营单位（家次）", "检查生产经营单位"),
        ("检查生产经营单位 (家次)", "检查生产经营单位"),
        ("检查生产经营单位【家次】", "检查生产经营单位"),
        ("扣押非法烟花爆竹（件（箱））", "扣押非法烟花爆竹"),
        ("下达行政整改指令（通知）书（份）", "下达行政整改指令（通知）书"),
        ("下达行政整改指令(通知)书", "下达行政整改指令（通知）书"),
        ("查处非法销售烟花爆竹零售点", "查处非法烟花爆竹零售点"),
        ("排查安全隐患（已整改）", None),
        ("检查生产经营", None),
    ],
)
def test_column_matching(catalogue, header: str, expected: str | None) -> None:
    found = catalogue.match_column("安全生产", header)
    assert (found.name if found else None) == expected


def test_column_suggestion(catalogue) -> None:
    assert catalogue.suggest_column("安全生产", "检查生产单位（家次）") == "检查生产经营单位"


def _broken(text: str, tmp_path: Path) -> CatalogueError:
    path = tmp_path / "catalogue.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(path)
    return caught.value


def test_broken_entries_are_named_all_at_once(tmp_path: Path) -> None:
    text = config.DEFAULT_CATALOGUE.read_text(encoding="utf-8")
    text = text.replace(
        '{ name = "中心组理论学习", unit = "次", combine = "sum"',
        '{ name = "中心组理论学习", unit = "次次", combine = "sum"',
    )
    text = text.replace(
        'name = "检查车辆", unit = "台次", combine = "sum"',
        'name = "检查车辆", unit = "台次", combine = "add"',
    )
    text = text.replace('[[villages]]\nname = "蛇形村"', '[[villages]]\nname = "酉庄村"')
    error = _broken(text, tmp_path)
    messages = [str(p) for p in error.problems]
    assert any("中心组理论学习" in m and "单位“次次”" in m for m in messages)
    assert any("检查车辆" in m and "combine" in m for m in messages)
    assert any("酉庄村" in m and "重复" in m for m in messages)
    assert "指标目录文件有误" in str(error)


def test_unknown_field_and_bad_toml(tmp_path: Path) -> None:
    text = config.DEFAULT_CATALOGUE.read_text(encoding="utf-8").replace(
        'name = "入伍", unit = "人", combine = "sum"', 'name = "入伍", unit = "人", comine = "sum"'
    )
    messages = [str(p) for p in _broken(text, tmp_path).problems]
    assert any("入伍" in m and "未知字段 comine" in m for m in messages)
    assert any("TOML" in str(p) for p in _broken("[township\nkey=", tmp_path).problems)


def test_contest_items_must_add_up_to_full_marks(tmp_path: Path) -> None:
    text = config.DEFAULT_CATALOGUE.read_text(encoding="utf-8").replace(
        '{ name = "长效管护", max = 15 }', '{ name = "长效管护", max = 10 }'
    )
    assert any("满分" in str(p) for p in _broken(text, tmp_path).problems)


def test_the_reporting_deadline_and_office(catalogue, tmp_path: Path) -> None:
    assert (catalogue.deadline_day, catalogue.office) == (5, "党政办")
    text = config.DEFAULT_CATALOGUE.read_text(encoding="utf-8")
    for bad, shown in (("31", "31"), ('"5"', "5"), ("0", "0"), ("true", "True")):
        broken = text.replace("deadline_day = 5", f"deadline_day = {bad}", 1)
        assert [str(p) for p in _broken(broken, tmp_path).problems] == [
            "catalogue.toml：[collection]：deadline_day（每月报送截止日）应为 1 到 28 之间的整数，"
            f"现为“{shown}”"
        ]
    unknown = text.replace("deadline_day = 5", "deadline = 5", 1)
    assert any("未知字段 deadline" in str(p) for p in _broken(unknown, tmp_path).problems)
    absent = text.replace("deadline_day = 5\n", "", 1).replace('office = "党政办"\n', "", 1)
    path = tmp_path / "absent.toml"
    path.write_text(absent, encoding="utf-8")
    assert (load_catalogue(path).deadline_day, load_catalogue(path).office) == (5, "党政办")


def test_missing_file_is_a_catalogue_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="找不到指标目录文件"):
        load_catalogue(tmp_path / "none.toml")


def test_parse_is_deterministic_fingerprint(catalogue) -> None:
    again = parse_catalogue(config.DEFAULT_CATALOGUE.read_bytes(), config.DEFAULT_CATALOGUE)
    assert again.fingerprint == catalogue.fingerprint


# ------------------------------------------------------- a county: one file per township


def test_a_county_folder_holds_one_catalogue_per_township(county_catalogues: Path) -> None:
    catalogues = load_catalogues()
    assert list(catalogues) == ["tanwan", "shiqiao"]  # file name order
    assert catalogues["shiqiao"].township_name == "石桥镇"
    assert catalogues["shiqiao"].village_names[:2] == ["石桥社区", "柳溪村"]
    assert catalogues["shiqiao"].resolve_village("柳溪村委会") == "柳溪村"
    assert catalogues["shiqiao"].resolve_village("酉庄村") is None
    assert load_catalogue(township="shiqiao") is catalogues["shiqiao"]
    with pytest.raises(CatalogueError, match="有 2 个镇，请指定是哪个镇") as caught:
        load_catalogue()
    assert "tanwan（潭湾镇）、shiqiao（石桥镇）" in str(caught.value)
    with pytest.raises(CatalogueError, match="没有代号为“qingshui”的镇"):
        load_catalogue(township="qingshui")
    # a single file is a township's own deployment: no choice to make
    assert load_catalogue(county_catalogues / "2_shiqiao.toml").township_key == "shiqiao"
    assert list(load_catalogues(county_catalogues / "2_shiqiao.toml")) == ["shiqiao"]


def test_a_county_folder_refuses_duplicate_keys_broken_files_and_emptiness(
    county_catalogues: Path, tmp_path: Path
) -> None:
    (county_catalogues / "3_copy.toml").write_bytes(config.DEFAULT_CATALOGUE.read_bytes())
    (county_catalogues / "4_broken.toml").write_text("[township\nkey=", encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        load_catalogues()
    messages = [str(p) for p in caught.value.problems]
    assert any(m.startswith("3_copy.toml") and "已用于 1_tanwan.toml" in m for m in messages)
    assert any(m.startswith("4_broken.toml") and "TOML" in m for m in messages)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CatalogueError, match=r"没有任何 \.toml 指标目录文件"):
        load_catalogues(empty)


def test_areas_begin_and_end(catalogue) -> None:
    covid = catalogue.area("疫情防控")
    assert covid.span.end == "2023-01" and covid.span.start is None
    assert covid.span.active_at("2023-01") and not covid.span.active_at("2023-02")
    # its indicators end with it
    assert all(i.span.end == "2023-01" for i in covid.indicators)
    assert "疫情防控" in [a.name for a in catalogue.areas_at("2022-12")]
    assert "疫情防控" not in [a.name for a in catalogue.areas_at("2024-03")]
    assert [a.name for a in catalogue.ended_areas("2024-03")] == ["疫情防控"]
    assert catalogue.ended_areas("2023-01") == ()
    # a year whose January still had the work: the area is in it, but not throughout
    assert covid.span.active_during("2023-01", "2023-06")
    assert not covid.span.active_throughout("2023-01", "2023-06")
    assert "疫情防控" not in catalogue.sheets_at("2023-02") and "疫情防控" in catalogue.sheets_at(
        None
    )
    assert covid.span.rule == "已于2023年1月停止填报"


def test_plans_and_event_kinds(catalogue) -> None:
    pairs = [(p.name, a.name) for p, a in catalogue.plans("党建引领")]
    assert pairs == [("计划发展党员", "已发展党员")]
    assert [(p.name, a.name) for p, a in catalogue.plans("乡村振兴")] == [
        ("危房改造", "危房改造已完成"),
        ("衔接资金项目", "衔接项目已开工"),
    ]
    assert (
        catalogue.event_kinds[:2] == ("防汛抢险", "防汛演练")
        and "表彰大会" in catalogue.event_kinds
    )


def test_broken_spans_plans_and_kinds_are_named(tmp_path: Path) -> None:
    text = config.DEFAULT_CATALOGUE.read_text(encoding="utf-8")
    text = text.replace('end = "2023-01"', 'start = "2023-05"\nend = "2023-01"')
    text = text.replace('plan = "危房改造"', 'plan = "危房"')
    text = text.replace('plan = "计划发展党员"', 'plan = "计划发展党员", end = "明年"')
    text = text.replace('plan = "衔接资金项目"', 'plan = "衔接项目总投资"')
    text = text.replace('kinds = ["防汛抢险"', 'kinds = [1, "防汛抢险"')
    messages = [str(p) for p in _broken(text, tmp_path).problems]
    assert any("疫情防控" in m and "start（2023-05）晚于 end（2023-01）" in m for m in messages)
    assert any("危房改造已完成" in m and "plan" in m and "危房" in m for m in messages)
    assert any("已发展党员" in m and "end" in m and "明年" in m for m in messages)
    assert any("衔接项目已开工" in m and "万元" in m for m in messages)
    assert any("[events]" in m for m in messages)
