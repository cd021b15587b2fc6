"""The answer with no LLM: the passage sentences that best answer the question, each cited.

A sentence's score mixes its embedding similarity to the question (meaning) with the IDF-weighted
share of the question's content terms it contains (names, numbers, rare words that MiniLM blurs);
the IDF is taken over the candidate sentences, so a term that every sentence repeats (the
corpus's main subject) counts for little and the term that singles out the answer counts most. Extractive
answers are verbatim, so every sentence is supported by construction and its quote is itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from index import embedder
from index.sentences import sentence_spans

from .text import terms, words
from .types import Passage

SEMANTIC_WEIGHT = 0.6
MIN_WORDS = 4  # drops bylines and headings like "Sputnik" or "Discuss"
FOLLOW_UP_RATIO = 0.9  # a second sentence must score this close to the best one


@dataclass
class Evidence:
    passage: Passage
    start: int  # offsets in the document
    end: int
    text: str
    score: float = 0.0
    similarity: float = 0.0  # cosine of question and sentence
    matched: frozenset = frozenset()  # the question's more specific terms that the sentence contains


def candidate_sentences(passages: list[Passage]) -> list[Evidence]:
    seen: set[str] = set()
    found = []
    for passage in passages:
        for start, end in sentence_spans(passage.text, offset=passage.start):
            text = passage.text[start - passage.start : end - passage.start]
            # overlapping chunks, and copies of one file in two folders, repeat sentences: keep the first
            # (best-ranked) copy, or the prompt's few slots fill with the same sentence twice
            key = " ".join(text.split()).lower()
            if len(words(text)) < MIN_WORDS or key in seen:
                continue
            seen.add(key)
            found.append(Evidence(passage, start, end, text))
    return found


def rank_sentences(question: str, passages: list[Passage]) -> list[Evidence]:
    """Every sentence of the passages, scored against the question, best first."""
    candidates = candidate_sentences(passages)
    if not candidates:
        return []
    query = embedder.embed_one(question)
    similarity = embedder.embed([c.text for c in candidates]) @ query
    question_terms = terms(question)
    sentence_terms = [terms(c.text) for c in candidates]
    weights = idf_weights(question_terms, sentence_terms)
    total = sum(weights.values()) or 1.0
    mean_weight = total / max(len(weights), 1)
    for candidate, sim, found in zip(candidates, similarity, sentence_terms):
        lexical = sum(weights[t] for t in question_terms & found) / total
        candidate.similarity = float(sim)
        candidate.matched = frozenset(t for t in question_terms & found if weights[t] >= mean_weight)
        candidate.score = SEMANTIC_WEIGHT * candidate.similarity + (1 - SEMANTIC_WEIGHT) * lexical
    return sorted(candidates, key=lambda c: -c.score)


def best_sentences(ranked: list[Evidence], max_sentences: int = 2) -> list[Evidence]:
    """From `rank_sentences`' output, the answer: the top sentence and close runners-up that add evidence."""
    if not ranked:
        return []
    chosen = [ranked[0]]
    covered = set(ranked[0].matched)
    for candidate in ranked[1:]:
        if len(chosen) == max_sentences or candidate.score < FOLLOW_UP_RATIO * ranked[0].score:
            break
        if candidate.matched - covered:  # a second sentence must add evidence, not repeat the topic
            chosen.append(candidate)
            covered |= candidate.matched
    return chosen


def idf_weights(question_terms: set[str], sentence_terms: list[set[str]]) -> dict[str, float]:
    n = len(sentence_terms)
    return {t: math.log(1 + (n + 1) / (1 + sum(t in found for found in sentence_terms))) for t in question_terms}


def is_relevant(passages: list[Passage], evidence: list[Evidence], min_similarity: float) -> bool:
    """Whether anything retrieved is about the question: a long passage can dilute its match, so
    its best sentence counts too."""
    best = max([p.similarity for p in passages] + [e.similarity for e in evidence], default=-1.0)
    return best >= min_similarity
