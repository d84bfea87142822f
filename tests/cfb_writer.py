"""A minimal compound-file writer for tests: any top-level streams, in memory.

Real .et, .doc and password-protected .xlsx files cannot be made from Python here, but their
containers can: the same CFB structure with the stream names those applications write. Streams
under 4096 bytes go to the mini stream, as every writer does, so both read paths of ole.py are
exercised. Version 3 (512-byte sectors); the directory is a flat, all-black sibling chain, which
readers accept as well as a balanced tree.
"""

from __future__ import annotations

import struct

SECTOR = 512
MINI = 64
CUTOFF = 4096
END, FREE, FAT_SECTOR = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
NO_STREAM = 0xFFFFFFFF


def _pad(data: bytes, size: int) -> bytes:
    return data + bytes(-len(data) % size)


def write_cfb(streams: dict[str, bytes]) -> bytes:
    """A compound file holding these streams at its top level."""
    regular: list[bytes] = []  # sector contents in order
    fat: list[int] = []

    def allocate(data: bytes) -> int:
        if not data:
            return END
        start = len(regular)
        chunks = [data[i : i + SECTOR] for i in range(0, len(data), SECTOR)]
        for i, chunk in enumerate(chunks):
            regular.append(_pad(chunk, SECTOR))
            fat.append(start + i + 1 if i + 1 < len(chunks) else END)
        return start

    mini_data = b""
    mini_fat: list[int] = []
    entries: list[tuple[str, int, int, int]] = []  # name, type, start, size
    for name, data in streams.items():
        if len(data) < CUTOFF:
            start = len(mini_data) // MINI
            count = max(1, -(-len(data) // MINI))
            mini_fat.extend(start + i + 1 if i + 1 < count else END for i in range(count))
            mini_data += _pad(data, MINI) if data else bytes(MINI)
            entries.append((name, 2, start, len(data)))
        else:
            entries.append((name, 2, allocate(data), len(data)))
    mini_start = allocate(mini_data)
    mini_fat_start = allocate(b"".join(struct.pack("<I", v) for v in mini_fat))
    directory = [
        _entry("Root Entry", 5, mini_start, len(mini_data), child=1 if entries else NO_STREAM)
    ]
    for i, (name, kind, start, size) in enumerate(entries):
        right = i + 2 if i + 1 < len(entries) else NO_STREAM
        directory.append(_entry(name, kind, start, size, right=right))
    dir_start = allocate(_pad(b"".join(directory), SECTOR))
    # FAT sectors: enough to map every sector including themselves.
    fat_count = 1
    while (len(regular) + fat_count) > fat_count * (SECTOR // 4):
        fat_count += 1
    fat_first = len(regular)
    fat.extend([FAT_SECTOR] * fat_count)
    table = b"".join(struct.pack("<I", v) for v in fat)
    table += struct.pack("<I", FREE) * (fat_count * SECTOR // 4 - len(fat))
    difat = [fat_first + i for i in range(fat_count)] + [FREE] * (109 - fat_count)
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
    header += struct.pack("<I", 0)  # directory sectors (0 for version 3)
    header += struct.pack("<III", fat_count, dir_start, 0)
    header += struct.pack("<IIIII", CUTOFF, mini_fat_start, -(-len(mini_fat) * 4 // SECTOR), END, 0)
    header += struct.pack("<109I", *difat)
    return header + b"".join(regular) + table


def _entry(
    name: str, kind: int, start: int, size: int, child: int = NO_STREAM, right: int = NO_STREAM
) -> bytes:
    encoded = (name + "\0").encode("utf-16-le")
    raw = encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
    raw += struct.pack("<III", NO_STREAM, right, child) + bytes(16) + bytes(4) + bytes(16)
    return raw + struct.pack("<II", start, size) + bytes(4)
