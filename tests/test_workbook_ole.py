"""ole.py: reading compound files and telling their kinds apart by stream names."""

from __future__ import annotations

import io

import pytest
import xlwt

from tests.cfb_writer import write_cfb
from township_data.workbook.ole import CompoundFile, OleError, kind_of


def xlwt_book() -> bytes:
    book = xlwt.Workbook()
    book.add_sheet("Sheet1").write(0, 0, 1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_streams_large_and_small_are_read_back() -> None:
    big, small = bytes(range(256)) * 40, b"hello compound file"
    cfb = CompoundFile(write_cfb({"Workbook": big, "SummaryInformation": small}))
    assert cfb.stream_names() == {"Workbook", "SummaryInformation"}
    assert cfb.read("Workbook") == big
    assert cfb.read("SummaryInformation") == small  # from the mini stream
    with pytest.raises(KeyError):
        cfb.read("Book")


def test_the_test_writer_is_read_alike_by_xlrd() -> None:
    """An independent reader agrees, so the tests' containers are real compound files."""
    compdoc = pytest.importorskip("xlrd.compdoc")
    data = write_cfb({"Workbook": b"W" * 5000, "Extra": b"e" * 100})
    doc = compdoc.CompDoc(data, logfile=io.StringIO())
    assert bytes(doc.get_named_stream("Workbook")) == b"W" * 5000


@pytest.mark.parametrize(
    ("streams", "kind"),
    [
        ({"Workbook": b"\0" * 4096}, "xls"),
        # WPS's .et keeps its workbook in the same BIFF8 stream (plus streams of its own): the
        # bytes say "xls", only the file name says ".et".
        ({"Workbook": b"\0" * 4096, "ETExtData": b"\0" * 100}, "xls"),
        ({"Book": b"\0" * 4096}, "xls5"),
        ({"EncryptionInfo": b"\0" * 200, "EncryptedPackage": b"\0" * 5000}, "encrypted"),
        ({"WordDocument": b"\0" * 5000, "1Table": b"\0" * 100}, "doc"),
        ({"PowerPoint Document": b"\0" * 5000}, "ppt"),
        ({"Contents": b"\0" * 100}, "other"),
    ],
)
def test_kind_by_stream_names(streams: dict[str, bytes], kind: str) -> None:
    assert kind_of(write_cfb(streams)) == kind


def test_an_xlwt_file_is_xls() -> None:
    assert kind_of(xlwt_book()) == "xls"


def test_truncated_or_garbled_files_are_broken_not_a_crash() -> None:
    data = xlwt_book()
    assert kind_of(data[:600]) == "broken"
    garbled = bytearray(data)
    garbled[48:52] = b"\xff\xff\xff\x7f"  # directory sector far past the end
    assert kind_of(bytes(garbled)) == "broken"
    with pytest.raises(OleError):
        CompoundFile(b"not a compound file at all" * 30)
