"""Reading the editable template: paragraphs, placeholders, conditional wording, slots.

Every problem is collected with its line, so one edit fixes them all; names that are almost
right get a suggestion. A template is re-read when its file changes.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from pathlib import Path

from .. import config
from ..catalogue import Catalogue
from ..errors import Problem, TemplateError
from .syntax import (
    AREA_MODE,
    EVENT_MODES,
    FACTS,
    MODES,
    OPERATORS,
    PREFIXES,
    Choice,
    Condition,
    Node,
    Ref,
    Segment,
    Slot,
    Template,
    TemplateParagraph,
    Test,
)

TITLE = "工作总结模板文件有误"
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_SLOT = re.compile(r"\[\[([^\[\]\n]*)\]\]")
_JOINERS = re.compile(r"\s*(且|或)\s*")
_COMPARISON = re.compile(r"^(.*?)\s*(>=|<=|!=|==|=|>|<)\s*(.*)$")
_SYMBOLS = str.maketrans({"≥": ">=", "≤": "<=", "≠": "!="})
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?%?$")


def _closest(word: str, choices: list[str]) -> str | None:
    found = difflib.get_close_matches(word, choices, n=1, cutoff=0.4)
    return found[0] if found else None


def _closing(text: str, start: int) -> int:
    """The position of the brace closing the one at `start`, or -1."""
    depth = 0
    for position in range(start, len(text)):
        if text[position] == "{":
            depth += 1
        elif text[position] == "}":
            depth -= 1
            if depth == 0:
                return position
    return -1


def _separator(text: str) -> int:
    """Where a condition ends: the first colon that does not close a prefix (村数:…)."""
    limit = text.find("{")
    for match in re.finditer(r"[:：]", text if limit < 0 else text[:limit]):
        before = re.split(r"[\s<>=!且或]", text[: match.start()])[-1]
        if before not in PREFIXES:
            return match.start()
    return -1


class _TemplateReader:
    """Parses the template and collects every problem, so one edit fixes them all."""

    def __init__(self, path: Path, catalogue: Catalogue) -> None:
        self.path = path
        self.catalogue = catalogue
        self.problems: list[Problem] = []
        self.refs: dict[str, Ref] = {}

    def error(self, line: int, message: str, hint: str = "") -> None:
        self.problems.append(Problem(f"第 {line} 行：{message}", file=self.path.name, hint=hint))

    # -------------------------------------------------------------- placeholders

    def resolve(self, raw: str, line: int, in_condition: bool = False) -> str | None:
        """The figure key a placeholder names, registering the figure; None when it is wrong."""
        text = "".join(raw.split())
        mode, _, rest = text.replace("：", ":").rpartition(":")
        if mode in EVENT_MODES or mode == AREA_MODE:
            return self._named(mode, rest, raw, line, in_condition)
        if "/" not in rest:
            if mode or rest not in FACTS:
                guess = _closest(rest, list(FACTS))
                self.error(
                    line,
                    f"无法识别的占位符“{{{raw}}}”",
                    f"是否应为“{{{guess}}}”？" if guess else "应写成 {领域/指标} 或 {期间} 等",
                )
                return None
            self.refs.setdefault(rest, Ref(key=rest))
            return rest
        if mode not in MODES:
            self.error(
                line,
                f"占位符“{{{raw}}}”中的“{mode}:”无法识别",
                f"可用：{'、'.join(m + ':' for m in PREFIXES)}，或不加前缀",
            )
            return None
        return self._indicator(mode, rest, raw, line)

    def _indicator(self, mode: str, rest: str, raw: str, line: int) -> str | None:
        area, _, name = rest.partition("/")
        areas = self.catalogue.sheet_names
        if area not in areas:
            self._not_listed(line, f"占位符“{{{raw}}}”中的领域“{area}”不在指标目录中", area, areas)
            return None
        ind = self.catalogue.match_column(area, name)
        if ind is None:
            guess = self.catalogue.suggest_column(area, name)
            self.error(
                line,
                f"“{area}”中没有指标“{name}”",
                f"是否应为“{guess}”？" if guess else "请对照指标目录 catalogue.toml 中的名称",
            )
            return None
        if mode in ("进度", "应完成") and not ind.plan:
            self.error(
                line,
                f"“{ind.name}”没有计划指标，不能写“{mode}:”",
                "只有在指标目录中写了 plan 的指标（如 已发展党员）才有完成进度",
            )
            return None
        key = f"{mode}:{area}/{ind.name}" if mode else f"{area}/{ind.name}"
        self.refs.setdefault(key, Ref(key=key, mode=mode, indicator=ind, kind="indicator"))
        return key

    def _named(self, mode: str, name: str, raw: str, line: int, in_condition: bool) -> str | None:
        """An event kind ({事件:防汛抢险}) or an area ({如果 领域:疫情防控：…})."""
        if mode == AREA_MODE:
            choices, kind = self.catalogue.area_names, "area"
            if not in_condition:
                self.error(line, f"“{{{raw}}}”只能用在条件中，如 {{如果 领域:{name}：…}}")
                return None
        else:
            choices, kind = list(self.catalogue.event_kinds), "event"
        if name not in choices:
            self._not_listed(line, f"占位符“{{{raw}}}”中的“{name}”不在指标目录中", name, choices)
            return None
        key = f"{mode}:{name}"
        self.refs.setdefault(key, Ref(key=key, mode=mode, kind=kind, name=name))
        return key

    def _not_listed(self, line: int, message: str, word: str, choices: list[str]) -> None:
        """A name the catalogue does not list: the closest listed one as the hint, else all."""
        guess = _closest(word, choices)
        self.error(
            line, message, f"是否应为“{guess}”？" if guess else f"可用：{'、'.join(choices)}"
        )

    # -------------------------------------------------------------- conditions

    def condition(self, text: str, line: int) -> Condition | None:
        """`A`, `A > 0`, `A = B`, joined by 且 or 或 (not both)."""
        normal = unicodedata.normalize("NFKC", text).translate(_SYMBOLS).strip()
        parts = _JOINERS.split(normal)
        joiners = set(parts[1::2])
        if len(joiners) > 1:
            self.error(line, f"条件“{text}”中“且”和“或”不能混用", "请拆成两个 {如果 …} 嵌套")
            return None
        tests = [self.test(part, text, line) for part in parts[0::2]]
        if not tests or any(t is None for t in tests):
            return None
        return Condition(tuple(t for t in tests if t), joiners.pop() if joiners else "且", text)

    def test(self, part: str, whole: str, line: int) -> Test | None:
        if not part.strip():
            self.error(line, f"条件“{whole}”不完整")
            return None
        match = _COMPARISON.match(part)
        if not match:
            key = self.resolve(part, line, in_condition=True)
            return Test(key) if key else None
        left, op, right = match.groups()
        key = self.resolve(left, line, in_condition=True)
        op = "=" if op == "==" else op
        if _NUMBER.match(right.strip()):
            value: str | float | None = float(right.strip().rstrip("%"))
        else:
            value = self.resolve(right, line, in_condition=True)
        if key is None or value is None or op not in OPERATORS:
            return None
        return Test(key, op, value)

    # -------------------------------------------------------------- paragraphs

    def nodes(self, text: str, line: int) -> tuple[Node, ...]:
        """Text, placeholders and {如果 …：…}{否则：…} blocks, nested as written."""
        out: list[Node] = []
        position = 0
        literal = ""
        while position < len(text):
            char = text[position]
            if char == "}":
                self.error(line, "花括号不成对", "占位符写成 {领域/指标}，两边各一个花括号")
                position += 1
                continue
            if char != "{":
                literal += char
                position += 1
                continue
            end = _closing(text, position)
            if end < 0:
                self.error(line, "花括号不成对", "占位符写成 {领域/指标}，两边各一个花括号")
                literal += text[position:]
                break
            if literal:
                out.append(Segment(text=literal))
                literal = ""
            inner = text[position + 1 : end]
            position = end + 1
            head = inner.lstrip()
            if head.startswith("如果"):
                choice, position = self.choice(head[2:], text, position, line)
                if choice is not None:
                    out.append(choice)
            elif head.startswith("否则"):
                self.error(line, "“{否则：…}”须紧跟在“{如果 …：…}”之后")
            elif "{" in inner:
                self.error(line, f"占位符“{{{inner}}}”中不能再有花括号")
            else:
                key = self.resolve(inner, line)
                out.append(Segment(ref=key) if key else Segment(text="{" + inner + "}"))
        if literal:
            out.append(Segment(text=literal))
        return tuple(out)

    def choice(self, body: str, text: str, position: int, line: int) -> tuple[Choice | None, int]:
        """A {如果 条件：文字} block and the {否则：文字} right after it, if any."""
        cut = _separator(body)
        if cut < 0:
            self.error(line, f"“{{如果{body}}}”缺少冒号", "写成 {如果 条件：文字}")
            return None, position
        condition = self.condition(body[:cut], line)
        then = self.nodes(body[cut + 1 :], line)
        otherwise = None
        rest = text[position:]
        if rest.startswith("{否则"):
            end = _closing(text, position)
            inner = text[position + 3 : end] if end > 0 else ""
            if end < 0 or inner[:1] not in (":", "："):
                self.error(line, "“{否则：…}”写法有误", "写成 {否则：文字}")
            else:
                otherwise = self.nodes(inner[1:], line)
            position = end + 1 if end > 0 else len(text)
        if condition is None:
            return None, position
        return Choice(condition, then, otherwise), position

    def paragraph(self, lines: list[tuple[int, str]]) -> TemplateParagraph:
        line, first = lines[0]
        if first.startswith("#"):
            level = len(first) - len(first.lstrip("#"))
            text = first[level:].strip() + "".join(t for _, t in lines[1:])
            if level > 2:
                self.error(line, "标题只能用“# ”（报告标题）或“## ”（一级标题）")
            kind = "title" if level == 1 else "heading"
            return TemplateParagraph(kind, self.nodes(text, line), line)
        text = "".join(t for _, t in lines)
        slot = None
        found = list(_SLOT.finditer(text))
        if found:
            last = found[-1]
            if len(found) > 1 or last.end() != len(text):
                self.error(line, "[[…]] 只能放在一段的末尾，每段最多一个")
            name, _, hint = last.group(1).replace(":", "：").partition("：")
            slot = Slot(name=name.strip(), hint=hint.strip())
            if not slot.name:
                self.error(line, "[[…]] 中缺少名称，如 [[存在不足：提示]]")
            text = text[: last.start()]
        return TemplateParagraph("body", self.nodes(text, line), line, slot)

    def read(self, text: str) -> tuple[TemplateParagraph, ...]:
        if "<!--" in _COMMENT.sub("", text):
            self.error(
                text[: text.rfind("<!--")].count("\n") + 1, "说明块“<!--”没有对应的“-->”结尾"
            )
        blanked = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
        paragraphs: list[TemplateParagraph] = []
        block: list[tuple[int, str]] = []
        for number, raw in enumerate([*blanked.splitlines(), ""], start=1):
            stripped = raw.strip()
            starts_heading = stripped.startswith("#") and block
            if not stripped or starts_heading:
                if block:
                    paragraphs.append(self.paragraph(block))
                block = []
            if stripped:
                block.append((number, stripped))
                if stripped.startswith("#"):
                    paragraphs.append(self.paragraph(block))
                    block = []
        names = [p.slot.name for p in paragraphs if p.slot]
        for name in {n for n in names if names.count(n) > 1}:
            self.problems.append(
                Problem(f"[[{name}]] 出现了不止一次", file=self.path.name, hint="每个名称只用一次")
            )
        if not any(p.kind == "body" for p in paragraphs):
            self.problems.append(Problem("模板中没有任何正文段落", file=self.path.name))
        return tuple(paragraphs)


def parse_template(text: str, path: Path, catalogue: Catalogue) -> Template:
    """Validate template text against the catalogue; TemplateError lists every problem."""
    reader = _TemplateReader(path, catalogue)
    paragraphs = reader.read(text)
    if reader.problems:
        raise TemplateError(problems=reader.problems, title=TITLE)
    digest = hashlib.sha256((text + catalogue.fingerprint).encode("utf-8")).hexdigest()[:16]
    return Template(path=path, fingerprint=digest, paragraphs=paragraphs, refs=reader.refs)


_TEMPLATES: dict[tuple[Path, int, str], Template] = {}


def _read(path: Path, catalogue: Catalogue) -> Template:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TemplateError(
            problems=[Problem("不是 UTF-8 编码，请用 UTF-8 保存", file=path.name)], title=TITLE
        ) from None
    return parse_template(text, path, catalogue)


def load_template(catalogue: Catalogue, path: Path | None = None) -> Template:
    """The template at `path` (default: config.report_template_path()), re-read when it changes."""
    target = Path(path) if path else config.report_template_path()
    try:
        mtime = target.stat().st_mtime_ns
    except OSError as exc:
        raise TemplateError(
            problems=[Problem(f"找不到工作总结模板文件 {target}（{exc.strerror}）")], title=TITLE
        ) from None
    key = (target, mtime, catalogue.fingerprint)
    if key not in _TEMPLATES:
        _TEMPLATES[key] = _read(target, catalogue)
    return _TEMPLATES[key]
