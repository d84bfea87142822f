"""The argument parser: Chinese headings and errors, the shared options, and one table of the
commands (name, help, handler, its own options) in the order `--help` lists them."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import NoReturn

from .. import config
from . import accounts, admin, data, outputs, templates
from .common import EXIT_USAGE

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


Handler = Callable[[argparse.Namespace], int]
Arguments = Callable[[argparse.ArgumentParser], None]


def _no_arguments(parser: argparse.ArgumentParser) -> None:
    """A command with only the shared options."""


COMMANDS: tuple[tuple[str, str, Handler, Arguments], ...] = (
    (
        "template",
        "生成月报模板（全镇的、一个村的，或各村一个文件打包为 .zip）",
        templates.cmd_template,
        templates.template_arguments,
    ),
    (
        "import",
        "校验并导入月报工作簿（全部成功才导入；按村合并，--replace 整表替换）",
        data.cmd_import,
        data.import_arguments,
    ),
    ("export", "导出某领域各村（社区）数据", data.cmd_export, data.export_arguments),
    (
        "report",
        "生成工作总结（.docx 或 .md），数字由数据填写",
        outputs.cmd_report,
        outputs.report_arguments,
    ),
    (
        "rank",
        "导出人居环境打擂排名表（按月或按季度）",
        outputs.cmd_rank,
        outputs.rank_arguments,
    ),
    ("history", "列出所有导入版本", data.cmd_history, _no_arguments),
    ("restore", "把以前的版本恢复为当前数据", data.cmd_restore, data.restore_arguments),
    ("sample", "生成示例月报工作簿", templates.cmd_sample, templates.sample_arguments),
    (
        "editor",
        "管理本镇可上传和恢复数据的编辑人员（add / remove / list）",
        accounts.cmd_editor,
        accounts.editor_arguments,
    ),
    (
        "account",
        "管理账号和角色：县级管理员、乡镇编辑人员、村级报送员、浏览人员（add / remove / list）",
        accounts.cmd_account,
        accounts.account_arguments,
    ),
    (
        "move",
        "把数据（全部版本）复制到另一个数据库，如县里的 PostgreSQL",
        admin.cmd_move,
        admin.move_arguments,
    ),
    (
        "backup",
        "备份整个数据库（看板运行时也可以，得到一致的副本）",
        admin.cmd_backup,
        admin.backup_arguments,
    ),
    (
        "nginx",
        "生成县级部署的 nginx 反向代理配置（会话粘滞、WebSocket）",
        admin.cmd_nginx,
        admin.nginx_arguments,
    ),
)


def _common_options() -> ChineseParser:
    """--data-dir and --township, which every command accepts."""
    common = ChineseParser(add_help=False)
    common.add_argument(
        "--data-dir",
        help=f"数据文件夹（默认：环境变量 TOWNSHIP_DATA_DIR，否则 {config.DEFAULT_DATA_DIR}）",
    )
    common.add_argument(
        "--township",
        metavar="KEY",
        help="镇的代号（指标目录文件夹中有多个镇时必填，见 docs/deploy.md“县级部署”）",
    )
    return common


def build_parser() -> ChineseParser:
    parser = ChineseParser(
        prog="python -m township_data",
        description="乡镇工作数据看板 命令行：模板、导入、导出、工作总结、历史版本与恢复、示例数据、迁移到县里的数据库、备份",
    )
    common = _common_options()
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=ChineseParser)
    sub.required = True
    for name, text, handler, arguments in COMMANDS:
        command = sub.add_parser(name, help=text, description=text, parents=[common])
        command.set_defaults(func=handler)
        arguments(command)
    return parser
