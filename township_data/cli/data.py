"""The data commands: import workbooks, export an area, list versions, restore one."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import months
from ..errors import Problem, WorkbookError
from .common import EXIT_INVALID, EXIT_OK, context, month, user


def cmd_import(args: argparse.Namespace) -> int:
    """Validate every file (and the files against each other), then store them in one
    transaction: each file merges by village unless --replace."""
    from ..changes import read_all, result_line

    catalogue, store = context(args)
    files, problems = [], []
    for name in args.files:
        path = Path(name)
        try:
            files.append((path.name, path.read_bytes()))
        except OSError as exc:
            problems.append(Problem(f"无法读取文件（{exc.strerror}）", file=str(path)))
    parsed, found = read_all(files, catalogue, args.month)
    problems += found
    if problems:
        print(WorkbookError(problems=problems, title="导入失败，没有导入任何数据"), file=sys.stderr)
        return EXIT_INVALID
    results = store.import_files(parsed, user(args), replace=args.replace)
    for item, result in zip(parsed, results, strict=True):
        print(result_line(result))
        if result.changed and not args.replace:
            held = "、".join(dict.fromkeys(r[2] for r in item.rows))
            print(f"  本文件含：{held}；其他村（社区）的数据不变")
        for note in item.notes:
            print(f"  说明：{note}")
        for text in item.warnings:
            print(f"  请核实：{text}")
        if item.ignored_sheets:
            print(f"  未导入的工作表：{'、'.join(item.ignored_sheets)}")
    return EXIT_OK


def import_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="F.xlsx", help="月报工作簿")
    parser.add_argument("--month", type=month, help="表中没有月份列时使用的月份")
    parser.add_argument("--user", help="记录的导入人（默认：当前系统用户）")
    parser.add_argument(
        "--replace",
        action="store_true",
        help="以本表为准：表中没有的村（社区）改为未报（默认只更新表中有的村、社区）",
    )


def cmd_export(args: argparse.Namespace) -> int:
    from .. import downloads, metrics

    catalogue, store = context(args)
    if args.area not in catalogue.sheet_names:
        print(
            f"未知的工作领域“{args.area}”，可选：{'、'.join(catalogue.area_names)}", file=sys.stderr
        )
        return EXIT_INVALID
    values = store.current(areas=[args.area])
    if values.empty:
        print(f"“{args.area}”还没有任何数据", file=sys.stderr)
        return EXIT_INVALID
    first = args.first or values["month"].min()
    last = args.last or values["month"].max()
    if first > last:
        print("起始月份晚于结束月份", file=sys.stderr)
        return EXIT_INVALID
    table = metrics.download_table(
        metrics.period_table(values, catalogue, args.area, first, last), catalogue, args.area
    )
    title = f"{catalogue.township_name}{months.period_label(first, last)}{args.area}工作数据"
    out = Path(args.out)
    if out.suffix.lower() == ".csv":
        out.write_bytes(downloads.to_csv(table))
    else:
        out.write_bytes(downloads.to_xlsx(table, title, sheet_name=args.area))
    print(f"已导出{title}：{out}")
    return EXIT_OK


def export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--area", required=True, help="工作领域，如 安全生产")
    parser.add_argument("--from", dest="first", type=month, help="起始月份 YYYY-MM")
    parser.add_argument("--to", dest="last", type=month, help="结束月份 YYYY-MM")
    parser.add_argument("--out", required=True, help="输出文件 F.xlsx 或 F.csv")


def cmd_history(args: argparse.Namespace) -> int:
    from ..changes import action_label, local_time

    _, store = context(args)
    history = store.history()
    if history.empty:
        print("还没有任何导入记录")
        return EXIT_OK
    print("版本\t时间（北京时间）\t操作\t操作人\t文件\t内容\t数值条数\t当前")
    for row in history.itertuples():
        action = action_label(row.action, row.restored_from)
        print(
            f"{row.id}\t{local_time(row.created_at)}\t{action}\t{row.created_by}\t"
            f"{row.file_name}\t{row.summary}\t{row.value_count}\t{'是' if row.is_current else ''}"
        )
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    _, store = context(args)
    result = store.restore(args.version, user(args))
    print(result.message)
    return EXIT_OK


def restore_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("version", type=int, metavar="VERSION", help="版本号")
    parser.add_argument("--user", help="记录的操作人")
