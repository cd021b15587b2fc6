"""A Markdown file into paragraphs: rendered by a CommonMark parser, then read as an HTML page is.

Read as plain text, a Markdown file's markup was its text: a link's URL went into the chunk, its
vector and the prompt ("forked from [rbenv](https://github.com/rbenv/rbenv) and ..."), asterisks and
backticks into quotes, a badge's image URL and a reference definition became sentences, and a
table's rows were lines of pipes. Rendered (markdown-it-py, CommonMark with GitHub's tables and
strikethrough), a link is its words, struck-out text is gone, a code block keeps its lines, a table
row is one line of cells, and the HTML a README embeds (`<details>`, comments) is read as HTML;
`html_text.py` reads the result, so both formats end paragraphs at the same blocks. The trade-off:
offsets index the text read, not the file's bytes, as for HTML and PDF.
"""

from __future__ import annotations

import re

from .html_text import html_paragraphs

# YAML front matter (Jekyll, Hugo, MkDocs) is metadata, not text to answer from
FRONT_MATTER = re.compile(r"\A---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)


def markdown_paragraphs(text: str) -> list[str]:
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    paragraphs, _ = html_paragraphs(parser.render(FRONT_MATTER.sub("", text, count=1)))
    return paragraphs
