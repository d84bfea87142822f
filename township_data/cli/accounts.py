"""The accounts commands: `editor` (a single township's editors file, as before roles) and
`account` (roles; a county's accounts in its database). Passwords never as arguments."""

from __future__ import annotations

import argparse
import getpass
import sys

from .. import config
from ..errors import AuthError, Problem
from ..roles import ROLES
from .common import EXIT_INVALID, EXIT_OK, EXIT_USAGE, data_folder


def _read_password() -> str:
    """From a terminal: typed twice, never echoed. From a pipe: the first line of stdin.

    Never from an argument, which would land in the shell history and the process list.
    """
    if sys.stdin is not None and sys.stdin.isatty():
        first = getpass.getpass("密码：")
        if getpass.getpass("再输入一次密码：") != first:
            raise AuthError(problems=[Problem("两次输入的密码不一致")], title="未设置编辑人员")
        return first
    line = sys.stdin.readline() if sys.stdin is not None else ""
    return line.rstrip("\r\n")


def _accounts(args: argparse.Namespace):
    """The deployment's accounts (a county's database, else the editors file) and catalogues."""
    from .. import accounts
    from ..catalogue import load_catalogues

    catalogues = load_catalogues()
    folder = data_folder(args)
    url = config.database_url(folder)
    return accounts.book(url, catalogues, config.editors_path(folder)), catalogues


def cmd_account(args: argparse.Namespace) -> int:
    """Accounts with roles: county admin, township editor, village reporter, viewer."""
    from .. import accounts

    book, catalogues = _accounts(args)
    names = {key: c.township_name for key, c in catalogues.items()}
    if args.action == "list":
        found = book.load()
        if not found:
            print(f"尚未设置账号（单用户模式）。账号保存在{book.where}")
            return EXIT_OK
        print(f"账号（{book.where}）：")
        for account in found.values():
            print(
                f"  {account.name}\t{account.role_label}\t{account.reach(names)}\t"
                f"添加于 {account.added_at}"
            )
        return EXIT_OK
    if not args.name:
        print(f"用法错误：account {args.action} 需要姓名", file=sys.stderr)
        return EXIT_USAGE
    if args.action == "remove":
        book.remove(args.name)
        print(f"已删除账号“{args.name}”，其登录随即失效")
        return EXIT_OK
    if not args.role:
        print(
            "用法错误：account add 需要 --role（county/township/village/viewer）", file=sys.stderr
        )
        return EXIT_USAGE
    township, village = accounts.account_reach(args.role, catalogues, args.township, args.village)
    account = accounts.make_account(
        args.name, _read_password(), args.role, catalogues, township, village
    )
    is_new = book.save(account)
    print(
        f"已{'添加' if is_new else '更新'}账号“{account.name}”：{account.role_label}"
        f"（{account.reach(names)}），密码以 bcrypt 散列保存在{book.where}"
    )
    return EXIT_OK


def cmd_editor(args: argparse.Namespace) -> int:
    from .. import auth

    book, catalogues = _accounts(args)
    if book.county:
        print(
            f"县级部署（指标目录中有 {len(catalogues)} 个镇）的账号保存在数据库中，"
            "请用 account 命令，如：account add 姓名 --role township --township 代号",
            file=sys.stderr,
        )
        return EXIT_INVALID
    path = book.path
    if args.action == "list":
        editors = auth.load_editors(path)
        if not editors:
            print(f"尚未设置编辑人员（单用户模式）。编辑人员文件：{path}")
            return EXIT_OK
        print(f"编辑人员（{path}）：")
        for editor in editors.values():
            print(f"  {editor.name}\t添加于 {editor.added_at}")
        return EXIT_OK
    if not args.name:
        print(f"用法错误：editor {args.action} 需要姓名", file=sys.stderr)
        return EXIT_USAGE
    if args.action == "remove":
        auth.remove_editor(args.name, path)
        left = auth.load_editors(path)
        print(
            f"已删除编辑人员“{args.name}”"
            + ("" if left else "；已没有编辑人员，看板回到单用户模式")
        )
        return EXIT_OK
    is_new = auth.add_editor(args.name, _read_password(), path)
    print(
        f"已{'添加' if is_new else '更新'}编辑人员“{args.name}”（密码以 bcrypt 散列保存在 {path}）"
    )
    return EXIT_OK


def editor_arguments(editor: argparse.ArgumentParser) -> None:
    editor.add_argument(
        "action", choices=["add", "remove", "list"], help="add 添加或改密码，remove 删除，list 列出"
    )
    editor.add_argument(
        "name",
        nargs="?",
        metavar="NAME",
        help="编辑人员姓名（密码在提示后输入，或从标准输入读一行）",
    )


def account_arguments(account: argparse.ArgumentParser) -> None:
    account.add_argument(
        "action", choices=["add", "remove", "list"], help="add 添加或改密码，remove 删除，list 列出"
    )
    account.add_argument(
        "name", nargs="?", metavar="NAME", help="姓名（密码在提示后输入，或从标准输入读一行）"
    )
    account.add_argument(
        "--role",
        choices=list(ROLES),
        help="county 县级管理员（全县各镇），township 乡镇编辑人员（本镇），"
        "village 村级报送员（本村，须 --village），viewer 浏览人员",
    )
    account.add_argument("--village", help="村级报送员的村（社区），如 酉庄村")
