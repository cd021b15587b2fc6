"""Which came first: a comparison of two of the question's names, checked on the years their documents give.

"Which magazine was published first, Guitar World or Science News?" drafted as "Guitar World was
published first, with its first issue appearing in July 1980" is supported sentence by sentence (its
document says July 1980) and says a comparison, yet is wrong: Science News has been published since
1922. No passage says "first"; the order is the reader's inference from two documents. So the check
makes it: the year the answer gives its choice (the sentence's, else its quote's, else its document's
earliest) against the earliest year in the other name's document. The earliest year is a rough date
for what a document is about (a person's birth, a band's forming, a magazine's founding); a document
naming an older year for something else can only make a right answer abstain, never let a wrong one
stand. Only "earlier/later" comparisons are checked, and only when each name has a document of its own.
"""

from __future__ import annotations

import re

from .answer_type import EARLIER, LATER
from .text import terms

_YEAR = re.compile(r"(?<![\d,.])(1[0-9]{3}|20[0-9]{2})(?![\d,])")
_OPTIONS = re.compile(r"([A-Z][^,?]*?)\s+or\s+([^,?]*?[A-Z][^,?]*?)\s*\?\s*$")


def options(question: str) -> tuple[str, str] | None:
    """The two names a choice question ends with: "…, Guitar World or Science News?", "Which came first
    the forming of The Dandy Warhols or the birth of Robert Young?"."""
    found = _OPTIONS.search(question)
    if found is None:
        return None
    # an option is the last capitalised run of its words, less a leading "The"
    names = [re.findall(r"[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*", side) for side in found.groups()]
    if not all(names):
        return None
    first, second = (re.sub(r"^The\s+", "", side[-1]) for side in names)
    return first, second


def order_said(sentence: str) -> str | None:
    """"earlier" or "later": what the sentence says its subject is; None when it says neither."""
    said = _words(sentence)
    if said & EARLIER and not said & LATER:
        return "earlier"
    if said & LATER and not said & EARLIER:
        return "later"
    return None


def years(text: str) -> list[int]:
    return [int(y) for y in _YEAR.findall(text)]


def misordered(sentence: str, question: str, quote: str, documents: dict[str, str]) -> str | None:
    """Why the order the sentence says contradicts the documents' years; None when it doesn't, or can't
    be told. `documents` maps each retrieved document's title to its retrieved text, best first."""
    named = options(question)
    order = order_said(sentence)
    if named is None or order is None or not _words(question) & (EARLIER | LATER):
        return None
    positions = {name: sentence.find(name) for name in named}
    chosen = min((name for name in named if positions[name] >= 0), key=positions.get, default=None)
    if chosen is None:
        return None
    other = named[1] if chosen == named[0] else named[0]
    own, theirs = _document(chosen, documents), _document(other, documents)
    if own is None or theirs is None or own == theirs:
        return None
    chosen_year = (years(sentence) or years(quote) or [min(years(documents[own]), default=None)])[0]
    other_year = min(years(documents[theirs]), default=None)
    if chosen_year is None or other_year is None:
        return None
    right = chosen_year < other_year if order == "earlier" else chosen_year > other_year
    if right:
        return None
    return f"says {chosen} came {order}, but its year is {chosen_year} and {other}'s document gives {other_year}"


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"\w+", text)}


def _document(name: str, documents: dict[str, str]) -> str | None:
    """The document the name is the title of; failing that, the best-ranked whose title holds it."""
    wanted = terms(name)
    titled = [title for title in documents if terms(title) == wanted]
    holding = [title for title in documents if wanted and wanted <= terms(title)]
    return (titled or holding or [None])[0]
