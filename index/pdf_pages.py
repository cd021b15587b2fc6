"""A PDF's pages into running text: page headers, footers and numbers out, the rest joined.

pypdf (through llama-index's PDFReader) gives each page's lines as laid out, with the running header
and the page number in them, so a sentence that crossed a page read "the RECOMMENDED order to
perform the checks 14 Shared MIME-info Database is:" and the header was a sentence on every page.
No reader we have drops them, so this does, by the rule typesetters follow: a line at the top or
bottom of a page is furniture when the same words (numbers aside) are there on at least
`MIN_PAGES` pages, or when it carries the page number, counted the same way on `MIN_PAGES` pages
("Chapter 4: Function reference 13" on the page after "… 12"). Shorter documents keep every line,
and the first page keeps its repeated ones: the running head repeats its title. Lines of the table
of contents (dot leaders, then a page number) go too: they match a question's words and hold no answer.
"""

from __future__ import annotations

import re
from collections import Counter

from .reflow import unwrap

MIN_PAGES = 3
EDGE_LINES = 2  # how many lines at each end of a page can be furniture
_NUMBER = re.compile(r"\d+")
# "2.4 Library Notes . . . . . . 4": a line of the contents (or the index) points at a page, says nothing
_CONTENTS_ENTRY = re.compile(r"(?:\.\s?|…\s?|·\s?){4,}\s*(?:\d+|[ivxlc]+)?\s*$", re.IGNORECASE)


def pdf_text(pages: list[str]) -> str:
    """The document's text: each page without its furniture, pages and wrapped lines joined."""
    lines = [[line for line in page.splitlines() if line.strip()] for page in pages]
    furniture = _furniture(lines)
    kept = [[line for n, line in enumerate(page) if (p, n) not in furniture and not _CONTENTS_ENTRY.search(line)]
            for p, page in enumerate(lines)]
    return unwrap("\n".join(line for page in kept for line in page), proportional=True)


def _edges(page: list[str]) -> list[int]:
    return sorted(set(range(min(EDGE_LINES, len(page)))) | set(range(max(0, len(page) - EDGE_LINES), len(page))))


def _furniture(pages: list[list[str]]) -> set[tuple[int, int]]:
    """(page, line) of every header, footer and page number line."""
    if len(pages) < MIN_PAGES:
        return set()
    edges = [(p, n, _shape(page[n]), _page_numbers(page[n])) for p, page in enumerate(pages) for n in _edges(page)]
    shapes = Counter(shape for _, _, shape, _ in edges)
    offsets = Counter(number - p for p, _, _, numbers in edges for number in numbers)
    found = set()
    for p, n, shape, numbers in edges:
        # the first page's top line is the title that the running head repeats
        repeated = p > 0 and shapes[shape] >= MIN_PAGES and re.search(r"[^\W\d_]", shape)
        if repeated or any(offsets[number - p] >= MIN_PAGES for number in numbers):
            found.add((p, n))
    return found


def _shape(line: str) -> str:
    return _NUMBER.sub("#", " ".join(line.lower().split()))


def _page_numbers(line: str) -> set[int]:
    """Numbers standing first or last on the line, where page numbers go."""
    words = line.split()
    ends = {word.strip("-–—|.()[]") for word in (words[0], words[-1])}
    return {int(word) for word in ends if word.isdigit() and len(word) <= 4}
