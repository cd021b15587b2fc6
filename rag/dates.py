"""The date a question is asked on ("as of"), and documents' publication dates read against it.

A news question says "this week" or "recently", and means the week it was asked in. With no date
given, "recent" is counted back from the newest document retrieved (extractive.py), which is the
best guess for a corpus read today. Given the date the question was asked (`as_of`), a document
published after it can't be what the question is about, so it is not retrieved, and "recent" is
counted back from that date. Undated documents are always kept: most corpora (manuals, Wikipedia)
have no dates, and a filter that dropped them would answer nothing.
"""

from __future__ import annotations

from datetime import date, datetime


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
