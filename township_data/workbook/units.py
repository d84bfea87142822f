"""Units an office writes in a header, and the certain factor to the catalogue's unit.

`convert("万元", "元")` is 10000: a header 临时救助金额（万元） holding 1.5 means 15000 元. A factor
exists only where the two units measure the same thing and differ by a fixed power of ten
(or are two names of one unit: 公里 and 千米, 人 and 名); 人 and 户, 次 and 处, 家 and 家次 are
different things and have none (None), so the reader reports the cell instead of guessing.

Factors are Decimal, and `scale` multiplies in decimal: 0.07 万元 is 700 元, not the
700.0000000000001 that binary floating point gives. `percent_shown` is the same for a cell
formatted as percent: it holds 0.955 and shows 95.5%.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

# One name per unit, for its other spellings (after NFKC: full-width letters and % are folded).
SYNONYMS: dict[str, str] = {
    "公里": "千米",
    "km": "千米",
    "m": "米",
    "延米": "米",  # linear metre, as ditches and roads are measured
    "延长米": "米",
    "名": "人",
    "位": "人",
    "人民币元": "元",
    "rmb": "元",
    "百分比": "%",
}
# Units measured in base units of their own kind: unit → (kind, factor to the kind's base).
BASE: dict[str, tuple[str, Decimal]] = {
    "元": ("money", Decimal(1)),
    "米": ("length", Decimal(1)),
    "厘米": ("length", Decimal("0.01")),
    "cm": ("length", Decimal("0.01")),
    "%": ("ratio", Decimal(1)),
    "‰": ("ratio", Decimal("0.1")),
}
# Chinese multipliers written before a unit: 万元, 千米, 万人次, 亿元 … (longest first).
PREFIXES: tuple[tuple[str, Decimal], ...] = (
    ("十万", Decimal(10) ** 5),
    ("百万", Decimal(10) ** 6),
    ("千万", Decimal(10) ** 7),
    ("亿", Decimal(10) ** 8),
    ("万", Decimal(10) ** 4),
    ("千", Decimal(10) ** 3),
)
_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "(", "】": ")", "[": "(", "]": ")"})
_TRAILING_UNIT = re.compile(r"\(((?:[^()]|\([^()]*\))*)\)$")


def normalize(unit: str) -> str:
    """A unit as compared: NFKC (full-width folded), no spaces, lower-case letters, synonyms
    mapped to one name; the inside of brackets keeps its brackets (件(箱))."""
    text = "".join(unicodedata.normalize("NFKC", unit).translate(_BRACKETS).split()).lower()
    return SYNONYMS.get(text, text)


def _measure(unit: str) -> tuple[str, Decimal] | None:
    """(what the unit measures, its size in that thing's base unit), when known.

    A counting unit (人, 户, 次 …) is its own kind of size 1: any unit may take a prefix
    (万人, 千户), but 人 and 户 are never the same kind.
    """
    if unit in BASE:
        return BASE[unit]
    for prefix, size in PREFIXES:
        if unit.startswith(prefix) and len(unit) > len(prefix):
            rest = SYNONYMS.get(unit[len(prefix) :], unit[len(prefix) :])
            if rest in BASE:
                kind, base = BASE[rest]
                return kind, size * base
            if rest.startswith(tuple(p for p, _ in PREFIXES)):
                return None  # 万万元 and such: not a unit anyone writes
            return f"count:{rest}", size
    return None


def convert(header_unit: str, catalogue_unit: str) -> Decimal | None:
    """The factor that turns a value in `header_unit` into `catalogue_unit`, or None when the
    two are not certainly the same kind of thing (the reader then reports the cell).

    convert("万元", "元") == 10000, convert("元", "万元") == Decimal("0.0001"),
    convert("公里", "米") == 1000, convert("名", "人") == 1, convert("户", "人") is None.
    """
    have, want = normalize(header_unit), normalize(catalogue_unit)
    if have == want:
        return Decimal(1)
    have_measure = _measure(have) or (f"count:{have}", Decimal(1))
    want_measure = _measure(want) or (f"count:{want}", Decimal(1))
    if have_measure[0] != want_measure[0]:
        return None
    return have_measure[1] / want_measure[1]


# Units an office writes for what it counts: a header label that is one of these (after a
# multiplier such as 万) is a unit, not an indicator name.
COUNTING = {
    *("次", "人", "名", "位", "户", "个", "处", "起", "份", "家", "家次", "台", "台次", "件"),
    *("件(箱)", "箱", "条", "剂次", "副", "根", "人次", "户次", "项", "所", "座", "辆", "栋"),
    *("间", "亩", "吨", "场", "期", "批", "场次", "分", "公里", "千米"),
}


def is_unit(text: str) -> bool:
    """Whether a header label is a unit (户, 万元, ％, （人）) rather than a name."""
    unit = normalize(text.strip("()（）"))
    if not unit:
        return False
    if unit in BASE or unit in COUNTING or unit in SYNONYMS.values():
        return True
    for prefix, _size in PREFIXES:
        rest = unit[len(prefix) :]
        if unit.startswith(prefix) and (rest in BASE or rest in COUNTING):
            return True
    return False


def scale(value: float, factor: Decimal) -> float:
    """value × factor in decimal arithmetic, from the value's shortest repr (what Excel shows)."""
    if factor == 1:
        return value
    try:
        return float(Decimal(repr(float(value))) * factor)
    except InvalidOperation:  # inf or nan: the reader refuses those anyway
        return value * float(factor)


def percent_shown(value: float) -> float:
    """A percent-formatted cell's number as the clerk saw it: 0.955 → 95.5."""
    return scale(value, Decimal(100))


def split_header(header: object) -> tuple[str, str | None]:
    """A header → (name, unit in its trailing brackets or None): 临时救助金额（万元） →
    ('临时救助金额', '万元'). Brackets of either width; spaces removed."""
    text = "".join(unicodedata.normalize("NFKC", str(header)).translate(_BRACKETS).split())
    found = _TRAILING_UNIT.search(text)
    if not found or found.start() == 0:
        return text, None
    return text[: found.start()], found.group(1) or None
