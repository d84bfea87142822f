"""Looking after the store and the deployment: move it to another database, back it up, and
write the county's nginx site."""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import config
from .common import EXIT_OK, data_folder


def cmd_move(args: argparse.Namespace) -> int:
    """Copy the store (every version, numbers kept) into another database, counted per table."""
    from ..move import move

    source = config.database_url(data_folder(args))
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


def move_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--to",
        required=True,
        metavar="URL",
        help="目标数据库地址，如 postgresql+psycopg://用户:密码@主机/库名",
    )
    parser.add_argument(
        "--new-ids",
        action="store_true",
        help="目标数据库中版本号已被其他镇使用时，把复制的版本号顺延",
    )


def cmd_backup(args: argparse.Namespace) -> int:
    """A consistent copy of the whole store (every township), taken while the app runs."""
    from ..backup import backup

    url = config.database_url(data_folder(args))
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


def backup_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        required=True,
        help="备份文件（SQLite 为 .sqlite3 文件，PostgreSQL 为 pg_dump 文件）",
    )


def cmd_nginx(args: argparse.Namespace) -> int:
    """The nginx site of a county deployment (docs/deploy.md, 县级部署), from the one shipped template."""
    from ..deployment import Site, render_nginx

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


def nginx_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port", type=int, action="append", help="看板进程的端口（可多次给出，默认 8501–8503）"
    )
    parser.add_argument("--server-name", default="kanban.county.example", help="访问看板的域名")
    parser.add_argument("--listen", default="443", help="nginx 监听的端口（HTTPS）")
    parser.add_argument("--certificate", default="/etc/ssl/kanban.pem", help="证书文件")
    parser.add_argument("--key", default="/etc/ssl/kanban.key", help="证书私钥文件")
    parser.add_argument("--out", help="写入文件（默认打印到屏幕）")
