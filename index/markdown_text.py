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
from .reflow import unwrap

# YAML front matter (Jekyll, Hugo, MkDocs) is metadata, not text to answer from; its title is the page's.
# It opens with a key, so a page that starts with a rule ("---") and has another later keeps its text.
FRONT_MATTER = re.compile(r"\A---[ \t]*\n([A-Za-z_][\w-]*:.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
TITLE = re.compile(r"^title:[ \t]*(.+?)[ \t]*$", re.M)


def markdown_text(text: str) -> tuple[str, str]:
    """(the file's text to index, the title its front matter or opening "# heading" gives, or ""): the
    rendered paragraphs, or, when the parser would cut the file short, the file itself."""
    from markdown_it import MarkdownIt

    front = FRONT_MATTER.match(text)
    named = TITLE.search(front.group(1)) if front else None
    title = named.group(1).strip("'\"") if named else ""
    parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    env: dict = {}
    tokens = parser.parse(text[front.end():] if front else text, env)
    # markdown-it drops what is nested deeper than maxNesting (20 quotes or lists), silently: such a
    # file is read as plain text, as before, rather than lose a word
    if any(token.level >= parser.options["maxNesting"] - 1 for token in tokens):
        return unwrap(text), title
    # a <main> tag written into the Markdown is not the file's boundary: every word of it is read
    paragraphs, _ = html_paragraphs(parser.renderer.render(tokens, parser.options, env), main_only=False)
    return "\n\n".join(paragraphs), title or _leading_heading(tokens)


def _leading_heading(tokens) -> str:
    """The text of a top-level heading that opens the file ("# Clippy"): a README's name for what it
    describes, which its later sentences call "this crate" (a passage read without it can't say)."""
    if len(tokens) >= 2 and tokens[0].type == "heading_open" and tokens[0].tag == "h1":
        return " ".join("".join(child.content for child in tokens[1].children or [] if child.type in ("text", "code_inline")).split())
    return ""
