"""The located, Chinese error types shared by the catalogue, workbook reader, store and pages.

A `Problem` names where (file, sheet, cell) and what to do; readers collect every problem of an
input before raising, so a user fixes a workbook in one pass instead of one error per upload.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as the input allows."""

    message: str
    file: str = ""
    sheet: str = ""
    cell: str = ""
    hint: str = ""

    @property
    def location(self) -> str:
        """`文件 安全生产!D7` style location, omitting the parts that are unknown."""
        place = f"{self.sheet}!{self.cell}" if self.sheet and self.cell else self.sheet or self.cell
        return " ".join(part for part in (self.file, place) if part)

    def __str__(self) -> str:
        text = f"{self.location}：{self.message}" if self.location else self.message
        return f"{text}（{self.hint}）" if self.hint else text

    def as_row(self) -> dict[str, str]:
        """A row for the error table shown on the upload page."""
        return {
            "文件": self.file,
            "工作表": self.sheet,
            "单元格": self.cell,
            "问题": self.message,
            "处理建议": self.hint,
        }


@dataclass
class TownshipError(Exception):
    """Base of every error a user may see: carries Chinese problems, never a stack trace."""

    problems: list[Problem] = field(default_factory=list)
    title: str = "数据有误"

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        lines = [f"{self.title}（共 {len(self.problems)} 处）："]
        lines += [f"  {i}. {p}" for i, p in enumerate(self.problems, 1)]
        return "\n".join(lines)


class CatalogueError(TownshipError):
    """The indicator catalogue file is broken; raised at start-up, naming the entry."""


class TemplateError(TownshipError):
    """The 工作总结 template file is broken (unknown indicator, unclosed placeholder …)."""


class WorkbookError(TownshipError):
    """A workbook cannot be imported; every problem of the workbook is listed at once."""


class StoreError(TownshipError):
    """A store operation was refused (unknown version, concurrent change, …)."""


class AuthError(TownshipError):
    """Changing data was refused: no editor signed in, a wrong password, a broken editors file."""


def single(cls: type[TownshipError], message: str, title: str, **where: str) -> TownshipError:
    """Build an error holding one problem, for failures that stop before anything is read."""
    return cls(problems=[Problem(message=message, **where)], title=title)
