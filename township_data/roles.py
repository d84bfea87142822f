"""Who may do what: the four roles, an account's reach, and the rows a village may send.

- 县级管理员 (county admin): imports, restores and report texts of every township.
- 乡镇编辑人员 (township editor): the same, for their own township only.
- 村级报送员 (village reporter): uploads their own 村（社区）'s rows only, merged by village (never
  "以本表为准"); not the 全镇 row, not the 打擂 scores (the township gives those), no restore.
- 浏览人员 (viewer): reads only (useful when viewing needs a login).

大事记 are the township's record: county admins and township editors add and delete them (on
the 大事记 page or in a workbook's 大事记 sheet); a village reporter's workbook may not carry them.

Checked at the moment of every write (`authorise`, `village_row_problems`), not only when a
page draws its buttons, so a page left open after a role changed cannot write beyond it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from . import config, months
from .catalogue import Catalogue
from .errors import AuthError, Problem
from .events import SHEET as EVENT_SHEET
from .parsed import ParsedWorkbook

COUNTY, TOWNSHIP, VILLAGE, VIEWER = "county", "township", "village", "viewer"
ROLES = {COUNTY: "县级管理员", TOWNSHIP: "乡镇编辑人员", VILLAGE: "村级报送员", VIEWER: "浏览人员"}
IMPORT, RESTORE, TEXTS, EVENTS = "import", "restore", "texts", "events"
ACTIONS = {IMPORT: "上传数据", RESTORE: "恢复版本", TEXTS: "填写工作总结文字", EVENTS: "记录大事记"}
_ALLOWED = {
    COUNTY: {IMPORT, RESTORE, TEXTS, EVENTS},
    TOWNSHIP: {IMPORT, RESTORE, TEXTS, EVENTS},
    VILLAGE: {IMPORT},
    VIEWER: set(),
}
_ROW = re.compile(r"\d+")
MAX_LABEL_CHARS = 100  # versions.created_by


@dataclass(frozen=True)
class Account:
    """One person who may sign in: name, bcrypt hash, role and reach.

    `township` None means every township for a county admin or viewer, and "this deployment's
    township" in a single township's editors file (which serves one township only).
    """

    name: str
    password_hash: str
    added_at: str = ""
    role: str = TOWNSHIP
    township: str | None = None
    village: str | None = None

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def label(self) -> str:
        """Who a change is recorded as, role included: 张三（村级报送员·酉庄村）.

        Kept in versions.created_by (and report_texts.updated_by): the history page, the command
        line's history and every version download already show that column, and the role is
        frozen there as it was at the change, whatever happens to the account later.
        """
        detail = self.role_label + (f"·{self.village}" if self.village else "")
        return f"{self.name}（{detail}）"[:MAX_LABEL_CHARS]

    @property
    def stamp(self) -> str:
        """A fingerprint of what the account may do: a sign-in ends when it changes."""
        text = "\x1f".join(
            [self.name, self.role, self.township or "", self.village or "", self.password_hash]
        )
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def reaches(self, township: str) -> bool:
        return self.role == COUNTY or self.township in (None, township)

    def may(self, action: str, township: str) -> bool:
        return action in _ALLOWED.get(self.role, set()) and self.reaches(township)

    def reach(self, names: Mapping[str, str]) -> str:
        """What the account covers, in words: 全县, 潭湾镇, 潭湾镇·酉庄村."""
        if self.township is not None:
            place = names.get(self.township, self.township)
        elif self.role != COUNTY and len(names) == 1:
            place = next(iter(names.values()))  # a single township's editors file
        else:
            place = "全县"
        return f"{place}·{self.village}" if self.village else place


def refusal(account: Account, action: str, township: str, names: Mapping[str, str]) -> str:
    """Why this account may not do this here, in Chinese (empty when it may)."""
    if account.may(action, township):
        return ""
    what = ACTIONS.get(action, action)
    if account.role == VIEWER:
        return f"浏览人员账号（{account.name}）只能查看数据，不能{what}"
    if action not in _ALLOWED.get(account.role, set()):
        return f"{account.role_label}（{account.name}）不能{what}，请联系乡镇编辑人员"
    return (
        f"{account.role_label}（{account.name}）只能修改{account.reach(names)}的数据，"
        f"不能{what}到{names.get(township, township)}"
    )


def authorise(
    account: Account | None,
    configured: bool,
    action: str,
    township: str,
    names: Mapping[str, str] | None = None,
) -> str:
    """Who to record for a change, or AuthError in Chinese: the one gate of every write.

    `configured`: whether any account exists; without accounts the app runs in single-user
    mode and records config.SINGLE_USER.
    """
    if not configured:
        return config.SINGLE_USER
    if account is None:
        raise AuthError(
            problems=[Problem("修改数据需要登录", hint="请先在本页登录；浏览数据不需要修改权限")],
            title="需要登录",
        )
    reason = refusal(account, action, township, names or {})
    if reason:
        raise AuthError(problems=[Problem(reason)], title="没有权限")
    return account.label


def _row_number(cells: Sequence[str]) -> str:
    found = _ROW.search(cells[0]) if cells else None
    return found.group(0) if found else ""


def village_row_problems(
    account: Account | None,
    files: Sequence[ParsedWorkbook],
    catalogue: Catalogue,
    replace: bool = False,
) -> list[Problem]:
    """Every row a village reporter may not send, each named with its file, sheet and row.

    A reporter sends their own 村（社区）'s rows, for the months those rows name: rows of another
    village, the 全镇 (镇本级) row and 打擂 scores are refused, and so is replacing whole sheets
    (that would turn other villages' values into 未报). Rows left empty (a template's other
    villages) are not in the file's rows and need no deleting. Empty for every other role.
    """
    if account is None or account.role != VILLAGE:
        return []
    own = account.village or ""
    problems = []
    if replace:
        problems.append(
            Problem(
                "村级报送员只能按村（社区）更新本村数据，不能选择“以本表为准”",
                hint="请选择“按村（社区）更新”",
            )
        )
    contest = catalogue.contest.sheet
    for parsed in files:
        if parsed.events:
            problems.append(
                Problem(
                    f"工作簿中有 {len(parsed.events)} 条大事记：大事记由镇里记录，"
                    f"村级报送员（{own}）不能上传",
                    file=parsed.file_name,
                    sheet=EVENT_SHEET,
                    hint="请清空“大事记”表（或删去这张表）后重新上传；本村的事请告诉党政办记录",
                )
            )
        for area, month, village, sheet, _values, cells in parsed.rows:
            if village == own and area != contest:
                continue
            row = _row_number(cells)
            where = f"第 {row} 行" if row else "一行"
            if area == contest:
                message = (
                    f"{where}是“{village}”{months.label(month)}的{contest}评分：评分由镇里评定，"
                    f"村级报送员（{own}）不能上传"
                )
            else:
                message = (
                    f"{where}是“{village}”{months.label(month)}的数据：村级报送员只能报送"
                    f"本村（社区）“{own}”的行"
                )
            problems.append(
                Problem(
                    message,
                    file=parsed.file_name,
                    sheet=sheet,
                    cell=cells[0] if cells else "",
                    hint=f"请删去这一行的数据（只保留“{own}”的行）后重新上传",
                )
            )
    return problems
