"""The raw copy of untouched parts against zipfile's unpack-and-repack, on a 200 MB package.

    python benchmarks/bench_zipcopy.py [--megabytes 200]

sheetsync's write copies every part it does not own as it was stored (zippackage.write_package);
the baseline, measured in the same run, is what a zipfile-based writer would do: inflate and
deflate every part again. The figures are seconds and their ratio.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
import zipfile
from pathlib import Path

from sheetsync.backends.xlsx.zippackage import write_package


def _big_package(path: Path, megabytes: int) -> None:
    """Sheet-like XML, about `megabytes` MB uncompressed, in 4 deflated parts."""
    rng = random.Random(7)
    rows = "".join(
        f'<row r="{i}"><c r="A{i}"><v>{rng.random():.9f}</v></c><c r="B{i}" t="s"><v>{i % 97}'
        "</v></c></row>"
        for i in range(20000)
    ).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as package:
        for part in range(4):
            with package.open(f"xl/worksheets/sheet{part + 1}.xml", "w") as entry:
                for _ in range(megabytes * 1_000_000 // 4 // len(rows)):
                    entry.write(rows)


def _recompress(source: Path, target: Path) -> None:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            new.writestr(info, old.read(info), zipfile.ZIP_DEFLATED, 6)
        new.writestr("customXml/item1.xml", b"<note/>")


def measure(tmp_path: Path, megabytes: int) -> None:
    source = tmp_path / "big.xlsx"
    _big_package(source, megabytes)
    with zipfile.ZipFile(source) as package:
        unpacked = sum(info.file_size for info in package.infolist())
    packed = source.stat().st_size
    started = time.perf_counter()
    with open(tmp_path / "raw.xlsx", "wb") as handle:
        write_package(source, handle, {"customXml/item1.xml": b"<note/>"})
    raw = time.perf_counter() - started
    started = time.perf_counter()
    _recompress(source, tmp_path / "zipfile.xlsx")
    slow = time.perf_counter() - started
    print(
        f"{unpacked / 1e6:.0f} MB unpacked, {packed / 1e6:.1f} MB packed: raw copy {raw:.2f} s, "
        f"zipfile unpack+repack {slow:.2f} s ({slow / raw:.0f}x the raw copy)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megabytes", type=int, default=200, help="unpacked package size")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        measure(Path(folder), args.megabytes)
