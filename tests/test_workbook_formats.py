"""formats.py: what an upload is, with the reason when the reader does not take it."""

from __future__ import annotations

import io
import zipfile

import pytest
import xlwt
from openpyxl import Workbook

from tests.cfb_writer import write_cfb
from township_data.workbook.formats import detect


def xlsx(keep_vba: bool = False) -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    data = buffer.getvalue()
    if not keep_vba:
        return data
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                part = part.replace(
                    b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml"
                ).replace(
                    b"application/vnd.openxmlformats-officedocument.ms-excel",
                    b"application/vnd.ms-excel",
                )
            target.writestr(info.filename, part)
    return out.getvalue()


def xls() -> bytes:
    book = xlwt.Workbook()
    book.add_sheet("Sheet1").write(0, 0, 1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def zipped(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return out.getvalue()


def test_readable_kinds() -> None:
    assert detect(xlsx(), "a.xlsx").kind == "xlsx"
    assert detect(xlsx(keep_vba=True), "a.xlsm").kind == "xlsm"
    assert detect(xls(), "a.xls").kind == "xls"
    assert detect(xls(), "a.xlsx").readable  # the bytes decide, not the extension


@pytest.mark.parametrize("name", ["统计表.et", "统计表.ETT"])
def test_wps_et_is_refused_by_name_even_when_its_bytes_are_biff8(name: str) -> None:
    found = detect(xls(), name)
    assert not found.readable
    assert found.problem == "这是 WPS 表格专用格式（.et）文件"
    assert "另存为" in found.hint


@pytest.mark.parametrize(
    ("data", "kind", "words"),
    [
        (b"", "empty", "空的"),
        (write_cfb({"Book": b"\0" * 4096}), "xls5", "Excel 5.0/95"),
        (
            write_cfb({"EncryptionInfo": b"\0" * 200, "EncryptedPackage": b"\0" * 5000}),
            "encrypted",
            "密码",
        ),
        (write_cfb({"WordDocument": b"\0" * 5000}), "doc", "Word"),
        (write_cfb({"PowerPoint Document": b"\0" * 5000}), "ppt", "PowerPoint"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "broken", "损坏"),
        (zipped({"xl/workbook.bin": b"", "[Content_Types].xml": b""}), "xlsb", ".xlsb"),
        (zipped({"word/document.xml": b""}), "docx", "Word"),
        (zipped({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}), "ods", ".ods"),
        (zipped({"notes.txt": b"hi"}), "zip", "压缩包"),
        (b"PK\x03\x04broken", "broken", "损坏"),
        (b"\xe6\x9d\x91,\xe6\x9c\x88\n", "text", "不是 Excel"),
    ],
)
def test_refused_kinds_say_what_the_file_is(data: bytes, kind: str, words: str) -> None:
    found = detect(data, "upload.xlsx")
    assert (found.kind, found.readable) == (kind, False)
    assert words in (found.problem or "")


def test_a_forged_content_types_part_is_not_unpacked_whole() -> None:
    """[Content_Types].xml is read before any size check: a part that unpacks to 200 MB
    costs at most the 1 MB the kind needs, and the reader then refuses the archive."""
    import tracemalloc

    from township_data.errors import WorkbookError
    from township_data.workbook import read_workbook

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("xl/workbook.xml", b"<workbook/>")
        target.writestr("[Content_Types].xml", b" " * (200 << 20))
    data = out.getvalue()
    assert len(data) < 1 << 20
    tracemalloc.start()
    try:
        assert detect(data, "upload.xlsx").kind == "xlsx"
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20
    with pytest.raises(WorkbookError) as refused:
        read_workbook(data, "upload.xlsx", None)  # type: ignore[arg-type]
    assert "解压后" in refused.value.problems[0].message


def test_an_encrypted_or_oddly_compressed_zip_is_a_chinese_refusal() -> None:
    data = bytearray(zipped({"xl/workbook.xml": b"<workbook/>", "[Content_Types].xml": b"x"}))
    # set the "encrypted" flag of every entry, in the local headers and the central directory
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        while at != -1:
            data[at + offset] |= 0x1
            at = data.find(signature, at + 4)
    found = detect(bytes(data), "upload.xlsx")
    assert (found.kind, found.readable) == ("encrypted", False)
    assert "加密" in (found.problem or "")
    odd = bytearray(zipped({"xl/workbook.xml": b"<workbook/>", "[Content_Types].xml": b"x"}))
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        at = odd.find(signature)
        while at != -1:
            odd[at + offset] = 99  # a compression method zipfile cannot unpack
            at = odd.find(signature, at + 4)
    found = detect(bytes(odd), "upload.xlsx")
    assert (found.kind, found.readable) == ("broken", False)
