"""Sentence spans with character offsets, for quoting and aligning exact evidence.

Punkt's trained English model (from the NLTK cache llama-index ships, so nothing downloads; it knows
"Dr." and "p.m." are not sentence ends, unlike the untrained tokenizer) finds sentence ends inside a
line; line breaks always end a sentence too, because headlines, list items and table rows carry no
final period and would otherwise glue onto the next sentence.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

_LINE = re.compile(r"[^\n]+")
# Abbreviations of technical and academic writing that Punkt's English model lacks: it cut "grouped,
# e.g." from "by style", "Smith et al." from "found more", "cf. Fig." from "3". Part of
# SPLITTER_VERSION, which stored sentence vectors are kept under (a store made with another splitter
# is split again at the next ingest).
ABBREVIATIONS = {"e.g", "i.e", "cf", "etc", "fig", "eq", "al"}
SPLITTER_VERSION = "punkt-english+abbreviations-1"


@lru_cache(maxsize=1)
def _punkt():
    import llama_index.core
    import nltk
    from nltk.tokenize import PunktTokenizer

    shipped = str(Path(llama_index.core.__file__).parent / "_static" / "nltk_cache")
    if shipped not in nltk.data.path:
        nltk.data.path.append(shipped)
    tokenizer = PunktTokenizer("english")
    tokenizer._params.abbrev_types.update(ABBREVIATIONS)  # Punkt keeps no public setter for its abbreviations
    return tokenizer


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, shifted by `offset`; whitespace is never included."""
    spans = []
    tokenizer = _punkt()
    for line in _LINE.finditer(text):
        if not line.group().strip():
            continue
        line_spans: list[tuple[int, int]] = []
        for start, end in tokenizer.span_tokenize(line.group()):
            start, end = _trim(line.group(), start, end)
            if end <= start:
                continue
            if line_spans and line_spans[-1][1] == start and line.group()[start - 2 : start] == "#!":
                start = line_spans.pop()[0]  # "#![deny(missing_docs)]": a Rust attribute, not an exclamation
            line_spans.append((start, end))
        spans += [(offset + line.start() + start, offset + line.start() + end) for start, end in line_spans]
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
