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


@lru_cache(maxsize=1)
def _punkt():
    import llama_index.core
    import nltk
    from nltk.tokenize import PunktTokenizer

    shipped = str(Path(llama_index.core.__file__).parent / "_static" / "nltk_cache")
    if shipped not in nltk.data.path:
        nltk.data.path.append(shipped)
    return PunktTokenizer("english")


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, shifted by `offset`; whitespace is never included."""
    spans = []
    tokenizer = _punkt()
    for line in _LINE.finditer(text):
        if not line.group().strip():
            continue
        for start, end in tokenizer.span_tokenize(line.group()):
            start, end = _trim(line.group(), start, end)
            if end > start:
                spans.append((offset + line.start() + start, offset + line.start() + end))
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
