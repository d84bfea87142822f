"""What kind of file an upload is, from its bytes (and, for WPS's .et, its name), with the reason
in Chinese when it is one the reader does not take.

Read: .xlsx, .xlsm (zip with xl/workbook.xml) and .xls (a compound file with a BIFF8 Workbook
stream). Everything else gets a message that says what the file is and how to save it as .xlsx:
WPS's own .et/.ett (a compound file with the same Workbook stream as .xls, so only its name
tells it apart, see FINDINGS.md), Excel 5/95 (Book stream), a password-protected workbook
(EncryptedPackage), .xlsb, .ods, Word and PowerPoint files, a zip that holds no workbook.
Text files (CSV, HTML saved as .xls) are the reader's `sniff` as before.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass

from .ole import SIGNATURE, kind_of

SAVE_AS = "请用 Excel 或 WPS 打开，另存为“Excel 工作簿（*.xlsx）”后再上传"
READABLE = ("xlsx", "xlsm", "xls")


@dataclass(frozen=True)
class Detected:
    """`kind` is one of READABLE when the reader can take the file; otherwise `problem` says
    what it is (and `hint` what to do)."""

    kind: str
    problem: str | None = None
    hint: str = SAVE_AS

    @property
    def readable(self) -> bool:
        return self.kind in READABLE


_OLE_KINDS = {
    "xls5": "这是 Excel 5.0/95 格式的旧工作簿，无法读取",
    "encrypted": "工作簿设置了打开密码，无法读取",
    "doc": "这是 Word 文档，不是 Excel 工作簿",
    "ppt": "这是 PowerPoint 演示文稿，不是 Excel 工作簿",
    "other": "这是无法识别的旧版 Office 文件，不是 Excel 工作簿",
    "broken": "文件不完整或已损坏，无法作为 Excel 工作簿打开",
}
_ZIP_PARTS = (
    ("xl/workbook.bin", "xlsb", "这是 Excel 二进制工作簿（.xlsb），无法读取其中的单元格格式"),
    ("word/document.xml", "docx", "这是 Word 文档，不是 Excel 工作簿"),
    ("ppt/presentation.xml", "pptx", "这是 PowerPoint 演示文稿，不是 Excel 工作簿"),
)
_MACRO_CONTENT_TYPE = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def open_zip(data: bytes) -> zipfile.ZipFile | None:
    """The upload as a zip archive (its directory read, nothing unpacked), or None when it is
    not one or cannot be opened: opened once for `detect` and the archive checks."""
    if not data.startswith(b"PK"):
        return None
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None


def detect(data: bytes, file_name: str, archive: zipfile.ZipFile | None = None) -> Detected:
    """The kind of an uploaded file; text files are 'text' (the reader's sniff explains them).

    `archive`: the upload already opened by `open_zip` (opened here otherwise)."""
    suffix = posixpath.splitext(file_name.lower())[1]
    if not data:
        return Detected("empty", "文件是空的（0 字节）", "请重新保存后再上传")
    if suffix in (".et", ".ett"):
        return Detected(
            "et",
            "这是 WPS 表格专用格式（.et）文件",
            "请在 WPS 中选择“文件 → 另存为”，保存类型选“Excel 工作簿（*.xlsx）”后再上传",
        )
    if data.startswith(SIGNATURE):
        kind = kind_of(data)
        if kind == "xls":
            return Detected("xls")
        hint = (
            "请取消密码（文件 → 信息 → 保护工作簿）后另存为 .xlsx 再上传"
            if kind == "encrypted"
            else SAVE_AS
        )
        return Detected(kind, _OLE_KINDS[kind], hint)
    if data.startswith(b"PK"):
        return _zip_kind(archive or open_zip(data))
    return Detected("text", "不是 Excel 工作簿")


def _read_head(archive: zipfile.ZipFile, entry: str, names: set[str]) -> bytes:
    """At most the first 1 MB of an entry (b"" when absent): read before any size check, so a
    forged entry that unpacks to gigabytes costs no more than that."""
    if entry not in names:
        return b""
    with archive.open(entry) as stream:
        return stream.read(1 << 20)


def _zip_kind(archive: zipfile.ZipFile | None) -> Detected:
    if archive is None:
        return Detected("broken", _OLE_KINDS["broken"])
    names = set(archive.NameToInfo)
    if any(info.flag_bits & 0x1 for info in archive.infolist()):
        return Detected("encrypted", "工作簿已加密，无法读取", "请取消密码后另存为 .xlsx")
    try:
        mimetype = _read_head(archive, "mimetype", names)[:100]
        types = _read_head(archive, "[Content_Types].xml", names)
    except (
        zipfile.BadZipFile,
        OSError,
        ValueError,
        KeyError,
        EOFError,
        RuntimeError,
        NotImplementedError,  # a compression method zipfile does not have
    ):
        return Detected("broken", _OLE_KINDS["broken"])
    if "xl/workbook.xml" in names:
        return Detected("xlsm" if _MACRO_CONTENT_TYPE in types else "xlsx")
    for part, kind, problem in _ZIP_PARTS:
        if part in names:
            return Detected(kind, problem)
    if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
        return Detected("ods", "这是 OpenDocument 表格（.ods），不是 Excel 工作簿")
    return Detected("zip", "这是压缩包，其中没有 Excel 工作簿内容")
