"""Tell apart files that start with the OLE compound-file signature, and read their streams.

.xls (Excel 97-2003, BIFF8), Excel 5/95 .xls (BIFF5), a password-protected .xlsx, Word and
PowerPoint files, and WPS's own .et, .wps and .dps all share the signature D0 CF 11 E0 A1 B1 1A
E1. What tells them apart is the names of the streams in the container's directory
([MS-CFB] 2.6): Workbook (BIFF8), Book (BIFF5), EncryptedPackage, WordDocument, PowerPoint
Document. WPS's .et stores its workbook in the same Workbook stream (that is why readers of .xls
open it), so a .et is told by its name, not by its bytes; see FINDINGS.md.

The reader here is small and strict: every sector number, chain and size is bounds-checked, and
anything out of place raises OleError rather than reading past the data.
"""

from __future__ import annotations

import struct
from array import array
from dataclasses import dataclass

SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END_OF_CHAIN = 0xFFFFFFFE
_FREE = 0xFFFFFFFF
_NO_STREAM = 0xFFFFFFFF
_HEADER_DIFAT = 109
_STREAM, _STORAGE, _ROOT = 2, 1, 5


class OleError(ValueError):
    """Not a readable compound file (truncated, or its tables point outside it)."""


@dataclass(frozen=True)
class _Entry:
    name: str
    kind: int
    left: int
    right: int
    child: int
    start: int
    size: int


class CompoundFile:
    """The streams at the top level of a compound file, read from bytes in memory."""

    def __init__(self, data: bytes) -> None:
        if len(data) < 512 or not data.startswith(SIGNATURE):
            raise OleError("不是 OLE 复合文件")
        self._data = data
        major, _order, sector_shift, mini_shift = struct.unpack_from("<HHHH", data, 26)
        if major not in (3, 4) or sector_shift not in (9, 12) or mini_shift != 6:
            raise OleError("复合文件头无法识别")
        self._sector = 1 << sector_shift
        self._mini = 1 << mini_shift
        (
            num_fat,
            first_dir,
            _tx,
            self._cutoff,
            first_mini_fat,
            num_mini_fat,
            first_difat,
            num_difat,
        ) = struct.unpack_from("<8I", data, 44)
        self._fat = self._read_fat(num_fat, first_difat, num_difat)
        self._entries = self._read_directory(first_dir)
        root = self._entries[0]
        if root.kind != _ROOT:
            raise OleError("复合文件目录无根项")
        self._mini_stream = self._read_chain(root.start, root.size, self._fat, self._sector, data)
        if num_mini_fat and first_mini_fat != _END_OF_CHAIN:
            raw = self._read_chain(first_mini_fat, None, self._fat, self._sector, data)
            self._mini_fat = array("I", raw[: len(raw) // 4 * 4])
        else:
            self._mini_fat = array("I")

    def _sector_bytes(self, number: int) -> bytes:
        start = (number + 1) * self._sector
        if number >= 0xFFFFFFFA or start >= len(self._data):
            raise OleError("扇区编号超出文件")
        # The last sector may be cut short by the writer: pad it (a chain reading past the
        # stream's real bytes is caught by the stream's declared size).
        return self._data[start : start + self._sector].ljust(self._sector, b"\x00")

    def _read_fat(self, num_fat: int, first_difat: int, num_difat: int) -> array:
        sectors = list(struct.unpack_from(f"<{_HEADER_DIFAT}I", self._data, 76))
        per_sector = self._sector // 4 - 1
        current, seen = first_difat, 0
        while current not in (_END_OF_CHAIN, _FREE) and seen <= num_difat:
            values = struct.unpack(f"<{per_sector + 1}I", self._sector_bytes(current))
            sectors.extend(values[:per_sector])
            current = values[per_sector]
            seen += 1
        fat_sectors = [s for s in sectors if s < 0xFFFFFFFA][:num_fat]
        if len(fat_sectors) != num_fat:
            raise OleError("复合文件分配表不完整")
        fat = array("I")
        for number in fat_sectors:
            fat.frombytes(self._sector_bytes(number))
        if fat.itemsize != 4:
            raise OleError("unsupported platform")
        return fat

    @staticmethod
    def _read_chain(
        start: int, size: int | None, table: array, unit: int, source: bytes, base: int = 1
    ) -> bytes:
        """The bytes of a chain of sectors (regular: base 1, the header; mini: base 0)."""
        parts: list[bytes] = []
        current, steps = start, 0
        limit = len(table)
        while current != _END_OF_CHAIN:
            if current >= limit or steps > limit:
                raise OleError("扇区链断裂或成环")
            offset = (current + base) * unit
            if offset >= len(source):
                raise OleError("扇区超出文件")
            parts.append(source[offset : offset + unit])
            current = table[current]
            steps += 1
            if size is not None and steps * unit >= size:
                break
        joined = b"".join(parts)
        if size is not None:
            if len(joined) < size:
                raise OleError("流比声明的短")
            return joined[:size]
        return joined

    def _read_directory(self, first: int) -> list[_Entry]:
        raw = self._read_chain(first, None, self._fat, self._sector, self._data)
        entries: list[_Entry] = []
        for offset in range(0, len(raw) - 127, 128):
            name_len, kind = struct.unpack_from("<HB", raw, offset + 64)
            left, right, child = struct.unpack_from("<3I", raw, offset + 68)
            start, size = struct.unpack_from("<II", raw, offset + 116)
            name = raw[offset : offset + max(0, min(name_len, 64) - 2)].decode(
                "utf-16-le", "replace"
            )
            entries.append(_Entry(name, kind, left, right, child, start, size))
        if not entries:
            raise OleError("复合文件目录为空")
        return entries

    def top_level(self) -> dict[str, _Entry]:
        """Entries directly under the root, by name (the directory is a tree of siblings)."""
        found: dict[str, _Entry] = {}
        pending = [self._entries[0].child]
        seen: set[int] = set()
        while pending:
            index = pending.pop()
            if index == _NO_STREAM or index in seen or index >= len(self._entries):
                continue
            seen.add(index)
            entry = self._entries[index]
            if entry.kind in (_STREAM, _STORAGE):
                found[entry.name] = entry
            pending.extend((entry.left, entry.right))
        return found

    def stream_names(self) -> set[str]:
        return {name for name, entry in self.top_level().items() if entry.kind == _STREAM}

    def read(self, name: str) -> bytes:
        """A top-level stream's bytes; KeyError when there is none of that name."""
        entry = self.top_level()[name]
        if entry.kind != _STREAM:
            raise KeyError(name)
        if entry.size < self._cutoff:
            return self._read_chain(
                entry.start, entry.size, self._mini_fat, self._mini, self._mini_stream, base=0
            )
        return self._read_chain(entry.start, entry.size, self._fat, self._sector, self._data)


# What a compound file is, by its top-level streams (first match wins).
KINDS = (
    ("EncryptedPackage", "encrypted"),  # a password-protected .xlsx/.docx
    ("Workbook", "xls"),  # BIFF8: Excel 97-2003, and WPS .et
    ("Book", "xls5"),  # BIFF5: Excel 5.0/95
    ("WordDocument", "doc"),
    ("PowerPoint Document", "ppt"),
)


def kind_of(data: bytes) -> str:
    """'encrypted', 'xls', 'xls5', 'doc', 'ppt', 'other', or 'broken' for a compound file."""
    try:
        names = CompoundFile(data).stream_names()
    except OleError:
        return "broken"
    return next((kind for stream, kind in KINDS if stream in names), "other")
