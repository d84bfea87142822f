"""The workbooks handed out: the monthly template (whole township, one village, or a .zip of
one per village, optionally with last month's stocks) and the sample workbooks."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import months
from ..catalogue import load_catalogue
from .common import EXIT_INVALID, EXIT_OK, EXIT_USAGE, context, month


def cmd_template(args: argparse.Namespace) -> int:
    """The township's workbook, one village's (--village) or one per village (--out F.zip)."""
    from .. import workbook
    from ..workbook.template import unit_label

    catalogue = load_catalogue(township=args.township)
    out = Path(args.out)
    zipped = out.suffix.lower() == ".zip"
    wrong = _template_usage(args, zipped)
    if wrong:
        print(f"用法错误：{wrong}", file=sys.stderr)
        return EXIT_USAGE
    row = None
    if args.village:
        row = catalogue.resolve_village(args.village)
        if row is None:
            near = catalogue.suggest_village(args.village)
            hint = f"，是不是“{near}”？" if near else ""
            print(f"未知的村（社区）“{args.village}”{hint}", file=sys.stderr)
            return EXIT_INVALID
    carry = args.carry if args.carry is not None else bool(zipped or row)
    carried: dict = {}
    if carry:
        from ..pagedata import carried_stocks

        _, store = context(args)
        carried = carried_stocks(store, catalogue, args.month)
    when = months.label(args.month) if args.month else "（月份待填）"
    if zipped:
        out.write_bytes(workbook.write_village_zip(catalogue, args.month, carried))
        count = len(catalogue.village_names)
        print(f"已生成{when}各村（社区）的月报模板 {count} 个，打包为：{out}")
    else:
        out.write_bytes(workbook.write_template(catalogue, args.month, row, carried))
        kind = f"{unit_label(row)}的" if row else "的" if carry else "的空白"
        print(f"已生成{when}{kind}月报模板：{out}")
    if carry:
        print(_carried_line(carried, args.month, row))
    return EXIT_OK


def _template_usage(args: argparse.Namespace, zipped: bool) -> str:
    """What is wrong with the template options, or ""."""
    if Path(args.out).suffix.lower() not in (".xlsx", ".zip"):
        return f"--out 须为 .xlsx 文件（或 .zip：每个村（社区）一个文件），现为“{args.out}”"
    if zipped and args.village:
        return "--village 不能与 .zip 同时使用：.zip 已为每个村（社区）各写一个文件"
    if (zipped or args.village or args.carry) and not args.month:
        return "按村（社区）生成模板或预填上月数时需要 --month（文件名和预填的数都按月份）"
    return ""


def _carried_line(carried: dict, month: str, row: str | None) -> str:
    previous = months.label(months.shift(month, -1))
    count = sum(1 for _area, village, _name in carried if row is None or village == row)
    if not count:
        return f"  {previous}没有存量指标的数据，模板中存量指标留空"
    return f"  已预填{previous}的存量指标 {count} 个（绿色格子，有变化的改正即可）"


def template_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", required=True, help="输出文件 F.xlsx；F.zip 为每个村（社区）各写一个文件"
    )
    parser.add_argument("--month", type=month, help="月份 YYYY-MM（预填在模板中）")
    parser.add_argument(
        "--village", help="只含这个村（社区）一行的模板（“全镇”为镇本级），用于发给各村填报"
    )
    parser.add_argument(
        "--carry",
        action=argparse.BooleanOptionalAction,
        help="预填上月的存量指标（按村的模板和 .zip 默认预填，全镇模板默认不预填）",
    )


def cmd_sample(args: argparse.Namespace) -> int:
    from ..sample import write_samples

    paths = write_samples(Path(args.out), load_catalogue(township=args.township))
    print(f"已生成 {len(paths)} 个示例月报工作簿：{args.out}")
    return EXIT_OK


def sample_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, help="输出文件夹")
