"""What every command shares: exit codes, argument types, the store and the recorded user."""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path

from .. import months
from ..catalogue import Catalogue, load_catalogue
from ..store import Store, open_store

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def month(text: str) -> str:
    """An argument type: YYYY-MM, with the months module's Chinese message when wrong."""
    try:
        return months.parse_month(text)
    except months.MonthError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def quarter(text: str) -> str:
    """An argument type: YYYYQn, normalised to the quarter's key."""
    try:
        first, _ = months.parse_quarter(text)
    except months.MonthError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return months.quarter_of(first)


def positive(text: str) -> int:
    """An argument type: a whole number of at least 1."""
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"“{text}”应为正整数")
    return number


def data_folder(args: argparse.Namespace) -> Path | None:
    """The --data-dir folder, resolved; None leaves the choice to config (environment, default)."""
    return Path(args.data_dir).expanduser().resolve() if args.data_dir else None


def context(args: argparse.Namespace) -> tuple[Catalogue, Store]:
    """The chosen township's catalogue and its store."""
    catalogue = load_catalogue(township=args.township)
    return catalogue, open_store(data_folder(args), catalogue)


def user(args: argparse.Namespace) -> str:
    """Who a version is recorded as made by: --user, else the system user on the command line."""
    if args.user:
        return args.user
    try:
        return f"命令行（{getpass.getuser()}）"
    except (KeyError, OSError):
        return "命令行"
