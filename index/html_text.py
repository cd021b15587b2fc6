"""An HTML page into paragraphs: block elements end a paragraph, inline ones (links, bold) don't.

BeautifulSoup's `get_text("\\n")` puts a break around every tag, so "See the <a>manual</a> for more."
became three lines, and since a line break ends a sentence, three sentences nothing could quote
whole; `get_text(" ")` keeps the sentence but glues the whole page into one. Neither it nor
llama-index's HTML readers know which tags are blocks, so this walk does (a dozen lines).
Whitespace inside a paragraph (the source's own line wrapping) collapses to single spaces; a `<pre>`
block is one paragraph that keeps its lines; a table row is one line, its cells set apart by " | "
(a cell alone, "deny", says nothing of its row). Navigation (`<nav>`) and controls (buttons,
drop-downs) are not read: a site's menu repeats on every page and answers nothing; nor is struck-out
text, which its author withdrew. A page that marks its content (one visible `<main>`, or
`role="main"`) is read from there only: its header, footer, sidebars and help pop-ups are the site's,
not the page's; a page that doesn't, or whose main element holds no text yet (filled in by a
script), is read whole, since guessing content by link density (readability, trafilatura) also
guesses wrong.
"""

from __future__ import annotations

BLOCKS = {
    "address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "details", "dialog", "div",
    "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "html", "legend", "li", "main", "ol", "p", "pre", "section", "summary", "table",
    "tbody", "tfoot", "thead", "tr", "ul",
}
CELLS = {"td", "th"}
# not the page's text: code, embedded objects, a site's navigation, the page's controls, and what its
# author struck out ("<del>$20</del> $15" says $15)
SKIPPED = {"script", "style", "noscript", "template", "head", "svg", "iframe", "object", "nav", "button", "select",
           "del", "s", "strike"}


def html_paragraphs(markup: str, main_only: bool = True) -> tuple[list[str], str]:
    """(paragraphs in reading order, the page's <title>); with `main_only`, those of the page's main
    element when it has one that holds text."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    main = _main_element(soup) if main_only else None
    paragraphs = _paragraphs(main) if main is not None else []
    return paragraphs or _paragraphs(soup), title


def _main_element(soup):
    """The page's one visible main element, or None (none, or several: an invalid page, read whole)."""
    candidates = [tag for tag in soup.find_all(lambda tag: tag.name == "main" or tag.get("role") == "main")
                  if not tag.has_attr("hidden")]
    # by identity: a bs4 Tag's == compares whole subtrees
    ids = {id(tag) for tag in candidates}
    outermost = [tag for tag in candidates if not any(id(parent) in ids for parent in tag.parents)]
    return outermost[0] if len(outermost) == 1 else None


def _paragraphs(root) -> list[str]:
    from bs4 import NavigableString
    from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

    paragraphs: list[str] = []
    words: list[str] = []

    def end_paragraph() -> None:
        text = " ".join("".join(words).split())
        if text:
            paragraphs.append(text)
        words.clear()

    stack = [root]  # iterative, so a deeply nested page can't hit the recursion limit
    while stack:
        node = stack.pop()
        if node is None:  # the marker pushed after a block's children
            end_paragraph()
        elif isinstance(node, NavigableString):
            if not isinstance(node, (Comment, Declaration, Doctype, ProcessingInstruction)):
                words.append(str(node))
        elif node.name in SKIPPED:
            continue
        elif node.name == "pre":
            end_paragraph()
            block = "\n".join(line.rstrip() for line in node.get_text().splitlines() if line.strip())
            if block:  # one paragraph of lines: what a sentence ending in a colon announces, whole
                paragraphs.append(block)
        else:
            if node.name in CELLS and "".join(words).strip():
                words.append(" | ")
            if node.name in BLOCKS:
                end_paragraph()
                stack.append(None)
            stack.extend(reversed(node.contents))
    end_paragraph()
    return paragraphs
