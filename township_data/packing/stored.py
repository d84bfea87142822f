"""A slice as stored text: names as JSON, values and origins as little-endian base64 (exact:
a float reads back bit for bit), cells as JSON."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence

import numpy as np

from .slices import THIS_IMPORT, Slice

_FLOAT = np.dtype("<f8")


_INT = np.dtype("<i8")


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def encode_values(values: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(values, dtype=_FLOAT).tobytes()).decode("ascii")


def decode_values(text: str, indicators: int, villages: int) -> np.ndarray:
    values = np.frombuffer(base64.b64decode(text), dtype=_FLOAT)
    if values.size != indicators * villages:
        raise ValueError("stored values do not match the stored names")
    return values.reshape(indicators, villages).astype("float64")


def encode_origins(
    origins: np.ndarray | None, version_id: int, numbers: dict[int, int] | None = None
) -> str | None:
    """Each value's version as stored: None when every value is `version_id`'s own, else the
    matrix with the batch's provisional origins (negative) replaced by their versions
    (`numbers`; THIS_IMPORT becomes `version_id` when it is not named there)."""
    if origins is None:
        return None
    numbered = origins
    waiting = origins < 0
    if waiting.any():
        # One lookup for all provisional origins (a batch of 31 village files numbers 31):
        # -(k + 1) → its version, or itself when the batch has not numbered it (~o is k).
        real = {THIS_IMPORT: version_id, **(numbers or {})}
        provisional = origins[waiting]
        lowest = int(provisional.min())
        table = np.array([real.get(-(k + 1), -(k + 1)) for k in range(-lowest)], dtype=_INT)
        numbered = origins.copy()
        numbered[waiting] = table[~provisional]
    if bool((numbered == version_id).all()):
        return None
    return base64.b64encode(np.ascontiguousarray(numbered, dtype=_INT).tobytes()).decode("ascii")


def decode_origins(text: str | None, indicators: int, villages: int) -> np.ndarray | None:
    if not text:
        return None
    origins = np.frombuffer(base64.b64decode(text), dtype=_INT)
    if origins.size != indicators * villages:
        raise ValueError("stored origins do not match the stored names")
    return origins.reshape(indicators, villages).astype("int64")


def encode(
    piece: Slice, version_id: int = 0, numbers: dict[int, int] | None = None
) -> dict[str, str | None]:
    """The stored text columns of a slice (origins numbered as `encode_origins` does)."""
    return {
        "sheet": piece.sheet,
        "villages": _ENCODER.encode(piece.villages),
        "indicators": _ENCODER.encode(piece.indicators),
        "data": encode_values(piece.values),
        "cells": _ENCODER.encode(piece.cells if piece.cells is not None else []),
        "origins": encode_origins(piece.origins, version_id, numbers),
    }


def decode_names(texts: Sequence[str]) -> list[list[str]]:
    """Many JSON arrays at once, each distinct text parsed once: the slices of a sheet list
    the same villages month after month, and those slices then share one list."""
    distinct = list(dict.fromkeys(texts))
    parsed = json.loads("[" + ",".join(distinct) + "]") if distinct else []
    lists = dict(zip(distinct, parsed, strict=True))
    return [lists[t] for t in texts]


def decode(rows: Sequence, cells: bool = False) -> list[Slice]:
    """Stored rows (area, month, villages, indicators, data [, sheet, cells, version_id,
    file_name]) as slices; cells only when asked for."""
    villages = decode_names([r.villages for r in rows])
    names = decode_names([r.indicators for r in rows])
    found = json.loads("[" + ",".join(r.cells for r in rows) + "]") if cells else [None] * len(rows)
    out = []
    for row, v, n, c in zip(rows, villages, names, found, strict=True):
        mapping = row._mapping
        out.append(
            Slice(
                row.area,
                row.month,
                mapping.get("sheet", ""),
                v,
                n,
                decode_values(row.data, len(n), len(v)),
                c,
                mapping.get("version_id"),
                mapping.get("file_name", ""),
                decode_origins(mapping.get("origins"), len(n), len(v)),
            )
        )
    return out
