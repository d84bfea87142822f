"""The command line (contracts.md §2): batch work and scripts, Chinese messages on stderr.

Exit codes: 0 success, 1 invalid input (every problem listed on stderr), 2 bad usage.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from . import cli_accounts, config, months
from .catalogue import Catalogue, load_catalogue
from .errors import Problem, TownshipError, WorkbookError
from .store import Store, open_store

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
_ARGPARSE_ZH = (
    ("the following arguments are required: ", "缺少必需的参数："),
    ("unrecognized arguments: ", "无法识别的参数："),
    ("one of the arguments ", "以下参数必须给出一个："),
    (" is required", ""),
    ("invalid choice: ", "无效的选项："),
    ("choose from ", "可选："),
    ("expected one argument", "需要一个值"),
    ("not allowed with argument ", "不能与以下参数同时使用："),
    ("invalid int value: ", "不是整数："),
    ("argument ", "参数 "),
)


class ChineseParser(argparse.ArgumentParser):
    """argparse with Chinese headings and usage errors (exit 2, as argparse does)."""

    def format_help(self) -> str:
        text = super().format_help()
        for english, chinese in (
            ("usage:", "用法："),
            ("positional arguments:", "位置参数："),
            ("options:", "选项："),
            ("show this help message and exit", "显示帮助并退出"),
        ):
            text = text.replace(english, chinese)
        return text

    def format_usage(self) -> str:
        return super().format_usage().replace("usage:", "用法：")

    def error(self, message: str) -> NoReturn:
        for english, chinese in _ARGPARSE_ZH:
            message = message.replace(english, chinese)
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"用法错误：{message}\n")


def _month(text: str) -> str:
    try:
        return months.parse_month(text)
    except months.MonthError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _quarter(text: str) -> str:
    try:
        first, _ = months.parse_quarter(text)
    except months.MonthError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return months.quarter_of(first)


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"“{text}”应为正整数")
    return number


def _table_file(text: str) -> str:
    if Path(text).suffix.lower() not in (".xlsx", ".csv"):
        raise argparse.ArgumentTypeError(f"输出文件“{text}”应以 .xlsx 或 .csv 结尾")
    return text


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

    from . import bulletin, bulletin_month, digest, longimage, ranking, snapshot

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


def _user(args: argparse.Namespace) -> str:
    if args.user:
        return args.user
    try:
        return f"命令行（{getpass.getuser()}）"
    except (KeyError, OSError):
        return "命令行"


def _context(args: argparse.Namespace) -> tuple[Catalogue, Store]:
    catalogue = load_catalogue(township=args.township)
    folder = Path(args.data_dir).expanduser().resolve() if args.data_dir else None
    return catalogue, open_store(folder, catalogue)


def cmd_template(args: argparse.Namespace) -> int:
    """The township's workbook, one village's (--village) or one per village (--out F.zip)."""
    from . import workbook
    from .workbook.template import unit_label

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
        from .pagedata import carried_stocks

        _, store = _context(args)
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


def cmd_import(args: argparse.Namespace) -> int:
    """Validate every file (and the files against each other), then store them in one
    transaction: each file merges by village unless --replace."""
    from .changes import read_all, result_line

    catalogue, store = _context(args)
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
    results = store.import_files(parsed, _user(args), replace=args.replace)
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


def cmd_export(args: argparse.Namespace) -> int:
    from . import downloads, metrics

    catalogue, store = _context(args)
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


def cmd_report(args: argparse.Namespace) -> int:
    from . import report

    out = Path(args.out)
    if out.suffix.lower() not in (".docx", ".md"):
        print(f"用法错误：--out 须为 .docx 或 .md 文件，现为“{out.name}”", file=sys.stderr)
        return EXIT_USAGE
    if args.first > args.last:
        print("起始月份晚于结束月份", file=sys.stderr)
        return EXIT_INVALID
    catalogue, store = _context(args)
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


def cmd_rank(args: argparse.Namespace) -> int:
    """The 打擂 ranked table of a month or quarter as the page downloads it: .xlsx / .csv,
    the 长图 (.png), the 通报 draft (.docx, monthly or quarterly) or the offline page (.html)."""
    from . import ranking

    catalogue, store = _context(args)
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


def cmd_history(args: argparse.Namespace) -> int:
    from .changes import action_label, local_time

    _, store = _context(args)
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
    _, store = _context(args)
    result = store.restore(args.version, _user(args))
    print(result.message)
    return EXIT_OK


def cmd_sample(args: argparse.Namespace) -> int:
    from .sample import write_samples

    paths = write_samples(Path(args.out), load_catalogue(township=args.township))
    print(f"已生成 {len(paths)} 个示例月报工作簿：{args.out}")
    return EXIT_OK


def cmd_move(args: argparse.Namespace) -> int:
    """Copy the store (every version, numbers kept) into another database, counted per table."""
    from .move import move

    folder = Path(args.data_dir).expanduser().resolve() if args.data_dir else None
    source = config.database_url(folder)
    target = config.normalise_url(args.to)
    print(f"从 {config.display_url(source)}")
    print(f"复制到 {config.display_url(target)}")
    only = [args.township] if args.township else None
    result = move(source, target, only, new_ids=args.new_ids)
    print("表\t源数据库行数\t目标数据库行数\t核对")
    for count in result.counts:
        print(f"{count.label}\t{count.source}\t{count.target}\t{'一致' if count.ok else '不一致'}")
    places = "、".join(result.townships.values())
    if result.first_id is None:
        numbers = ""
    elif result.offset:
        numbers = f"，版本号顺延为 {result.first_id}–{result.last_id}（原版本号加 {result.offset}）"
    else:
        numbers = f"，版本号 {result.first_id}–{result.last_id} 不变"
    print(
        f"已复制{places}的 {result.versions} 个版本{numbers}，各表行数核对一致，"
        f"用时 {result.seconds:.1f} 秒。原数据库未做改动，可留作备份。"
    )
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    """A consistent copy of the whole store (every township), taken while the app runs."""
    from .backup import backup

    folder = Path(args.data_dir).expanduser().resolve() if args.data_dir else None
    url = config.database_url(folder)
    result = backup(url, Path(args.out))
    size = f"{result.size / 1024 / 1024:.1f} MB"
    held = "" if result.versions is None else f"，含 {result.versions} 个版本"
    if result.kind == "PostgreSQL":
        source, how = config.display_url(url), "（pg_dump 格式，用 pg_restore 恢复）"
    else:
        source, how = url.split("///", 1)[-1], ""
    print(f"已备份 {result.kind} 数据库 {source}{how}")
    print(f"  备份文件：{result.path}（{size}{held}，用时 {result.seconds:.1f} 秒）")
    return EXIT_OK


def cmd_nginx(args: argparse.Namespace) -> int:
    """The nginx site of a county deployment (README 县级部署), from the one shipped template."""
    from .deployment import Site, render_nginx

    site = Site(
        ports=args.port or Site.ports,
        server_name=args.server_name,
        listen=args.listen,
        certificate=args.certificate,
        certificate_key=args.key,
    )
    text = render_nginx(site)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"已生成 nginx 配置：{args.out}（检查：nginx -t）")
    else:
        print(text, end="")
    return EXIT_OK


def build_parser() -> ChineseParser:
    parser = ChineseParser(
        prog="python -m township_data",
        description="乡镇工作数据看板 命令行：模板、导入、导出、工作总结、历史版本与恢复、示例数据、迁移到县里的数据库、备份",
    )
    common = ChineseParser(add_help=False)
    common.add_argument(
        "--data-dir",
        help=f"数据文件夹（默认：环境变量 TOWNSHIP_DATA_DIR，否则 {config.DEFAULT_DATA_DIR}）",
    )
    common.add_argument(
        "--township",
        metavar="KEY",
        help="镇的代号（指标目录文件夹中有多个镇时必填，见 README“县级部署”）",
    )
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=ChineseParser)
    sub.required = True
    commands: dict[str, tuple[str, Callable[[argparse.Namespace], int]]] = {
        "template": ("生成月报模板（全镇的、一个村的，或各村一个文件打包为 .zip）", cmd_template),
        "import": (
            "校验并导入月报工作簿（全部成功才导入；按村合并，--replace 整表替换）",
            cmd_import,
        ),
        "export": ("导出某领域各村（社区）数据", cmd_export),
        "report": ("生成工作总结（.docx 或 .md），数字由数据填写", cmd_report),
        "rank": ("导出人居环境打擂排名表（按月或按季度）", cmd_rank),
        "history": ("列出所有导入版本", cmd_history),
        "restore": ("把以前的版本恢复为当前数据", cmd_restore),
        "sample": ("生成示例月报工作簿", cmd_sample),
        "editor": (
            "管理本镇可上传和恢复数据的编辑人员（add / remove / list）",
            cli_accounts.cmd_editor,
        ),
        "account": (
            "管理账号和角色：县级管理员、乡镇编辑人员、村级报送员、浏览人员（add / remove / list）",
            cli_accounts.cmd_account,
        ),
        "move": ("把数据（全部版本）复制到另一个数据库，如县里的 PostgreSQL", cmd_move),
        "backup": ("备份整个数据库（看板运行时也可以，得到一致的副本）", cmd_backup),
        "nginx": ("生成县级部署的 nginx 反向代理配置（会话粘滞、WebSocket）", cmd_nginx),
    }
    parsers = {}
    for name, (text, func) in commands.items():
        p = sub.add_parser(name, help=text, description=text, parents=[common])
        p.set_defaults(func=func)
        parsers[name] = p
    parsers["template"].add_argument(
        "--out", required=True, help="输出文件 F.xlsx；F.zip 为每个村（社区）各写一个文件"
    )
    parsers["template"].add_argument("--month", type=_month, help="月份 YYYY-MM（预填在模板中）")
    parsers["template"].add_argument(
        "--village", help="只含这个村（社区）一行的模板（“全镇”为镇本级），用于发给各村填报"
    )
    parsers["template"].add_argument(
        "--carry",
        action=argparse.BooleanOptionalAction,
        help="预填上月的存量指标（按村的模板和 .zip 默认预填，全镇模板默认不预填）",
    )
    parsers["import"].add_argument("files", nargs="+", metavar="F.xlsx", help="月报工作簿")
    parsers["import"].add_argument("--month", type=_month, help="表中没有月份列时使用的月份")
    parsers["import"].add_argument("--user", help="记录的导入人（默认：当前系统用户）")
    parsers["import"].add_argument(
        "--replace",
        action="store_true",
        help="以本表为准：表中没有的村（社区）改为未报（默认只更新表中有的村、社区）",
    )
    parsers["export"].add_argument("--area", required=True, help="工作领域，如 安全生产")
    parsers["export"].add_argument("--from", dest="first", type=_month, help="起始月份 YYYY-MM")
    parsers["export"].add_argument("--to", dest="last", type=_month, help="结束月份 YYYY-MM")
    parsers["export"].add_argument("--out", required=True, help="输出文件 F.xlsx 或 F.csv")
    parsers["report"].add_argument(
        "--from", dest="first", required=True, type=_month, help="起始月份 YYYY-MM"
    )
    parsers["report"].add_argument(
        "--to", dest="last", required=True, type=_month, help="结束月份 YYYY-MM"
    )
    parsers["report"].add_argument("--out", required=True, help="输出文件 F.docx 或 F.md")
    period = parsers["rank"].add_mutually_exclusive_group(required=True)
    period.add_argument("--month", type=_month, help="按月排名：月份 YYYY-MM")
    period.add_argument("--quarter", type=_quarter, help="按季度排名：季度 YYYYQn，如 2024Q1")
    parsers["rank"].add_argument(
        "--top", type=_positive, help="红榜人数（前 N 名，默认取指标目录中的设置）"
    )
    parsers["rank"].add_argument(
        "--bottom", type=_positive, help="黑榜人数（后 N 名，默认取指标目录中的设置）"
    )
    parsers["rank"].add_argument(
        "--out",
        required=True,
        type=_rank_file,
        help="输出文件：F.xlsx 或 F.csv（排名表）、F.png（长图）、F.docx（通报草稿）、"
        "F.html（离线网页）",
    )
    parsers["restore"].add_argument("version", type=int, metavar="VERSION", help="版本号")
    parsers["restore"].add_argument("--user", help="记录的操作人")
    parsers["sample"].add_argument("--out", required=True, help="输出文件夹")
    cli_accounts.add_arguments(parsers["editor"], parsers["account"])
    parsers["move"].add_argument(
        "--to",
        required=True,
        metavar="URL",
        help="目标数据库地址，如 postgresql+psycopg://用户:密码@主机/库名",
    )
    parsers["move"].add_argument(
        "--new-ids",
        action="store_true",
        help="目标数据库中版本号已被其他镇使用时，把复制的版本号顺延",
    )
    parsers["backup"].add_argument(
        "--out",
        required=True,
        help="备份文件（SQLite 为 .sqlite3 文件，PostgreSQL 为 pg_dump 文件）",
    )
    nginx = parsers["nginx"]
    nginx.add_argument(
        "--port", type=int, action="append", help="看板进程的端口（可多次给出，默认 8501–8503）"
    )
    nginx.add_argument("--server-name", default="kanban.county.example", help="访问看板的域名")
    nginx.add_argument("--listen", default="443", help="nginx 监听的端口（HTTPS）")
    nginx.add_argument("--certificate", default="/etc/ssl/kanban.pem", help="证书文件")
    nginx.add_argument("--key", default="/etc/ssl/kanban.key", help="证书私钥文件")
    nginx.add_argument("--out", help="写入文件（默认打印到屏幕）")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; never lets a stack trace reach the user for a known failure."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except TownshipError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INVALID
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:
        print(f"文件操作失败：{exc.filename or ''}（{exc.strerror}）", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("已中止", file=sys.stderr)
        return 130
    finally:
        if os.environ.get("TOWNSHIP_KEEP_ENGINES") is None:
            from .store import dispose_engines

            dispose_engines()
