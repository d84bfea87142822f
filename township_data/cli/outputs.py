"""The documents made from the data: the 工作总结 (report) and the 打擂 ranking (rank)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..catalogue import Catalogue
from ..store import Store
from .common import EXIT_INVALID, EXIT_OK, EXIT_USAGE, context, month, positive, quarter


def cmd_report(args: argparse.Namespace) -> int:
    from .. import report

    out = Path(args.out)
    if out.suffix.lower() not in (".docx", ".md"):
        print(f"用法错误：--out 须为 .docx 或 .md 文件，现为“{out.name}”", file=sys.stderr)
        return EXIT_USAGE
    if args.first > args.last:
        print("起始月份晚于结束月份", file=sys.stderr)
        return EXIT_INVALID
    catalogue, store = context(args)
    template = report.load_template(catalogue)
    work = report.build(store, catalogue, template, args.first, args.last)
    texts = report.saved_texts(store, args.first, args.last)
    if out.suffix.lower() == ".docx":
        out.write_bytes(work.docx(texts))
    else:
        out.write_text(work.markdown(texts), encoding="utf-8")
    missing = work.missing()
    print(f"已生成{work.title}：{out}")
    print(
        f"  共 {len(work.counted())} 个数字，未报 {len(missing)} 个，"
        f"部分村（社区）或月份未填报 {len(work.partial())} 个"
    )
    for fig in missing:
        print(f"  未报：{fig.label}（文中显示为{report.MISSING}）")
    for name in work.pending(texts):
        print(f"  待填写：{name}（可在看板“工作总结”页填写，文中显示为{report.PENDING}）")
    return EXIT_OK


def report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="first", required=True, type=month, help="起始月份 YYYY-MM")
    parser.add_argument("--to", dest="last", required=True, type=month, help="结束月份 YYYY-MM")
    parser.add_argument("--out", required=True, help="输出文件 F.docx 或 F.md")


RANK_SUFFIXES = (".xlsx", ".csv", ".png", ".docx", ".html")


def _rank_file(text: str) -> str:
    if Path(text).suffix.lower() not in RANK_SUFFIXES:
        raise argparse.ArgumentTypeError(
            f"输出文件“{text}”应以 {'、'.join(RANK_SUFFIXES)} 之一结尾"
        )
    return text


def _rank_bytes(suffix: str, result, scores, catalogue: Catalogue, store: Store) -> bytes:
    """The file of a ranking by its suffix: table, 长图, 通报 draft or offline snapshot."""
    import datetime as dt

    from .. import bulletin, bulletin_month, digest, longimage, ranking, snapshot

    if suffix == ".csv":
        return ranking.to_csv(result)
    if suffix == ".xlsx":
        return ranking.to_xlsx(result, catalogue)
    if suffix == ".docx":
        writer = bulletin_month if result.kind == ranking.MONTH else bulletin
        return writer.to_docx(scores, catalogue, result)
    source = digest.Source(
        catalogue.township_name, store.revision(), dt.date.today(), store.is_sample()
    )
    found = ranking.notices(scores, result, catalogue)
    if suffix == ".png":
        return longimage.ranking_png(result, found, catalogue, source)
    return snapshot.ranking_html(result, found, scores, catalogue, source).encode("utf-8")


def cmd_rank(args: argparse.Namespace) -> int:
    """The 打擂 ranked table of a month or quarter as the page downloads it: .xlsx / .csv,
    the 长图 (.png), the 通报 draft (.docx, monthly or quarterly) or the offline page (.html)."""
    from .. import ranking

    catalogue, store = context(args)
    scores = ranking.stored_scores(store, catalogue)
    if args.month:
        result = ranking.rank_month(scores, catalogue, args.month, args.top, args.bottom)
    else:
        result = ranking.rank_quarter(scores, catalogue, args.quarter, args.top, args.bottom)
    out = Path(args.out)
    out.write_bytes(_rank_bytes(out.suffix.lower(), result, scores, catalogue, store))
    what = {".png": "（长图）", ".docx": "（通报草稿）", ".html": "（离线网页）"}
    print(f"已导出{result.title(catalogue)}{what.get(out.suffix.lower(), '')}：{out}")
    print(f"  {ranking.RED}：{'、'.join(result.red)}")
    print(f"  {ranking.BLACK}：{'、'.join(result.black)}")
    if result.unscored:
        print(f"  未报（不参加排名）：{'、'.join(result.unscored)}")
    return EXIT_OK


def rank_arguments(parser: argparse.ArgumentParser) -> None:
    period = parser.add_mutually_exclusive_group(required=True)
    period.add_argument("--month", type=month, help="按月排名：月份 YYYY-MM")
    period.add_argument("--quarter", type=quarter, help="按季度排名：季度 YYYYQn，如 2024Q1")
    parser.add_argument("--top", type=positive, help="红榜人数（前 N 名，默认取指标目录中的设置）")
    parser.add_argument(
        "--bottom", type=positive, help="黑榜人数（后 N 名，默认取指标目录中的设置）"
    )
    parser.add_argument(
        "--out",
        required=True,
        type=_rank_file,
        help="输出文件：F.xlsx 或 F.csv（排名表）、F.png（长图）、F.docx（通报草稿）、"
        "F.html（离线网页）",
    )
