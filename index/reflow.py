"""Lines that a layout wrapped, joined back into the sentences they belong to.

A line break ends a sentence (`index/sentences.py`: headlines, list items and table rows carry no
final period). Text wrapped at a fixed width (a plain-text file at 72 columns, every line of a PDF)
breaks in mid-sentence, so "The default weight value is / 50, and the maximum is 100." became two
sentences, neither of which says the weight. A break is taken for a wrap when the line before it is
full (the next line's first word would not have fitted on it), doesn't end a sentence, and the next
line doesn't open a block of its own (a list item, a heading, a table row, code). The trade-off: a
column of short items (an address, a poem) wraps nothing and stays as it is, but a run of full lines
without final periods (a table flattened by a PDF) is read as one sentence.

The join replaces the break by a space, so the text keeps its length and every offset into the file
still holds; a PDF's text is ours alone, so there a word hyphenated across the break ("alterna-" /
"tives") is joined whole.
"""

from __future__ import annotations

import re

# Wider than any fixed wrap (72, 80, 100 columns); longer lines are paragraphs an editor soft-wraps.
MAX_WRAP_WIDTH = 160
MIN_WRAP_WIDTH = 40  # a column of short items (an address, a list without bullets) is not wrapped prose
# A line is full when the next word would have taken it past 80 % of the block's width: people and
# tools wrap loosely, and a PDF line of the same width holds ±20 % as many characters.
FULL = 0.8
_ENDS_SENTENCE = re.compile(r"[.!?][\"'”’)\]]*$")
_OPENS_BLOCK = re.compile(r"\s*([-*+•◦▪‣–]\s|\d{1,3}[.)]\s|[#>|]|```|~~~|\[\d+\])")
_CODE_OR_COLUMNS = re.compile(r"^(\t| {4})|\S {3,}\S|\t|\|.*\|")  # indented code, aligned columns, table rows
_HYPHENATED = re.compile(r"[a-z]-\n[a-z]|[A-Z]{2}-\n[A-Z]{2}")  # "alterna-" "tives", "OP-" "TIONAL"
_FENCE = re.compile(r"\s*(```|~~~)")


def unwrap(text: str, *, proportional: bool = False) -> str:
    """`text` with each wrapped line break made a space; unchanged when nothing in it is wrapped."""
    lines = text.split("\n")
    breaks = ["\n"] * (len(lines) - 1)  # breaks[i] joins lines[i] and lines[i + 1]
    for block in _blocks(lines):
        width = _width([lines[i] for i in block], proportional)
        if width is None:
            continue
        for i in block[:-1]:
            too_long = not proportional and len(lines[i].rstrip()) > MAX_WRAP_WIDTH  # a paragraph's own line
            if not too_long and _is_wrap(lines[i], lines[i + 1], width):
                hyphenated = proportional and _HYPHENATED.search(lines[i].rstrip() + "\n" + lines[i + 1].lstrip()[:2])
                if hyphenated:  # "alterna-" + "tives": the hyphen was the layout's
                    lines[i] = lines[i].rstrip()[:-1]
                breaks[i] = "" if hyphenated else " "
    return "".join(line + gap for line, gap in zip(lines, breaks + [""]))


def _blocks(lines: list[str]) -> list[list[int]]:
    """Runs of consecutive non-blank lines outside code fences, as line numbers."""
    blocks, current, in_fence = [], [], False
    for number, line in enumerate(lines):
        fence = bool(_FENCE.match(line))
        in_fence ^= fence
        if not line.strip() or in_fence or fence:
            blocks.append(current)
            current = []
        else:
            current.append(number)
    return [block for block in blocks + [current] if len(block) > 1]


def _width(block: list[str], proportional: bool) -> float | None:
    """The width a block was wrapped at (past its odd overlong line), or None when it isn't wrapped prose."""
    lengths = sorted(len(line.rstrip()) for line in block)
    if not proportional:
        lengths = [n for n in lengths if n <= MAX_WRAP_WIDTH]
    width = lengths[-1 - len(lengths) // 10] if lengths else 0  # the longest but for the top tenth
    return width * FULL if width >= MIN_WRAP_WIDTH else None


def _is_wrap(line: str, following: str, width: float) -> bool:
    body = line.rstrip()
    if not body or _ENDS_SENTENCE.search(body):
        return False
    if _OPENS_BLOCK.match(following) or _CODE_OR_COLUMNS.search(line) or _CODE_OR_COLUMNS.search(following):
        return False
    return len(body) + 1 + len(following.split()[0]) > width  # the next word wouldn't have fitted
