"""OCR of scanned reports: digit accuracy of the figures and seconds per page.

    python -m bench.ocr [--pages 1-5,17] [--dpi 200] [--report NAME ...] [--show]
    python -m bench.ocr --corpus      # the corpus reports printed to PDF: a held-out set

The two 2024 reports in ../shared/samples have a text layer, so their figures are known. Each is
turned into two image-only PDFs, pages rendered at 300 dpi as a scanner would:

* `clean`: the rendered pages as they are;
* `scanned`: each page turned by 1° and given seeded grey noise (sigma 12 of 255), as a sheet
  fed slightly askew through a scanner.

Each copy is parsed like any upload (every page goes through OCR, since none has text) and its
figures are compared with the text layer's, counted as multisets: `figures exactly` is the share
of the text layer's figures (metric, number as printed, unit) that the copy states exactly;
`numbers` the share whose number and unit it states, whatever the number was bound to (a label
misread, "部内" for "部门", changes the metric, not the digits). Figures the copy states that the
text layer does not are counted as `extra`. Seconds per page
are wall time of the whole parse divided by the pages; the machine's load average is printed
beside them, since the machine may be shared.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from index.loaders.ocr import DPI
from index.models import Figure
from index.parse import parse_file

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
REPORTS = ("2024-普陀区委社会工作部-部门决算.pdf", "2024-普陀区规划和自然资源局-部门决算.pdf")
SCAN_DPI = 300
SKEW_DEGREES = 1.0
NOISE_SIGMA = 12.0


def image_pdf(source: Path, dest: Path, *, pages: list[int] | None = None, scanned: bool = False,
              dpi: int = SCAN_DPI, seed: int = 0) -> Path:
    """Write an image-only copy of `source` (no text layer): its pages (1-based; all when None)
    rendered at `dpi`; `scanned` turns each by 1° and adds seeded grey noise."""
    import pypdfium2
    from PIL import Image

    rng = np.random.default_rng(seed)
    pdf = pypdfium2.PdfDocument(str(source))
    images = []
    try:
        for no in pages or range(1, len(pdf) + 1):
            page = pdf[no - 1]
            image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            page.close()
            if scanned:
                image = image.rotate(SKEW_DEGREES, resample=Image.BILINEAR, fillcolor=255)
                noisy = np.asarray(image, dtype=np.float32) + rng.normal(0, NOISE_SIGMA, (image.height, image.width))
                image = Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))
            images.append(image)
    finally:
        pdf.close()
    images[0].save(dest, "PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return dest


def figure_key(f: Figure) -> tuple[str, str, str]:
    """What must be read exactly: the metric, the number as printed and its unit."""
    return (f.metric, f.text, f.unit)


def accuracy(truth: list[Figure], read: list[Figure], key=figure_key) -> tuple[int, int, int]:
    """(matched, of the text layer's figures, extra figures only the copy states)."""
    want, got = Counter(map(key, truth)), Counter(map(key, read))
    matched = sum((want & got).values())
    return matched, sum(want.values()), sum((got - want).values())


def number_key(f: Figure) -> tuple[str, str]:
    """The digits alone: the number as printed and its unit, whatever it was bound to."""
    return (f.text, f.unit)


def subset(source: Path, pages: list[int] | None, workdir: Path) -> Path:
    """The text PDF itself, or a copy of only some of its pages (text layer kept)."""
    if not pages:
        return source
    import pypdfium2

    src = pypdfium2.PdfDocument(str(source))
    out = pypdfium2.PdfDocument.new()
    out.import_pages(src, [p - 1 for p in pages])
    dest = workdir / f"text-{source.name}"
    out.save(str(dest))
    out.close()
    src.close()
    return dest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", default="", help="only these pages of each report, e.g. 6-8,17 (default: all)")
    parser.add_argument("--dpi", type=int, default=DPI, help="OCR rendering resolution")
    parser.add_argument("--report", action="append", help="a report file name in ../shared/samples")
    parser.add_argument("--show", action="store_true", help="print each missed and each extra figure")
    parser.add_argument("--copy", choices=("clean", "scanned"), action="append",
                        help="only this copy (default: both)")
    parser.add_argument("--corpus", action="store_true",
                        help="instead: the corpus reports with at least 10 figures, printed to PDF by tests/builders.py")
    args = parser.parse_args(argv)
    if not args.corpus and not SAMPLES.is_dir():
        sys.exit(f"{SAMPLES} not found: the benchmark needs the real sample PDFs")
    from index.loaders import ocr

    ocr.DPI = args.dpi
    totals: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for name, source, pages in corpus_pdfs(workdir) if args.corpus else sample_pdfs(args):
            text_pdf = subset(source, pages, workdir)
            truth = parse_file(text_pdf).figures
            for kind in args.copy or ("clean", "scanned"):
                copy = image_pdf(source, workdir / f"{kind}-{name}", pages=pages, scanned=kind == "scanned")
                load = os.getloadavg()[0]
                start, cpu = time.perf_counter(), time.process_time()
                parsed = parse_file(copy)
                seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
                count = parsed.report.pages or 1
                matched, total, extra = accuracy(truth, parsed.figures)
                digits = accuracy(truth, parsed.figures, number_key)[0]
                row = totals.setdefault(kind, [0, 0, 0, 0.0, 0.0, 0, 0])
                for i, v in enumerate((matched, total, extra, seconds, cpu, count, digits)):
                    row[i] += v
                print(f"{name} {kind:8} pages {count:3}  figures {matched}/{total} = {matched / max(total, 1):.2%}"
                      f"  numbers {digits}/{total}  extra {extra}  {seconds / count:.1f} s/page wall,"
                      f" {cpu / count:.1f} s/page CPU (load average {load:.1f})", flush=True)
                if args.show:
                    show_misses(truth, parsed.figures)
    for kind, (matched, total, extra, seconds, cpu, count, digits) in totals.items():
        print(f"ALL {kind:8} pages {int(count):3}  figures exactly {int(matched)}/{int(total)} = "
              f"{matched / max(total, 1):.2%}  numbers (digits and unit) {int(digits)}/{int(total)} = "
              f"{digits / max(total, 1):.2%}  extra {int(extra)}  {seconds / count:.1f} s/page wall, "
              f"{cpu / count:.1f} s/page CPU  (OCR at {args.dpi} dpi, load average now {os.getloadavg()[0]:.1f})")


def sample_pdfs(args: argparse.Namespace):
    """(name, PDF, pages or None) of the real sample reports asked for."""
    import pypdfium2

    for name in args.report or REPORTS:
        source = SAMPLES / name
        pdf = pypdfium2.PdfDocument(str(source))
        n = len(pdf)
        pdf.close()
        yield name, source, [p for p in page_list(args.pages) if p <= n] if args.pages else None


CORPUS = Path(__file__).resolve().parents[1] / "evals" / "data" / "corpus" / "reports"
MIN_CORPUS_FIGURES = 10


def corpus_pdfs(workdir: Path):
    """(name, PDF, None) of each corpus report with at least MIN_CORPUS_FIGURES figures, printed
    to PDF by tests/builders.py: real wording nobody here wrote, in this project's typesetting.
    None of the OCR clean-up was tuned on these (it was on the two samples)."""
    from tests.builders import build_pdf

    for path in sorted(CORPUS.iterdir()):
        parsed = parse_file(path)
        if len(parsed.figures) >= MIN_CORPUS_FIGURES:
            yield path.stem + ".pdf", build_pdf(parsed, workdir / f"text-{path.stem}.pdf"), None


def page_list(spec: str) -> list[int]:
    """Pages from "6-8,17": 6, 7, 8, 17."""
    pages: list[int] = []
    for part in spec.split(","):
        first, _, last = part.partition("-")
        pages += range(int(first), int(last or first) + 1)
    return pages


def show_misses(truth: list[Figure], read: list[Figure]) -> None:
    """Print the text layer's figures the copy missed and the ones only the copy states."""
    want, got = Counter(map(figure_key, truth)), Counter(map(figure_key, read))
    for key in (want - got):
        print("   missed", key, next(f"p{f.page} {f.quote[:60]}" for f in truth if figure_key(f) == key))
    for key in (got - want):
        print("   extra ", key, next(f"p{f.page} {f.quote[:60]}" for f in read if figure_key(f) == key))


if __name__ == "__main__":
    main()
