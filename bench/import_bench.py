"""Import benchmark: how long reading an urgent appeal into a draft takes (it is not a test).

Prints, for the Observatory seed (as text, as HTML, as a PDF made with fpdf2) and for the
Amnesty-style fixture: milliseconds to extract the text, to read the appeal's fields, and to
check the draft with the case schema (median of N runs).

    .venv/bin/python bench/import_bench.py [--runs 20]
"""

from __future__ import annotations

import argparse
import html
import statistics
import time
from pathlib import Path

from fpdf import FPDF

from bot.case_editor.document import check, from_appeal
from bot.importing.appeal import read_appeals
from bot.importing.directory import match_all
from bot.importing.extract import extract_text
from content.loader import load_library

ROOT = Path(__file__).resolve().parent.parent
SEED = Path("/work/shared/seeds/000_2f7a333505a0a355.txt")
FIXTURE = ROOT / "tests" / "fixtures" / "appeals" / "amnesty_ua.txt"


def _pdf(text: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=9)
    for line in text.splitlines():
        latin = line.encode("latin-1", "replace").decode("latin-1")
        pdf.multi_cell(0, 4, latin or " ", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _median_ms(action, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    library, _ = load_library()
    seed = SEED.read_text() if SEED.exists() else FIXTURE.read_text()
    documents = {
        "seed 000 .txt": (seed.encode(), "a.txt"),
        "seed 000 .html": (("<html><body>" + "".join(
            f"<p>{html.escape(p)}</p>" for p in seed.split("\n \n")) + "</body></html>").encode(),
            "a.html"),
        "seed 000 .pdf": (_pdf(seed), "a.pdf"),
        "Amnesty UA .txt": (FIXTURE.read_bytes(), "ua.txt"),
    }
    print(f"{'document':<18}{'bytes':>9}{'extract ms':>12}{'read ms':>10}{'check ms':>10}"
          f"{'actions':>9}{'addressees':>12}")
    for name, (content, filename) in documents.items():
        text = extract_text(content, filename)
        extract = _median_ms(lambda c=content, f=filename: extract_text(c, f), runs)
        read = _median_ms(lambda x=text: read_appeals(x), runs)
        [appeal, *_] = read_appeals(text)
        match_all(appeal.addressees, library.authorities)
        data, _ = from_appeal(appeal, library.authorities, set(library.cases))
        checked = _median_ms(lambda d=data: check(d, library.authorities), runs)
        print(f"{name:<18}{len(content):>9}{extract:>12.1f}{read:>10.1f}{checked:>10.1f}"
              f"{len(appeal.actions):>9}{len(appeal.addressees):>12}")


if __name__ == "__main__":
    main()
