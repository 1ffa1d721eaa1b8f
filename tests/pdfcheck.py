"""Print an HTML document to PDF in Debian's Chromium (Playwright, headless) and read the PDF
back with poppler's pdfinfo/pdftotext: the page count, each page's text, and every word's
box, so a test can say which page the signatures are on and that no line runs off the page."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

MM = 72 / 25.4
_WORD_RE = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                      r'([^<]*)</word>')
_PAGE_RE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')


@dataclass
class Printed:
    pages: list[str]
    """Each page's text (pdftotext -layout)."""
    size_pt: tuple[float, float]
    words: list[list[tuple[float, float, float, float, str]]]
    """Per page: (xMin, yMin, xMax, yMax, text) of every word."""

    @property
    def landscape(self) -> bool:
        return self.size_pt[0] > self.size_pt[1]

    def page_of(self, text: str) -> list[int]:
        """1-based numbers of the pages whose text holds `text` (spaces collapsed)."""
        return [i for i, page in enumerate(self.pages, 1)
                if text in re.sub(r"\s+", " ", page)]

    def has_words(self, text: str) -> bool:
        """Every word of `text` printed, in that order, on one page (a cell may wrap it, and
        the "; " that joins it to the next note in the cell may follow its last word)."""
        wanted = [w.rstrip(";") for w in text.split()]
        for page in self.words:
            printed, at = [w[4].rstrip(";") for w in page], 0
            for word in printed:
                if at < len(wanted) and word == wanted[at]:
                    at += 1
            if at == len(wanted):
                return True
        return False

    def line_of(self, word: str) -> list[str]:
        """The words printed on the same line as the first `word` (a table row's first line),
        left to right."""
        for page in self.words:
            found = next((w for w in page if w[4] == word), None)
            if found:
                same = [w for w in page if abs(w[1] - found[1]) < 1.0]
                return [w[4] for w in sorted(same, key=lambda w: w[0])]
        return []

    def overflowing(self, margin_mm: float) -> list[str]:
        """Words that reach into the right or bottom margin or past the page's edge."""
        width, height = self.size_pt
        limit_x, limit_y = width - margin_mm * MM + 1, height - margin_mm * MM + 1
        return [w[4] for page in self.words for w in page if w[2] > limit_x or w[3] > limit_y]


def print_pdf(chromium, html: bytes, path: Path) -> Printed:
    """Render `html` (a self-contained page) to `path` as Chromium prints it."""
    source = path.with_suffix(".html")
    source.write_bytes(html)
    page = chromium.new_page()
    try:
        page.goto(source.as_uri())
        page.pdf(path=str(path), prefer_css_page_size=True, print_background=True)
    finally:
        page.close()
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    bbox = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True,
                          text=True).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    pages = text.split("\f")[:count]
    width, height = (float(x) for x in _PAGE_RE.search(bbox).groups())
    words = [[(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in
              _WORD_RE.findall(chunk)] for chunk in bbox.split("<page ")[1:]]
    assert len(pages) == count == len(words)
    return Printed(pages, (width, height), words)
