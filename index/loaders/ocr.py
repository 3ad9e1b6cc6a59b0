"""Read PDF pages that have no text layer (scans) by OCR, into the structures `pdf.py` reads.

How it works, in plain words:

1. The page is rendered to a grey image with pypdfium2 at `DPI` dots per inch.
2. A scanner rarely feeds a sheet perfectly straight. The skew is measured as the angle that
   makes the rows of ink sharpest (the horizontal projection of a straight page has tall peaks
   at text lines and table rules, and empty rows between them) and the image is turned back.
3. Table rules are found in the image: ink that stays dark along a run longer than any stroke
   of a character (`RULE_INCHES`). They are handed to pdfplumber's own table finder as explicit
   lines, so a scanned table gets its cells, merged cells and rows by the same algorithm as a
   ruled table of a text PDF. The rules are then erased, so that OCR never reads a rule beside
   a digit as a "1".
4. RapidOCR (PP-OCR detection and recognition models shipped in the `rapidocr-onnxruntime`
   wheel: nothing is downloaded) reads the text boxes. Each box whose centre lies in a table
   cell becomes that cell's text (boxes of one cell set on several lines are joined as a
   wrapped cell); every other box becomes one "character" of pdfplumber's shape (text, x0, x1,
   top, bottom, size in PDF points), which `pdf.py` groups into lines and paragraphs like the
   characters of a text layer.

RapidOCR, OpenCV and numpy are imported only for a page without text; RapidOCR comes with the
optional extra `ocr` (`pip install -e '.[ocr]'`). Without it a PDF with no text at all is a
`LoadError` that says how to install it, and the scanned pages of a PDF with text elsewhere are
skipped with a warning, as before OCR existed.
"""

from __future__ import annotations

import logging
import re
import statistics
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Self

from index.loaders.base import LoadError
from index.loaders.pdf_tables import UNIT_RE, PageTable, clean_cell, is_cjk
from index.tables import header_row_count

if TYPE_CHECKING:
    import numpy as np

# 200 dpi: at 150 dpi OCR lost figures that it reads at 200 (docs/ocr.md has the measurement);
# detection time grows with the pixels, so no more than needed.
DPI = 200
# A table rule is dark over at least this length; the longest stroke of a character at body
# sizes (a 一 of 16 pt is about 0.22 in) is shorter.
RULE_INCHES = 0.3
INK = 160  # grey level below which a pixel is ink
MAX_SKEW = 5.0  # degrees searched either way when straightening a page
# Box heights of one font size scatter by a tenth or two; within this share of the page's
# usual height a box is body text of the usual size (pdf.py ends a paragraph where the size changes).
SAME_SIZE = 0.3
MIN_SCORE = 0.5  # RapidOCR's own confidence floor for a box
# OCR takes seconds a page: a PDF with more pages without text is refused, not read for an hour.
MAX_OCR_PAGES = 60
MAX_REJOINS = 200  # numbers cut in two read again, at most, on one page (see _rejoin)
MAX_SIDE_PX = 4000  # the longest side of a rendered page, in pixels (A3 at 200 dpi is 3,307)

INSTALL_HINT = "pip install -e '.[ocr]'"

log = logging.getLogger(__name__)

_ENGINE = None
_ENGINE_LOCK = threading.Lock()


@cache
def ocr_available() -> bool:
    """Whether the `ocr` extra (RapidOCR, with OpenCV and onnxruntime) is installed and imports."""
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def _engine():
    """The RapidOCR engine, built once per process (loading the models takes a second)."""
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            from rapidocr_onnxruntime import RapidOCR

            # No downscaling before detection: a page rendered at DPI keeps its size.
            _ENGINE = RapidOCR(max_side_len=MAX_SIDE_PX)
        return _ENGINE


@dataclass
class Word:
    """One box of text read by OCR, in PDF points from the page's top-left corner."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    score: float
    size: float = 0.0  # the font size: the box's height, or the page's usual one (see SAME_SIZE)
    # x0, x1 of each character of `text` in turn, where the recogniser placed it (None: unknown)
    xs: list[float] | None = None

    def as_char(self) -> dict:
        """The box as one pdfplumber character (its text may be many characters; `xs` says where
        each of them stands)."""
        middle, half = (self.top + self.bottom) / 2, self.size / 2
        char = {"text": self.text, "x0": self.x0, "x1": self.x1, "top": middle - half,
                "bottom": middle + half, "size": self.size, "upright": True}
        if self.xs:
            char["xs"] = self.xs
        return char


@dataclass
class OcrPage:
    """What OCR read on one page: characters outside tables, the tables, and the measurements."""

    chars: list[dict]
    tables: list[PageTable]
    words: list[Word]
    skew: float  # degrees the scan was turned back


class PdfOcr:
    """Renders and reads the pages without text of one PDF. Opens nothing until the first such
    page: a text PDF never loads the OCR models. Use as a context manager."""

    def __init__(self, path: Path, dpi: int | None = None) -> None:
        self.path = Path(path)
        self.dpi = dpi or DPI
        self.pages: list[int] = []  # the pages read by OCR
        # page -> (degrees, centre x, centre y) in points: a page turned straight before reading
        self.turns: dict[int, tuple[float, float, float]] = {}
        self.chars_read = 0  # characters OCR found, on all pages read
        self.skipped: list[int] = []  # scanned pages left unread: the `ocr` extra is missing
        self._pdf = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the rendered document."""
        if self._pdf is not None:
            self._pdf.close()
            self._pdf = None

    def read(self, page, page_no: int) -> OcrPage | None:
        """OCR one pdfplumber page (1-based `page_no`) when it is a scan: no text, an image.

        Returns its characters outside tables and its tables; None for a page with text, an
        empty page, or when the `ocr` extra is not installed (the page is then skipped, and a
        PDF left without any text gets `no_text_message`). Raises LoadError past MAX_OCR_PAGES.
        """
        if any(c["text"].strip() for c in page.chars) or not page.images:
            return None
        if not ocr_available():
            self.skipped.append(page_no)
            return None
        if len(self.pages) >= MAX_OCR_PAGES:
            raise LoadError(
                f"PDF 中没有文字层的页面超过 {MAX_OCR_PAGES} 页（第 {page_no} 页起），OCR 识别耗时过长，"
                f"请拆分文件后再导入 (more than {MAX_OCR_PAGES} scanned pages to OCR)"
            )
        gray, place = self.render(page_no)
        result = read_image(gray, page, page_no, place)
        self.pages.append(page_no)
        if result.skew:
            points, dx, dy = place  # turned about the image's centre, in the page's points
            self.turns[page_no] = (result.skew, dx + gray.shape[1] * points / 2, dy + gray.shape[0] * points / 2)
        self.chars_read += sum(len(w.text) for w in result.words)
        return result

    def warn_skipped(self) -> None:
        """Log the scanned pages of a PDF with text elsewhere that were left unread (no extra)."""
        if self.skipped:
            log.warning("%s: pages %s have no text layer and were skipped; to read them by OCR: %s",
                        self.path.name, ", ".join(map(str, self.skipped)), INSTALL_HINT)

    def no_text_message(self) -> str:
        """Why a PDF gave no text at all: a scan without the `ocr` extra, or OCR read nothing."""
        if self.skipped:
            return (
                "PDF 没有文字层（可能是扫描件），需要 OCR 文字识别，但未安装 OCR 组件；请安装："
                f"{INSTALL_HINT} (the PDF has no text layer; install the `ocr` extra to read it)"
            )
        if self.pages:
            return "PDF 没有文字层（扫描件），OCR 文字识别也没有读出文字 (no text layer, and OCR found no text)"
        return "PDF 没有文字层，也没有可供 OCR 文字识别的图像，无法提取文字 (no text layer and no image to OCR)"

    def render(self, page_no: int) -> tuple[np.ndarray, tuple[float, float, float]]:
        """The page (1-based) as a grey image at `dpi` (less for a page over MAX_SIDE_PX), and
        where it stands: (points per pixel, x and y of its top-left corner in the points of the
        page's media box, which pdfplumber's characters and lines use; pdfium draws the crop box)."""
        import numpy as np
        import pypdfium2

        if self._pdf is None:
            self._pdf = pypdfium2.PdfDocument(str(self.path))
        page = self._pdf[page_no - 1]
        try:
            # A poster-sized page is rendered smaller: memory stays bounded (MAX_SIDE_PX).
            scale = min(self.dpi / 72, MAX_SIDE_PX / max(page.get_size()))
            media, crop = page.get_mediabox(), page.get_cropbox()
            bitmap = page.render(scale=scale, grayscale=True)
            return np.array(bitmap.to_pil().convert("L")), (1 / scale, crop[0] - media[0], media[3] - crop[3])
        finally:
            page.close()


def read_image(gray: np.ndarray, page, page_no: int, place: tuple[float, float, float] | None = None) -> OcrPage:
    """OCR a rendered page image (grey, the whole page) into characters and tables.

    `page` is the pdfplumber page the image shows: its table finder builds the tables from the
    rules found in the image. `place` is (points per pixel, x, y of the image's top-left corner
    in the page's points), as `PdfOcr.render` gives it; None: the image is the whole page.
    """
    gray, skew = straighten(gray)
    scale, dx, dy = place or (page.width / gray.shape[1], 0.0, 0.0)
    horizontal, vertical = _rule_masks(gray, int(RULE_INCHES * 72 / scale))
    across, upright = _edges(horizontal, "h", scale), _edges(vertical, "v", scale)
    cleaned = gray.copy()
    cleaned[(horizontal | vertical) > 0] = 255
    words = _rejoin(cleaned, _ocr_words(cleaned, scale), scale, upright)
    if dx or dy:  # a crop box inside the media box: into the media box's points, as the text layer's
        for word in words:
            word.x0, word.x1, word.top, word.bottom = word.x0 + dx, word.x1 + dx, word.top + dy, word.bottom + dy
            word.xs = [x + dx for x in word.xs] if word.xs else None
        for edge in (*across, *upright):
            edge.update(x0=edge["x0"] + dx, x1=edge["x1"] + dx, top=edge["top"] + dy, bottom=edge["bottom"] + dy)
    _settle_sizes(words)
    tables = _tables(page, page_no, across, upright, words)
    boxes = [t.bbox for t in tables]
    chars = [w.as_char() for w in words if not _in_any(w, boxes)]
    return OcrPage(chars=chars, tables=tables, words=words, skew=skew)


def straighten(gray: np.ndarray) -> tuple[np.ndarray, float]:
    """Turn a skewed scan straight; returns the image and the angle (degrees) it was turned."""
    import cv2

    angle = measure_skew(gray)
    if abs(angle) < 0.1:  # within one step of the search (0.05°) of straight: straight
        return gray, 0.0
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    turned = cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_LINEAR,
                            borderMode=cv2.BORDER_CONSTANT, borderValue=255)
    return turned, angle


def measure_skew(gray: np.ndarray) -> float:
    """The rotation (degrees, counter-clockwise) that makes the page's rows of ink sharpest."""
    import cv2
    import numpy as np

    small_w = 800
    factor = small_w / gray.shape[1]
    small = cv2.resize(gray, (small_w, max(1, int(gray.shape[0] * factor))), interpolation=cv2.INTER_AREA)
    ink = (small < INK).astype(np.float32)
    if ink.sum() < 50:
        return 0.0
    h, w = ink.shape
    centre = (w / 2, h / 2)

    def sharpness(angle: float) -> float:
        matrix = cv2.getRotationMatrix2D(centre, angle, 1.0)
        rows = cv2.warpAffine(ink, matrix, (w, h), flags=cv2.INTER_NEAREST).sum(axis=1)
        return float((rows.astype(np.float64) ** 2).sum())

    best = max(np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 0.5), key=sharpness)
    best = max(np.arange(best - 0.5, best + 0.51, 0.05), key=sharpness)
    return round(float(best), 2)


def _rule_masks(gray: np.ndarray, run: int) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the horizontal and the vertical table rules (ink dark over `run` pixels) of a
    straight page image."""
    import cv2
    import numpy as np

    ink = (gray < INK).astype(np.uint8)
    # A rule one pixel thick may step by a pixel over its length: thicken by one pixel first.
    horizontal = cv2.morphologyEx(cv2.dilate(ink, np.ones((3, 1), np.uint8)), cv2.MORPH_OPEN,
                                  cv2.getStructuringElement(cv2.MORPH_RECT, (run, 1)))
    vertical = cv2.morphologyEx(cv2.dilate(ink, np.ones((1, 3), np.uint8)), cv2.MORPH_OPEN,
                                cv2.getStructuringElement(cv2.MORPH_RECT, (1, run)))
    return horizontal, vertical


def _edges(mask: np.ndarray, orientation: str, scale: float) -> list[dict]:
    """The rules of one mask as pdfplumber line objects, in points."""
    import cv2

    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    edges = []
    for x, y, w, h, _area in stats[1:count]:
        if orientation == "h":
            mid = (y + h / 2) * scale
            x0, x1, top, bottom = x * scale, (x + w) * scale, mid, mid
        else:
            mid = (x + w / 2) * scale
            x0, x1, top, bottom = mid, mid, y * scale, (y + h) * scale
        x0, x1, top, bottom = float(x0), float(x1), float(top), float(bottom)
        edges.append({"object_type": "line", "x0": x0, "x1": x1, "top": top, "bottom": bottom,
                      "width": x1 - x0, "height": bottom - top})
    return edges


def _ocr_words(gray: np.ndarray, scale: float) -> list[Word]:
    """Run RapidOCR on the image; its boxes as `Word`s in points."""
    import cv2

    # return_word_box: the recogniser also says where each character (or Latin word) of a box is.
    result, _ = _engine()(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR), use_cls=False, return_word_box=True)
    words = []
    for box, raw, score, *placed in result or []:
        text = normalize(raw)
        if not text or float(score) < MIN_SCORE:
            continue
        xs = [p[0] for p in box]
        ys = [p[1] for p in box]
        chars = _char_xs(raw, *placed[:2]) if len(placed) >= 2 else None
        words.append(Word(text=text, x0=min(xs) * scale, top=min(ys) * scale, x1=max(xs) * scale,
                          bottom=max(ys) * scale, score=float(score),
                          xs=_carried(raw, text, [x * scale for x in chars]) if chars else None))
    return words


_NUMBER_END = re.compile(r"[0-9.]$")
_NUMBER_START = re.compile(r"^[0-9.]")


def _rejoin(gray: np.ndarray, words: list[Word], scale: float, walls: list[dict] | None = None) -> list[Word]:
    """Read again, as one, a number the detector cut in two: two boxes of one line that touch
    or overlap, the first ending and the second starting with a digit or a point ("1092." and
    ".80", "4416." and "67"). Joined as they are they would print "1092. .80"; the recogniser
    reads the crop of both boxes as "1092.80". Kept apart when it reads nothing sure.

    Never across a table's vertical rule (`walls`: two numbers of neighbouring cells). One pass
    along each line, left to right; at most MAX_REJOINS crops read per page (a hostile page of a
    thousand touching digits costs no more)."""
    import cv2

    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        # Sorted by top: only the last few lines can still hold this box.
        line = next((ln for ln in reversed(lines[-3:]) if _same_line(ln[0], word)), None)
        if line is None:
            lines.append([word])
        else:
            line.append(word)
    out: list[Word] = []
    budget = MAX_REJOINS
    for line in lines:
        line.sort(key=lambda w: w.x0)
        current = line[0]
        for word in line[1:]:
            merged = None
            if budget and _touching(current, word) and _NUMBER_END.search(current.text) \
                    and _NUMBER_START.search(word.text) and not _walled(current, word, walls or []):
                budget -= 1
                merged = _read_joined(gray, current, word, scale, cv2)
            if merged is not None:
                current = merged
            else:
                out.append(current)
                current = word
        out.append(current)
    return out


def _walled(a: Word, b: Word, walls: list[dict]) -> bool:
    """Whether a vertical rule stands between the middles of two boxes of one line."""
    left, right = (a.x0 + a.x1) / 2, (b.x0 + b.x1) / 2
    middle = (a.top + a.bottom) / 2
    return any(left < w["x0"] < right and w["top"] <= middle <= w["bottom"] for w in walls)


def _read_joined(gray: np.ndarray, a: Word, b: Word, scale: float, cv2) -> Word | None:
    """The crop of two boxes read as one line by the recogniser alone; None when it reads
    nothing sure."""
    x0, top, x1, bottom = min(a.x0, b.x0), min(a.top, b.top), max(a.x1, b.x1), max(a.bottom, b.bottom)
    crop = gray[int(top / scale): int(bottom / scale) + 1, int(x0 / scale): int(x1 / scale) + 1]
    if crop.size == 0:
        return None
    result, _ = _engine()(cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR), use_det=False, use_cls=False)
    text, score = (result[0][0], float(result[0][1])) if result else ("", 0.0)
    text = normalize(text)
    if not text or score < MIN_SCORE:
        return None
    return Word(text=text, x0=x0, top=top, x1=x1, bottom=bottom, score=score)


def _same_line(a: Word, b: Word, share: float = 0.6) -> bool:
    """Whether two boxes stand on one printed line: they overlap by `share` of the lower one."""
    height = min(a.bottom - a.top, b.bottom - b.top)
    return min(a.bottom, b.bottom) - max(a.top, b.top) >= share * height


def _touching(a: Word, b: Word) -> bool:
    """Whether box b stands right after box a on the same printed line (touching or overlapping)."""
    height = min(a.bottom - a.top, b.bottom - b.top)
    return _same_line(a, b) and b.x0 >= a.x0 and b.x0 - a.x1 <= 0.25 * height


def _char_xs(raw: str, boxes: list, pieces: list) -> list[float] | None:
    """x0, x1 (pixels) of each character of a recognised box's text, from the recogniser's
    pieces (a Chinese character, or a run of Latin letters and digits) and their boxes; a run
    shares its box evenly. None when the pieces do not spell the text."""
    if not pieces or len(pieces) != len(boxes) or "".join(map(str, pieces)).replace(" ", "") != raw.replace(" ", ""):
        return None
    xs: list[float] = []
    for piece, box in zip(pieces, boxes, strict=True):
        piece = str(piece).replace(" ", "")
        if not piece:
            continue
        left, right = min(p[0] for p in box), max(p[0] for p in box)
        step = (right - left) / len(piece)
        for i in range(len(piece)):
            xs += [left + i * step, left + (i + 1) * step]
    return xs


def _carried(raw: str, text: str, xs: list[float]) -> list[float] | None:
    """The characters' x0, x1 of `raw` (without its spaces) carried over to `normalize(raw)`,
    which keeps every other character in order, one for one; a space it keeps spans the gap
    between its neighbours. None if they do not line up."""
    if len(xs) != 2 * sum(1 for ch in raw if not ch.isspace()):
        return None
    out: list[float] = []
    at = 0
    for i, ch in enumerate(text):
        if ch.isspace():
            left = out[-1] if out else xs[0]
            out += [left, xs[2 * at] if 2 * at < len(xs) else left]
            continue
        if 2 * at >= len(xs):
            return None
        out += xs[2 * at: 2 * at + 2]
        at += 1
    return [round(x, 1) for x in out] if 2 * at == len(xs) and len(out) == 2 * len(text) else None


def _settle_sizes(words: list[Word]) -> None:
    """Give each box a font size: its height, or the page's usual height when it is close to it.

    A detector's box is about as tall as the font size (measured: 14-17 pt boxes for 15 pt text),
    but two lines of one paragraph must not differ in size by jitter alone.
    """
    if not words:
        return
    usual = statistics.median(w.bottom - w.top for w in words)
    for word in words:
        height = word.bottom - word.top
        word.size = usual if abs(height - usual) <= SAME_SIZE * usual else height


def normalize(text: str) -> str:
    """OCR text written the way a text layer writes it: no space next to a CJK character, and
    the full-width ，：；（）！？ next to one (a comma or colon between digits stays as it is)."""
    text = _drop_spaces_by_cjk(text.strip())
    # The recogniser reads a lone printed 0 as the Chinese 〇 ("年初预算为〇万元"); next to a
    # digit or a decimal point, or before a unit, it is the digit ("二〇二四年" stays).
    text = _ZERO.sub("0", text)
    # A space the recogniser put at a decimal point ("占100. 00%") is never printed there, and a
    # full-width comma before a group of three digits is a thousands comma ("3，261.90").
    text = _THOUSANDS.sub(",", _POINT_SPACE.sub("", text))
    # A bracket pair turns as one: "(1)项目" → "（1）项目", never "(1）项目".
    text = _HALF_PAIR.sub(lambda m: f"（{m.group(1)}）" if any(_is_wide(c) for c in (
        m.string[m.start() - 1: m.start()], *m.group(1), m.string[m.end(): m.end() + 1])) else m.group(0), text)
    out = []
    for i, ch in enumerate(text):
        if ch in _FULL_WIDTH:
            before, after = text[i - 1: i], text[i + 1: i + 2]
            between_digits = before.isdigit() and after.isdigit() and ch in ",:"
            if not between_digits and (_is_wide(before) or _is_wide(after)):
                ch = _FULL_WIDTH[ch]
        out.append(ch)
    return fix_terms("".join(out))


def fix_terms(text: str) -> str:
    """A term of the reports with one character misread as its look-alike ("财政拔款", "领导千部")
    written as the term."""
    fixes, pattern = _lexicon_fixes()
    return pattern.sub(lambda m: fixes[m.group(0)], text)


# Characters the recogniser reads as one another (each pair both ways).
LOOK_ALIKES = (("拨", "拔"), ("干", "千"), ("干", "于"), ("未", "末"), ("已", "己"), ("入", "人"), ("土", "士"),
               ("日", "曰"))
# The standard vehicle categories of the 国有资产 section, beside the lexicon's fiscal terms.
_VEHICLES = ("部级领导干部用车", "主要领导干部用车", "机要通信用车", "应急保障用车", "执法执勤用车",
             "特种专业技术用车", "离退休干部用车", "其他用车")


@cache
def _lexicon_fixes() -> tuple[dict[str, str], re.Pattern[str]]:
    """Every term of four characters or more of the reports' vocabulary (`index.lexicon`) with
    one character turned into its look-alike, mapped back to the term. Only a misreading that is
    itself no term is corrected; shorter terms are left alone ("收人" stands in "接收人员")."""
    from index.lexicon import FISCAL_TERMS

    terms = {t for t in (*FISCAL_TERMS, *_VEHICLES) if len(t) >= 4}
    swap: dict[str, set[str]] = {}
    for a, b in LOOK_ALIKES:
        swap.setdefault(a, set()).add(b)
        swap.setdefault(b, set()).add(a)
    fixes: dict[str, str] = {}
    for term in terms:
        for i, ch in enumerate(term):
            for other in swap.get(ch, ()):
                variant = term[:i] + other + term[i + 1:]
                if variant not in terms:
                    fixes.setdefault(variant, term)
    pattern = re.compile("|".join(map(re.escape, sorted(fixes, key=len, reverse=True))))
    return fixes, pattern


_THOUSANDS = re.compile(r"(?<=\d)，(?=\d{3}(?!\d))")
# A space inside a decimal number: what follows the digits after it is no word ("1. 2023年度…"
# and "2. 30个项目" are a list marker and its item), only an amount's or a rate's unit, or nothing.
_POINT_SPACE = re.compile(
    r"(?:(?<=\d\.)[ \t]+|(?<=\d)[ \t]+(?=\.))(?=\.?\d+(?:$|[^\d\u3400-\u9fff]|万元|亿元|千元|元|%))"
)
_ZERO = re.compile(r"(?<![一二三四五六七八九十百千万〇零])(?:(?<=[0-9.])〇|〇(?=[0-9.]|\s*(?:万元|亿元|千元|元|%|％|个|辆|人|次)))")
_FULL_WIDTH = {",": "，", ":": "：", ";": "；", "(": "（", ")": "）", "!": "！", "?": "？"}
_WIDE = r"\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"
_HALF_PAIR = re.compile(r"\(([^()（）]*)\)")
_SPACES = re.compile(r"\s+")
_WIDE_CHAR = re.compile(rf"[{_WIDE}]")


def _drop_spaces_by_cjk(text: str) -> str:
    """Drop each run of spaces that touches a Chinese (wide) character on either side.

    One pass over the runs (a lookahead after `\\s+` would rescan a long run from each of its
    spaces: quadratic on hostile text)."""
    def keep(m: re.Match[str]) -> str:
        before, after = text[m.start() - 1: m.start()], text[m.end(): m.end() + 1]
        return "" if _WIDE_CHAR.match(before) or _WIDE_CHAR.match(after) else m.group(0)
    return _SPACES.sub(keep, text)


def _is_wide(ch: str) -> bool:
    return bool(ch) and is_cjk(ch)


def _tables(page, page_no: int, horizontal: list[dict], vertical: list[dict], words: list[Word]) -> list[PageTable]:
    """Tables from the rules found in the image, filled with the OCR boxes of each cell.

    The same checks as `pdf_tables.extract_page_tables`: rows empty in every cell are dropped,
    a "table" of one column or without text is a box drawn around a paragraph.
    """
    if len(horizontal) < 2 or len(vertical) < 2:
        return []
    settings = {"vertical_strategy": "explicit", "horizontal_strategy": "explicit",
                "explicit_vertical_lines": vertical, "explicit_horizontal_lines": horizontal}
    found = []
    for table in page.find_tables(settings):
        # A cell wrapped over lines is one text again only here: its terms are fixed once more.
        read = [([fix_terms(clean_cell(_cell_text(cell, words))) if cell else "" for cell in row.cells],
                 [(page_no, *cell) if cell else None for cell in row.cells]) for row in table.rows]
        read = [(r, b) for r, b in read if any(r)]
        rows = [r for r, _ in read]
        if not rows or max(len(r) for r in rows) < 2:
            continue
        pt = PageTable(rows=rows, bbox=tuple(table.bbox), page=page_no, pages=[page_no],
                       boxes=[b for _, b in read])
        pt.header_rows = header_row_count(rows)
        pt.unit = next((m.group(1) for r in rows[: pt.header_rows or 1] for c in r
                        if (m := UNIT_RE.search(c))), None)
        found.append(pt)
    found.sort(key=lambda t: (t.bbox[1], t.bbox[0]))
    return found


def _cell_text(cell: tuple[float, float, float, float], words: list[Word]) -> str:
    """The text of the boxes centred in a cell: lines top to bottom, boxes of a line left to
    right; lines joined with a line break as a wrapped cell of a text PDF is."""
    inside = sorted((w for w in words if _centre_in(w, cell)), key=lambda w: (w.top, w.x0))
    lines: list[list[Word]] = []
    for word in inside:
        last = lines[-1] if lines else None
        if last and _same_line(last[0], word, share=0.5):
            last.append(word)
        else:
            lines.append([word])
    return "\n".join(" ".join(w.text for w in sorted(line, key=lambda w: w.x0)) for line in lines)


def _centre_in(word: Word, box: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = box
    cx, cy = (word.x0 + word.x1) / 2, (word.top + word.bottom) / 2
    return x0 <= cx <= x1 and top <= cy <= bottom


def _in_any(word: Word, boxes: list[tuple[float, float, float, float]]) -> bool:
    return any(_centre_in(word, (x0 - 1, top - 1, x1 + 1, bottom + 1)) for x0, top, x1, bottom in boxes)
