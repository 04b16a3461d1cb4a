"""Render the demo's Summary and Ranking as LibreOffice shows them: docs/summary.png, ranking.png.

    python docs/render.py [--as-of 2026-11-27] [--out docs]

Makes the demo workbook in a temporary folder (`sheetsync demo`), converts it to PDF with
LibreOffice headless, one page per sheet (the `SinglePageSheets` export option, LibreOffice
7.4 or later), and turns the Summary's and the Ranking's pages into PNGs with pdftoppm
(poppler-utils). What you see is what a spreadsheet program makes of the file: the conditional
colours are evaluated and the charts are drawn by LibreOffice from the written cells.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from openpyxl import load_workbook

PDF_EXPORT = 'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}'
PAGES = {"Summary": "summary", "Ranking": "ranking"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", default="2026-11-27")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent)
    args = parser.parse_args()
    for tool in ("soffice", "pdftoppm"):
        if shutil.which(tool) is None:
            print(f"render.py: {tool} is missing (apt-get install -y libreoffice-calc-nogui "
                  "poppler-utils)", file=sys.stderr)  # fmt: skip
            return 1
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        demo = [sys.executable, "-m", "sheetsync", "demo", str(work), "--as-of", args.as_of]
        subprocess.run(demo, check=True, capture_output=True)
        workbook = next(work.rglob("*.xlsx"))
        convert = ["soffice", "--headless", "--convert-to", PDF_EXPORT, "--outdir", str(work)]
        subprocess.run([*convert, str(workbook)], check=True, capture_output=True)
        pdf = work / (workbook.stem + ".pdf")
        sheets = load_workbook(workbook, read_only=True).sheetnames
        for title, name in PAGES.items():
            page = str(sheets.index(title) + 1)
            target = args.out / name
            png = ["pdftoppm", "-png", "-r", "80", "-singlefile", "-f", page, "-l", page]
            subprocess.run([*png, str(pdf), str(target)], check=True)
            print(f"{title}: {target}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
