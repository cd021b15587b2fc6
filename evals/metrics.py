"""The metrics, as plain functions over plain values, each with the definition it follows.

Retrieval: hit@k, recall@k, MRR@10, nDCG@10 (binary gains) over a ranked list of relevance flags.
Answers: SQuAD's normalised exact match and token F1, and answer-in-text (a normalised gold answer
occurs in the answer as whole words, "six" equal to "6"; what a sentence-long answer can be fairly
judged by); for a multiple-choice set asked without its choices, whether the answer names the gold
choice best of all (`choice_picked`: right in other words than the gold's).
Abstention: precision, recall and F1 of abstaining, taking "unanswerable" as the positive class.
Citations: ALCE (Gao et al., 2023), statement by statement: recall counts a statement when it has
citations and they jointly support it; a citation is precise unless the statement is unsupported
by all its citations together, or (with several) it alone does not support the statement while the
others do. Both are averaged per answer, then over answers, as ALCE's reference code does.
Intervals: Wilson for proportions, a seeded percentile bootstrap for means.
"""

from __future__ import annotations

import math
import re
import string
from collections import Counter
from typing import Callable, Sequence

import numpy as np

from rag.text import NUMBER, NUMBER_WORDS, plain_number, terms

# supports(statement, passages) -> bool: the judge (see judges.py)
Judge = Callable[[str, list[str]], bool]


# ---- retrieval ------------------------------------------------------------------------------

def hit_at(relevant: Sequence[bool], k: int) -> float:
    return float(any(relevant[:k]))


def recall_at(relevant: Sequence[bool], k: int, total_relevant: int) -> float:
    return sum(relevant[:k]) / total_relevant if total_relevant else 0.0


def mrr_at(relevant: Sequence[bool], k: int = 10) -> float:
    return next((1.0 / rank for rank, flag in enumerate(relevant[:k], 1) if flag), 0.0)


def ndcg_at(relevant: Sequence[bool], k: int, total_relevant: int) -> float:
    dcg = sum(1.0 / math.log2(rank + 1) for rank, flag in enumerate(relevant[:k], 1) if flag)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(total_relevant, k) + 1))
    return dcg / ideal if ideal else 0.0


# ---- answers --------------------------------------------------------------------------------

def normalise_answer(text: str) -> str:
    """SQuAD's normalisation, plus typographic quotes folded to plain ones."""
    text = text.lower().replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = "".join(ch for ch in text if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def exact_match(prediction: str, golds: list[str]) -> float:
    return float(any(normalise_answer(prediction) == normalise_answer(g) for g in golds))


def token_f1(prediction: str, golds: list[str]) -> float:
    predicted = normalise_answer(prediction).split()
    best = 0.0
    for gold in golds:
        expected = normalise_answer(gold).split()
        common = sum((Counter(predicted) & Counter(expected)).values())
        if common:
            precision, recall = common / len(predicted), common / len(expected)
            best = max(best, 2 * precision * recall / (precision + recall))
    return best


def answer_in_text(prediction: str, golds: list[str]) -> float:
    """A gold answer occurs in the prediction as whole words, numbers spelled out or not.

    "extended by six months" holds the gold "6" and "a nine-year sentence" the gold "9", while "2016"
    no longer holds "6" (a bare substring test counted both the other way round). A gold pair "X & Y"
    or "X and Y" is found as "X and Y" or "Y and X" ("China and Russia" answers "Russia and China").
    """
    found = f" {_answer_words(prediction)} "
    return float(any(f" {form} " in found for g in golds for form in _answer_forms(g)))


def choice_picked(prediction: str, choices: list[str], golds: list[str]) -> float | None:
    """For a multiple-choice set answered without its choices: 1 when the answer names a gold choice
    more fully than any other choice, 0 otherwise (None without choices).

    Answer-in-text wants the gold's exact words, and news answers right in other words fail it ("a
    fire risk" for "Fire risks", "high-speed internet projects" for "High-speed internet service").
    A choice's coverage is the share of its content terms (stemmed) the answer holds, none when the
    answer lacks one of its numbers ("millions of swings" is not "2 million"). The best choice must
    be alone at the top and covered more than half: "New York City" doesn't name "Mexico City", and
    "China and Russia … the war in Ukraine" names "Ukraine and China" as fully as "Russia and China".
    An answer that says it otherwise still counts as wrong: "tie the knot" for "They got married", or
    "Artemis I" for "Artemis 1" (its number is missing).
    """
    if not choices:
        return None
    said = terms(re.sub(r"\[\d+\]", " ", prediction))  # a citation marker "[1]" is no number of the answer's
    numbers = {plain_number(w) for w in said if NUMBER.match(w)}
    coverage = []
    for choice in choices:
        wanted = terms(choice)
        choice_numbers = {plain_number(w) for w in wanted if NUMBER.match(w)}
        held = len(wanted & said) / len(wanted) if wanted and choice_numbers <= numbers else 0.0
        coverage.append(held)
    best = max(coverage)
    picked = [c for c, held in zip(choices, coverage) if held == best]
    return float(best > 0.5 and len(picked) == 1 and picked[0] in golds)


# a person's title before the name: "Liz Cheney" answers "Rep. Liz Cheney" (normalised: "rep liz cheney")
_TITLE = re.compile(r"^(?:(?:uk|us|former|first lady|dr|rep|sen|senator|representative|president|prime minister|"
                    r"governor|gov|mr|mrs|ms|king|queen)\s+)+")


_MONTHS = "january february march april may june july august september october november december"
# a date written day first or month first is one date: "2 October 2018" is "October 2, 2018"
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}}) ({_MONTHS.replace(' ', '|')})\b")
_MONTH_DAY = re.compile(rf"\b({_MONTHS.replace(' ', '|')}) (\d{{1,2}})\b(?! \d{{1,2}}\b)")


def _answer_forms(gold: str) -> list[str]:
    """The gold's words, a pair's in the other order, a date in the other order, and a full name
    without the title before it."""
    words = _answer_words(gold)
    if not words:
        return []
    pair = words.split(" and ")
    forms = [words, f"{pair[1]} and {pair[0]}"] if len(pair) == 2 and all(pair) else [words]
    swapped = _DAY_MONTH.sub(r"\2 \1", words) if _DAY_MONTH.search(words) else _MONTH_DAY.sub(r"\2 \1", words)
    forms += [swapped] if swapped != words else []
    name = _TITLE.sub("", words)
    return forms + [name] if name != words and len(name.split()) >= 2 else forms  # "US Open" is no "Open"


def _answer_words(text: str) -> str:
    # hyphens and a possessive's 's part words ("nine-year", "Brazil's") before SQuAD's normalisation;
    # "&" is a word ("New Jersey & Oregon"), which the normalisation would drop as punctuation
    text = re.sub(r"['’]s\b", "", text.replace("-", " ").replace("&", " and "))
    return " ".join(NUMBER_WORDS.get(word, word) for word in normalise_answer(text).split())


# ---- abstention -----------------------------------------------------------------------------

def abstention_scores(abstained: Sequence[bool], answerable: Sequence[bool]) -> dict:
    """Abstaining is the positive prediction, "unanswerable" the positive truth."""
    pairs = list(zip(abstained, answerable))
    true_pos = sum(a and not ok for a, ok in pairs)
    false_pos = sum(a and ok for a, ok in pairs)
    false_neg = sum(not a and not ok for a, ok in pairs)
    answerable_count = sum(ok for _, ok in pairs)
    precision = true_pos / (true_pos + false_pos) if true_pos + false_pos else None
    recall = true_pos / (true_pos + false_neg) if true_pos + false_neg else None
    f1 = 2 * precision * recall / (precision + recall) if precision and recall else (0.0 if precision is not None and recall is not None else None)
    return {
        "precision": precision, "recall": recall, "f1": f1,
        "false_abstain_rate": false_pos / answerable_count if answerable_count else None,
    }


# ---- citations (ALCE) -------------------------------------------------------------------------

def alce_citation_scores(statements: list[tuple[str, list[int]]], passages: dict[int, str], supports: Judge) -> dict:
    """Citation recall and precision of one answer. `statements` are (text, cited numbers);
    `passages` maps a citation number to its passage text; unknown numbers count as unsupported."""
    if not statements:
        return {"recall": None, "precision": None, "statements": 0, "citations": 0}
    supported, precise, citations = 0, 0, 0
    for text, cited in statements:
        cited = list(dict.fromkeys(cited))
        citations += len(cited)
        if not cited or any(n not in passages for n in cited):
            continue
        joint = supports(text, [passages[n] for n in cited])
        supported += joint
        if not joint:
            continue
        if len(cited) == 1:
            precise += 1
            continue
        for n in cited:
            alone = supports(text, [passages[n]])
            others = [passages[m] for m in cited if m != n]
            precise += alone or not supports(text, others)
    return {
        "recall": supported / len(statements),
        "precision": precise / citations if citations else 0.0,
        "statements": len(statements), "citations": citations,
    }


def faithfulness(statements: list[str], context: list[str], supports: Judge) -> float | None:
    """Share of the answer's statements that the retrieved context, taken together, supports."""
    if not statements:
        return None
    return sum(supports(text, context) for text in statements) / len(statements)


def sentence_citation_scores(quotes: list[str], gold_sentences: list[str]) -> dict:
    """Gold-sentence citation correctness: a cited quote is right when it overlaps a gold sentence
    (one holds the other); recall is the share of gold sentences some quote covers."""
    def overlaps(quote: str, gold: str) -> bool:
        a, b = normalise_answer(quote), normalise_answer(gold)
        return bool(a and b) and (a in b or b in a)

    if not gold_sentences:
        return {"precision": None, "recall": None}
    precision = sum(any(overlaps(q, g) for g in gold_sentences) for q in quotes) / len(quotes) if quotes else 0.0
    recall = sum(any(overlaps(q, g) for q in quotes) for g in gold_sentences) / len(gold_sentences)
    return {"precision": precision, "recall": recall}


# ---- intervals and aggregation ----------------------------------------------------------------

def wilson(successes: float, total: int, z: float = 1.96) -> tuple[float, float] | None:
    if not total:
        return None
    p = successes / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return max(0.0, centre - half), min(1.0, centre + half)


def bootstrap(values: Sequence[float], resamples: int = 1000, seed: int = 0) -> tuple[float, float] | None:
    if len(values) < 2:
        return None
    data = np.asarray(values, dtype=float)
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, len(data), size=(resamples, len(data)))].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def mean_with_interval(values: Sequence[float | None], binary: bool = False) -> dict | None:
    """{"mean", "low", "high", "n"} over the values that exist (None is 'does not apply')."""
    present = [float(v) for v in values if v is not None]
    if not present:
        return None
    mean = sum(present) / len(present)
    interval = wilson(sum(present), len(present)) if binary else bootstrap(present)
    low, high = interval if interval else (mean, mean)
    return {"mean": round(mean, 4), "low": round(low, 4), "high": round(high, 4), "n": len(present)}


def percentile(values: Sequence[float], q: float) -> float | None:
    present = [v for v in values if v is not None]
    return round(float(np.percentile(present, q)), 1) if present else None
