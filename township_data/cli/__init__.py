"""The command line (contracts.md §2): batch work and scripts, Chinese messages on stderr.

Exit codes: 0 success, 1 invalid input (every problem listed on stderr), 2 bad usage.

Laid out by stage: `parser` (the Chinese argparse and the table of commands), `common` (exit
codes, argument types, the store), and the handlers with their options — `templates`
(template, sample), `data` (import, export, history, restore), `outputs` (report, rank),
`accounts` (editor, account) and `admin` (move, backup, nginx).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from ..errors import TownshipError
from .common import EXIT_INVALID, EXIT_OK, EXIT_USAGE
from .parser import ChineseParser, build_parser

__all__ = ["EXIT_INVALID", "EXIT_OK", "EXIT_USAGE", "ChineseParser", "build_parser", "main"]


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
            from ..store import dispose_engines

            dispose_engines()
