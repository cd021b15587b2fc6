"""A DOCX file into paragraphs, in reading order, a table row as one line of cells.

llama-index's DocxReader (docx2txt) gave every table cell as its own paragraph, so a row's "Lift" and
"40 t" were two sentences nothing could quote together, and a manual line break (Shift+Enter) ended
a sentence. python-docx opens the package, but its paragraph and table objects skip text inside
content controls (a cover page's title, a form's fields) and inside tracked insertions, so this walks
the body's XML itself (thirty lines): every `w:p` outside a table is a paragraph, every `w:tr` a
row of its cells' text, and within each, text runs, tabs and breaks in order. Deleted text
(`w:delText`), field codes and page headers and footers (other parts of the package) are not read.
"""

from __future__ import annotations

from pathlib import Path

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# a drawing's text box is written twice, for new Word and (in a Fallback) for old: read once
FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
SPACES = {f"{W}tab", f"{W}br", f"{W}cr", f"{W}p"}  # a line break inside a paragraph does not end its sentence


def docx_paragraphs(path: Path) -> list[str]:
    import docx

    body = docx.Document(str(path)).element.body
    paragraphs = []
    for block in body.iter(f"{W}p", f"{W}tr"):
        if _inside(block, FALLBACK):
            continue
        if block.tag == f"{W}tr":  # a table nested in a cell gives rows of its own, after its outer row
            text = " | ".join(cell for cell in (_text(tc, f"{W}tc") for tc in block.iterchildren(f"{W}tc")) if cell)
        elif _inside(block, f"{W}tr"):
            continue  # read with its row
        else:
            text = _text(block, f"{W}p")
        if text:
            paragraphs.append(text)
    return paragraphs


def _inside(element, tag: str) -> bool:
    return next(element.iterancestors(tag), None) is not None


def _text(container, level: str) -> str:
    """The words of a paragraph or a cell, leaving out those of a paragraph or cell nested in it."""
    pieces = []
    for node in container.iter(f"{W}t", *SPACES):
        if node is container or next(node.iterancestors(level), None) is not container or _inside(node, FALLBACK):
            continue
        pieces.append(" " if node.tag in SPACES else node.text or "")
    return " ".join("".join(pieces).split())
