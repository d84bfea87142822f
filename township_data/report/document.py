"""A filled report: its paragraphs, what is missing, and the page, Word and Markdown forms."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .. import months
from ..documents import Block, government_docx
from .figures import MISSING, Figure
from .render import PENDING, Rendered, free_paragraphs, render
from .syntax import Template, base, fields

_NAME_LENGTH = 24


@dataclass
class Report:
    """A filled template for one period: figures by key, paragraphs, what is missing."""

    township: str
    first: str
    last: str
    template: Template
    figures: dict[str, Figure]
    _used: list[str] | None = field(default=None, repr=False)

    @property
    def period_name(self) -> str:
        return months.period_label(self.first, self.last)

    def render(self, texts: Mapping[str, str] | None = None) -> list[Rendered]:
        """Every paragraph, figures filled and the office's words in their places."""
        return render(self.template, self.figures, texts)[0]

    @property
    def used(self) -> list[str]:
        """The keys of the figures the text shows or a condition could not decide without."""
        if self._used is None:
            self._used = render(self.template, self.figures)[1]
        return self._used

    @property
    def title(self) -> str:
        for rendered in self.render():
            if rendered.kind == "title":
                return rendered.text
        return f"{self.township}{self.period_name}工作总结"

    @property
    def file_stem(self) -> str:
        return re.sub(r'[\\/:*?"<>|]', "", self.title)

    def counted(self) -> list[Figure]:
        """The figures the report uses that are numbers from data, settings or the 大事记."""
        return [self.figures[k] for k in self.used]

    def missing(self) -> list[Figure]:
        return [f for f in self.counted() if f.missing]

    def partial(self) -> list[Figure]:
        return [f for f in self.counted() if f.partial]

    def paragraph_figures(self, index: int) -> list[Figure]:
        """The figures of one template paragraph, in order, each once: those written, and
        those only tested whose indicator is not written in another form ({余:…})."""
        para = self.template.paragraphs[index]
        written = fields(para.segments)
        bases = {base(k) for k in written}
        keys = [k for k in para.keys if k in written or base(k) not in bases]
        return [self.figures[k] for k in keys if self.figures[k].kind != "period"]

    def source_paragraphs(self) -> dict[int, str]:
        """Template paragraph → its lead sentence, for the written paragraphs with figures."""
        named: dict[int, str] = {}
        for rendered in self.render():
            if rendered.index >= 0 and self.paragraph_figures(rendered.index):
                named[rendered.index] = rendered.text.split("。", 1)[0][:_NAME_LENGTH]
        return named

    def pending(self, texts: Mapping[str, str] | None = None) -> list[str]:
        texts = texts or {}
        return [s.name for s in self.template.slots if not free_paragraphs(texts.get(s.name, ""))]

    def appendix(self, texts: Mapping[str, str] | None = None) -> list[str]:
        """Lines listing every 【未报】 figure and every unwritten free-text part."""
        lines = []
        missing = self.missing()
        if missing:
            lines.append(
                f"附：本期以下 {len(missing)} 个数字没有数据，文中显示为{MISSING}"
                "（或因此未写出相关语句），请核实后补报或修改："
            )
            lines += [f"{i}. {f.label}" for i, f in enumerate(missing, 1)]
        pending = self.pending(texts)
        if pending:
            lines.append(f"尚未填写的文字部分：{'、'.join(pending)}（文中显示为{PENDING}）。")
        return lines

    def blocks(self, texts: Mapping[str, str] | None = None) -> list[Block]:
        """The report as documents.Block paragraphs, for government_docx."""
        blocks = [Block(r.kind, r.text) for r in self.render(texts)]
        return blocks + [Block("note", line) for line in self.appendix(texts)]

    def docx(self, texts: Mapping[str, str] | None = None) -> bytes:
        return government_docx(self.blocks(texts))

    def markdown(self, texts: Mapping[str, str] | None = None) -> str:
        """The report as Markdown, with the missing list and how every figure was computed."""
        prefix = {"title": "# ", "heading": "## ", "body": ""}
        lines = [prefix[r.kind] + r.text for r in self.render(texts)]
        appendix = self.appendix(texts)
        if appendix:
            lines += ["---", *appendix]
        lines += [
            "---",
            "## 附：数字计算说明",
            "",
            "| 数字 | 结果 | 计算方法 | 来源 |",
            "|---|---|---|---|",
        ]
        for fig in self.counted():
            cells = [fig.label, fig.text, fig.explanation, fig.source_summary()]
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        return _join_markdown(lines)

    def html(self, rendered: Rendered) -> str:
        """One paragraph as HTML for the page: figures marked, 【未报】 red, method on hover."""
        parts = []
        for text, key in rendered.runs:
            if text == PENDING and not key:
                parts.append(f'<span style="color:#b26a00;font-weight:600">{PENDING}</span>')
                continue
            if not key or self.figures[key].kind == "period":
                parts.append(html.escape(text))
                continue
            fig = self.figures[key]
            colour = "#c62828" if fig.missing else "#0b5394"
            title = html.escape(f"{fig.label}：{fig.explanation}", quote=True)
            wrap = "nowrap" if len(text) <= 10 else "normal"
            parts.append(
                f'<span title="{title}" style="color:{colour};font-weight:600;white-space:{wrap}">'
                f"{html.escape(text)}</span>"
            )
        if rendered.kind == "title":
            return f'<h3 style="text-align:center">{"".join(parts)}</h3>'
        if rendered.kind == "heading":
            return f"<h4>{''.join(parts)}</h4>"
        return f'<p style="text-indent:2em;line-height:1.9">{"".join(parts)}</p>'


def _join_markdown(lines: list[str]) -> str:
    """Paragraphs separated by blank lines; the table rows kept together."""
    out: list[str] = []
    for line in lines:
        if line.startswith("|") and out and out[-1].startswith("|"):
            out[-1] += "\n" + line
        else:
            out.append(line)
    return "\n\n".join(out) + "\n"
