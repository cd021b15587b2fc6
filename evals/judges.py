"""Judges of "does this text support this statement?", which the citation metrics are built on.

`AlignmentJudge` (the default) is the answer check's own alignment (rag/verify.py: content terms,
numbers, names, paraphrase similarity) with the question rules off: fast, offline, deterministic,
but lexical, so it can miss a paraphrase and can't catch a negation. `LLMJudge` asks a model
(the bundled one or any OpenAI-compatible server) a yes/no question instead. `agreement` reports how
often they agree on the same statements (with Cohen's kappa), so a user knows what the default is
worth on their corpus. No NLI model is bundled here, which is why the default is not one.
"""

from __future__ import annotations

import re
from functools import lru_cache

from index import embedder
from rag import verify
from rag.llm import load_llm
from rag.types import Passage


class AlignmentJudge:
    name = "alignment"

    def __call__(self, statement: str, passages: list[str]) -> bool:
        if not passages:
            return False
        spans, vectors = _spans_of(tuple(passages))
        return verify.check(statement, [], None, spans, vectors).supported


@lru_cache(maxsize=256)
def _spans_of(passages: tuple[str, ...]):
    fakes = [Passage(f"p{i}", f"p{i}", "", "", text, 0.0, 0, len(text)) for i, text in enumerate(passages)]
    spans = verify.candidate_spans(fakes)
    return spans, embedder.embed_cached([span.text for span in spans]) if spans else None


JUDGE_PROMPT = """Decide whether the passages support the statement: everything the statement says must be stated in or directly implied by the passages.

Passages:
{passages}

Statement: {statement}

Answer with one word, yes or no."""


class LLMJudge:
    def __init__(self, backend: str, settings):
        self.backend, self.settings = backend, settings
        self.name = f"llm:{backend}"

    def __call__(self, statement: str, passages: list[str]) -> bool:
        if not passages:
            return False
        prompt = JUDGE_PROMPT.format(passages="\n\n".join(f"[{i}] {p}" for i, p in enumerate(passages, 1)),
                                     statement=statement)
        reply = load_llm(self.backend, self.settings).complete([{"role": "user", "content": prompt}], 3, "grader")
        return bool(re.match(r"\W*yes\b", reply.strip().lower()))


def agreement(first, second, pairs: list[tuple[str, list[str]]]) -> dict:
    """How two judges agree on (statement, passages) pairs: raw agreement and Cohen's kappa."""
    a = [bool(first(s, p)) for s, p in pairs]
    b = [bool(second(s, p)) for s, p in pairs]
    n = len(pairs)
    if not n:
        return {"pairs": 0}
    observed = sum(x == y for x, y in zip(a, b)) / n
    pa, pb = sum(a) / n, sum(b) / n
    expected = pa * pb + (1 - pa) * (1 - pb)
    kappa = (observed - expected) / (1 - expected) if expected < 1 else 1.0
    return {
        "pairs": n, "agreement": round(observed, 4), "kappa": round(kappa, 4),
        "first_yes": sum(a), "second_yes": sum(b),
        "both_yes": sum(x and y for x, y in zip(a, b)), "both_no": sum(not x and not y for x, y in zip(a, b)),
    }
