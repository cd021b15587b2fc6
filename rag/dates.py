"""The date a question is asked on ("as of"), and documents' publication dates read against it.

A news question says "this week" or "recently", and means the week it was asked in. With no date
given, "recent" is counted back from the newest document retrieved (extractive.py), which is the
best guess for a corpus read today. Given the date the question was asked (`as_of`), a document
published after it can't be what the question is about, so it is not retrieved, and "recent" is
counted back from that date. Undated documents are always kept: most corpora (manuals, Wikipedia)
have no dates, and a filter that dropped them would answer nothing.

A question that names its own week ("this week", "today", "on Monday"), asked on a known date, is
about the documents of the days before it (`RECENT_DAYS`), and only those are retrieved, while any
dated document is left in that window; a story retold over years otherwise hands the model an old
telling: "Covid-19 vaccinations in the US began for which age group this week?" was answered from a
two-month-old article about children aged 5 to 11. On realtimeqa-news (194 questions over 41k
chunks, `rag eval --retrieval-only`) hit@5 rose from 0.763 to 0.830 and MRR@10 from 0.585 to 0.664;
on realtimeqa-news-400 MRR@10 from 0.788 to 0.865. The ranked windowed and whole-archive lists
fused instead put fewer gold articles in the prompt (146 of 194, window 150). With no date given,
nothing is filtered: the newest document is no sure stand-in for the day of asking.

Any other question asked on a known date ("Which product remains hard to find?", "… recently …") is
ranked over the whole archive and again over the same two weeks' documents, and the four lists are
fused (retrieval.py): the news of its weeks comes first, older news right after it, never dropped.
"Recently" can mean a month, and a question may be about an older story, so this one is a tilt, not
a window. On realtimeqa-news (194 questions, `--retrieval-only`, asked on their dates) hit@5 rose
from 0.830 to 0.912, recall@10 from 0.899 to 0.954 and MRR@10 from 0.664 to 0.756; on
realtimeqa-news-400 hit@5 from 0.97 to 0.99 and MRR@10 from 0.865 to 0.908 (30 days instead of 14:
0.902 and 0.747 on the full archive).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

RECENT_DAYS = 14  # a document published this many days before the day of asking, or fewer, is recent

_NAMES_ITS_WEEK = re.compile(
    r"\b(?:this|last) (?:week|weekend)\b|\b(?:today|yesterday|tonight)\b|\bthis (?:morning|afternoon|evening)\b"
    r"|\bon (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.IGNORECASE)


class DateError(ValueError):
    """A date that can't be read; the message says what was expected."""


def as_of_date(value: str | date | None) -> date | None:
    """`value` as a date: a date, an ISO date ("2022-06-16", also with a time), or None for none given."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        parsed = published(value.strip().replace("/", "-"))
        if parsed is not None:
            return parsed
    raise DateError(f"as_of must be a date like 2022-06-16, not {value!r}")


def published(text: str | None) -> date | None:
    """A document's publication date from its metadata text, or None when it has none (or none readable)."""
    try:
        return date.fromisoformat((text or "")[:10])
    except ValueError:
        return None


def published_by(text: str | None, as_of: date | None) -> bool:
    """Whether a document with this publication date could be read on `as_of` (undated ones always)."""
    day = published(text)
    return as_of is None or day is None or day <= as_of


def window_start(question: str, as_of: date | None) -> date | None:
    """The earliest publication date a question asked on `as_of` can be about, when it names its week."""
    if as_of is None or not _NAMES_ITS_WEEK.search(question):
        return None
    return recent_start(as_of)


def without_its_week(question: str) -> str:
    """The question without the words naming its week ("this week", "on Monday"), for a reader that has
    only the text: what week the text is from was settled when its documents were retrieved."""
    cut = re.sub(rf"\s*,?\s*(?:{_NAMES_ITS_WEEK.pattern})\s*,?", " ", question, flags=re.IGNORECASE)
    cut = re.sub(r"\s+([?.!,])", r"\1", " ".join(cut.split()))
    return cut[:1].upper() + cut[1:] if cut else question


def recent_start(as_of: date) -> date:
    """The earliest publication date of the news of the days before `as_of`."""
    return as_of - timedelta(days=RECENT_DAYS)


def published_since(text: str | None, start: date | None) -> bool:
    """Whether a document with this publication date is no older than `start` (undated ones always)."""
    day = published(text)
    return start is None or day is None or day >= start
