"""write_package: untouched parts are copied raw (same compressed bytes), changes are applied."""

from __future__ import annotations

import io
import random
import struct
import warnings
import zipfile
from collections.abc import Callable
from operator import attrgetter
from pathlib import Path

import openpyxl
import pytest

from sheetsync.backends.xlsx import zippackage
from sheetsync.backends.xlsx.zippackage import write_package
from sheetsync.errors import WorkbookError

STAMP = (2021, 6, 7, 8, 9, 10)
ENTRIES: list[tuple[str, bytes, int]] = [
    ("[Content_Types].xml", b"<Types>" + b"<Default/>" * 50 + b"</Types>", zipfile.ZIP_DEFLATED),
    ("xl/workbook.xml", b"<workbook>" + b"<sheet/>" * 200 + b"</workbook>", zipfile.ZIP_DEFLATED),
    ("xl/media/image1.png", bytes(random.Random(1).randbytes(3000)), zipfile.ZIP_STORED),
    ("xl/worksheets/Übersicht.xml", "<sheetData>€ ü</sheetData>".encode() * 40, 8),
    ("docProps/app.xml", b"<Properties>" * 30, zipfile.ZIP_STORED),
]


class Unseekable(io.RawIOBase):
    """A write-only stream without tell/seek: zipfile then writes data descriptors (bit 3)."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    # narrower than RawIOBase.write (any buffer): zipfile only ever passes bytes
    def write(self, b: bytes) -> int:  # type: ignore[override]
        self.data += b
        return len(b)


def _info(name: str, method: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, STAMP)
    info.compress_type = method
    return info


def build_plain(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as package:
        for name, data, method in ENTRIES:
            package.writestr(_info(name, method), data)
        package.comment = b"made by hand"


def build_streamed(path: Path) -> None:
    """Every entry written through ZipFile.open(name, "w") to a non-seekable stream."""
    stream = Unseekable()
    with zipfile.ZipFile(stream, "w") as package:
        for name, data, method in ENTRIES:
            with package.open(_info(name, method), "w") as entry:
                entry.write(data)
    path.write_bytes(bytes(stream.data))


def build_zip64_local(path: Path) -> None:
    """force_zip64 puts a zip64 extra field in the LOCAL header only (sizes are small)."""
    with zipfile.ZipFile(path, "w") as package:
        for name, data, method in ENTRIES:
            with package.open(_info(name, method), "w", force_zip64=True) as entry:
                entry.write(data)


BUILDERS = {"plain": build_plain, "streamed": build_streamed, "zip64-local": build_zip64_local}


def raw_bytes(path: Path, info: zipfile.ZipInfo) -> bytes:
    """An entry's compressed bytes, found through its own local header."""
    blob = path.read_bytes()
    start = info.header_offset
    assert blob[start : start + 4] == b"PK\x03\x04"
    name_length, extra_length = struct.unpack_from("<HH", blob, start + 26)
    data = start + 30 + name_length + extra_length
    return blob[data : data + info.compress_size]


def run(source: Path | None, out: Path, changes: dict[str, bytes | None]) -> zipfile.ZipFile:
    with open(out, "wb") as handle:
        write_package(source, handle, changes)
    package = zipfile.ZipFile(out)
    assert package.testzip() is None
    return package


@pytest.mark.parametrize("build", BUILDERS.values(), ids=BUILDERS.keys())
def test_untouched_parts_are_copied_raw_and_changes_applied(
    tmp_path: Path, build: Callable[[Path], None]
) -> None:
    source, out = tmp_path / "in.xlsx", tmp_path / "out.xlsx"
    build(source)
    changes: dict[str, bytes | None] = {
        "xl/workbook.xml": b"<workbook>new</workbook>",
        "docProps/app.xml": None,
        "xl/worksheets/sheet9.xml": b"<worksheet/>" * 100,
        "gone.xml": None,
        "xl/neu-ä.xml": "<x>ä</x>".encode(),
    }
    with zipfile.ZipFile(source) as original, run(source, out, changes) as result:
        types, image, sheet = "[Content_Types].xml", "xl/media/image1.png", ENTRIES[3][0]
        new = ["xl/worksheets/sheet9.xml", "xl/neu-ä.xml"]
        assert result.namelist() == [types, "xl/workbook.xml", image, sheet, *new]
        for name in (types, image, sheet):
            _assert_same_entry(source, original.getinfo(name), out, result.getinfo(name))
        assert result.read("xl/workbook.xml") == b"<workbook>new</workbook>"
        assert result.read("xl/worksheets/sheet9.xml") == b"<worksheet/>" * 100
        assert result.read("xl/neu-ä.xml") == "<x>ä</x>".encode()
        assert result.getinfo("xl/neu-ä.xml").flag_bits & 0x800
        assert result.getinfo("xl/workbook.xml").compress_type == zipfile.ZIP_DEFLATED


def _assert_same_entry(
    source: Path, before: zipfile.ZipInfo, out: Path, after: zipfile.ZipInfo
) -> None:
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(out) as result:
        assert result.read(after) == original.read(before)
    assert raw_bytes(out, after) == raw_bytes(source, before)
    fields = attrgetter("CRC", "compress_size", "file_size", "compress_type", "date_time")
    assert fields(after) == fields(before)
    assert after.flag_bits & 0x800 == before.flag_bits & 0x800
    assert not after.flag_bits & 0x08
    assert not struct.unpack_from("<H", out.read_bytes(), after.header_offset + 6)[0] & 0x08


def test_fixtures_have_data_descriptors_and_differing_local_extras(tmp_path: Path) -> None:
    """Guards the fixtures: otherwise the raw-copy test above would prove less than it says."""
    build_streamed(tmp_path / "dd.xlsx")
    build_zip64_local(tmp_path / "z64.xlsx")
    with zipfile.ZipFile(tmp_path / "dd.xlsx") as streamed:
        assert all(info.flag_bits & 0x08 for info in streamed.infolist())
    with zipfile.ZipFile(tmp_path / "z64.xlsx") as forced:
        info = forced.infolist()[0]
    blob = (tmp_path / "z64.xlsx").read_bytes()
    assert struct.unpack_from("<H", blob, info.header_offset + 28)[0] != len(info.extra)


def test_no_changes_copies_everything_into_an_unseekable_stream(tmp_path: Path) -> None:
    source = tmp_path / "in.xlsx"
    build_plain(source)
    stream = Unseekable()
    # a raw stream, not a BinaryIO: on purpose, it has only what zipfile uses (write, flush)
    write_package(source, stream, {})  # type: ignore[arg-type]
    (tmp_path / "out.xlsx").write_bytes(bytes(stream.data))
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(tmp_path / "out.xlsx") as result:
        assert result.testzip() is None
        assert (result.namelist(), result.comment) == (original.namelist(), b"made by hand")
        for before, after in zip(original.infolist(), result.infolist(), strict=True):
            assert raw_bytes(tmp_path / "out.xlsx", after) == raw_bytes(source, before)


def test_source_can_be_an_open_file_and_errors_name_the_workbook(tmp_path: Path) -> None:
    source, out = tmp_path / "in.xlsx", tmp_path / "out.xlsx"
    build_streamed(source)
    with open(out, "wb") as handle:
        write_package(io.BytesIO(source.read_bytes()), handle, {"docProps/app.xml": None})
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(out) as result:
        assert result.testzip() is None
        assert result.namelist() == original.namelist()[:-1]
        for name in result.namelist():
            _assert_same_entry(source, original.getinfo(name), out, result.getinfo(name))
    with pytest.raises(WorkbookError, match=r"^/data/book\.xlsx: not a readable \.xlsx"):
        write_package(io.BytesIO(b"junk"), io.BytesIO(), {}, name="/data/book.xlsx")


def test_without_source_only_new_parts_are_written(tmp_path: Path) -> None:
    with run(None, tmp_path / "out.xlsx", {"a.xml": b"<a/>", "b.xml": None}) as result:
        assert result.namelist() == ["a.xml"]
        assert result.read("a.xml") == b"<a/>"


def test_workbook_made_by_openpyxl_still_opens_after_a_pass(tmp_path: Path) -> None:
    source, out = tmp_path / "book.xlsx", tmp_path / "out.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Data"
    book.active.append(["Rep", "Calls"])
    book.active.append(["Ann", 12])
    book.save(source)
    with zipfile.ZipFile(source) as package:
        app = package.read("docProps/app.xml")
    run(source, out, {"docProps/app.xml": app, "customXml/item1.xml": b"<note/>"}).close()
    result = openpyxl.load_workbook(out)
    rows = [list(row) for row in result["Data"].iter_rows(values_only=True)]
    assert rows == [["Rep", "Calls"], ["Ann", 12]]


def test_duplicate_part_names_are_refused(tmp_path: Path) -> None:
    source = tmp_path / "dup.xlsx"
    with warnings.catch_warnings(), zipfile.ZipFile(source, "w") as package:
        warnings.simplefilter("ignore")
        package.writestr("xl/workbook.xml", b"<a/>")
        package.writestr("xl/workbook.xml", b"<b/>")
    with pytest.raises(WorkbookError, match=r"holds two parts named 'xl/workbook\.xml'") as caught:
        write_package(source, io.BytesIO(), {})
    assert caught.value.exit_code == 4
    assert str(source) in str(caught.value)


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_other_compression_methods_are_refused(tmp_path: Path, method: int) -> None:
    source = tmp_path / "odd.xlsx"
    with zipfile.ZipFile(source, "w", compression=method) as package:
        package.writestr("xl/workbook.xml", b"<a/>")
    with pytest.raises(WorkbookError, match=r"part 'xl/workbook\.xml' uses zip compression method"):
        write_package(source, io.BytesIO(), {})


def test_encrypted_parts_are_refused(tmp_path: Path) -> None:
    """zipfile cannot write encrypted entries: set flag bit 0 in the central directory."""
    source = tmp_path / "locked.xlsx"
    with zipfile.ZipFile(source, "w") as package:
        package.writestr("xl/workbook.xml", b"<a/>")
    blob = bytearray(source.read_bytes())
    central = blob.rindex(b"PK\x01\x02")
    blob[central + 8] |= 0x01
    source.write_bytes(bytes(blob))
    with pytest.raises(WorkbookError, match=r"'xl/workbook\.xml' is encrypted inside the zip"):
        write_package(source, io.BytesIO(), {})


def test_damaged_local_header_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "broken.xlsx"
    build_plain(source)
    blob = bytearray(source.read_bytes())
    blob[0:4] = b"XXXX"
    source.write_bytes(bytes(blob))
    with pytest.raises(WorkbookError, match=r"damaged at part '\[Content_Types\].xml'"):
        write_package(source, io.BytesIO(), {})


def test_parts_needing_zip64_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real 4 GiB package is too big for a test: lower the 32-bit limit instead."""
    source = tmp_path / "in.xlsx"
    build_plain(source)
    monkeypatch.setattr(zippackage, "LIMIT", 1000)
    with pytest.raises(WorkbookError, match="too large for sheetsync to rewrite"):
        write_package(source, io.BytesIO(), {})
    with pytest.raises(WorkbookError, match="too large for sheetsync to rewrite"):
        write_package(None, io.BytesIO(), {"big.bin": random.Random(2).randbytes(2000)})
