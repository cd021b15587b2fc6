"""The answer with no LLM: the passage sentences that best answer the question, each cited.

A sentence's score mixes its embedding similarity to the question (meaning) with the IDF-weighted
share of the question's content terms it contains (names, numbers, rare words that MiniLM blurs);
the IDF is taken over the candidate sentences, so a term that every sentence repeats (the
corpus's main subject) counts for little and the term that singles out the answer counts most.
For the 20 best sentences, the similarity is the mean of the sentence's own and that of the sentence read
after its predecessor: news sentences leave their subject to the one before ("The company has
ardently denied the claims."). The pair is read as the normalised sum of the two sentences' vectors,
not embedded as one text: without the LLM (is a gold answer in the sentences the prompt gets?) the two
readings select equally (seeds 23/25, realtimeqa-news-400 61/100, squad2-500 230/242 either way), and
the sum needs no model call, because every indexed sentence's vector is stored at ingest
(index/sentence_vectors.py); embedding the pairs cost ~0.3 s of each news question's time to first
token. A sentence that holds the kind of thing the question asks for (a number for "how many", see
answer_type.py) gets a bonus. The two together let the prompt drop weaker sentences
(generate.MIN_SCORE_RATIO 0.6 -> 0.7) and still hold the gold as often or more, with 25 %, 7 % and
28 % fewer characters on those three sets.
Among dated documents (a news corpus's published_at), sentences from the newest ones retrieved get a
bonus: a story told over weeks or years moves on, and a question about it wants the latest telling
(for "Which Ivy League school announced it will eliminate student loans …?" the passages came from
2015, 2019 and 2022; only the newest names Dartmouth). It tilts, never filters: without an LLM, realtimeqa-news-400's gold answer is in the best sentence for 58 questions
instead of 54, and in the prompt's sentences for 74 instead of 71; undated corpora are unchanged.
Given the date the question is asked on (`as_of`, dates.py), "newest" is that date instead.
Extractive answers are verbatim, so every sentence is supported by construction and its quote is itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from index import embedder
from index.sentences import sentence_spans

from . import answer_type, dates
from .text import terms, words
from .types import Passage

SEMANTIC_WEIGHT = 0.6
MIN_WORDS = 4  # drops bylines and headings like "Sputnik" or "Discuss"
FOLLOW_UP_RATIO = 0.9  # a second sentence must score this close to the best one
ANSWER_TYPE_BONUS = 0.1  # added to the score of a sentence holding what the question asks for
WINDOWED = 20  # this many of the best sentences are also read after their predecessor
RELEVANCE_SENTENCES = 3  # the best-ranked sentences whose similarity to the question shows relevance
MIN_LEXICAL_SHARE = 0.5  # ... or whose share of the question's content terms does
RECENT_BONUS = 0.2  # its sentences' scores are raised by this share
FOLLOWING_LINES = 6  # lines of a block a sentence ending in a colon is shown with, at most


@dataclass
class Evidence:
    passage: Passage
    start: int  # offsets in the document
    end: int
    text: str
    score: float = 0.0
    similarity: float = 0.0  # cosine of question and sentence
    lexical: float = 0.0  # IDF-weighted share of the question's content terms the sentence contains
    matched: frozenset = frozenset()  # the question's more specific terms that the sentence contains
    before: tuple[int, int] | None = None  # the passage's sentence before this one (document offsets), if any

    @property
    def previous(self) -> str:
        """The sentence before this one in its passage: "" for the first (or for evidence made by hand)."""
        if self.before is None:
            return ""
        return self.passage.text[self.before[0] - self.passage.start : self.before[1] - self.passage.start]


def candidate_sentences(passages: list[Passage]) -> list[Evidence]:
    seen: set[str] = set()
    found = []
    for passage in passages:
        spans = sentence_spans(passage.text, offset=passage.start)
        for (start, end), before in zip(spans, [None] + spans[:-1]):
            text = passage.text[start - passage.start : end - passage.start]
            # overlapping chunks, and copies of one file in two folders, repeat sentences: keep the first
            # (best-ranked) copy, or the prompt's few slots fill with the same sentence twice
            key = " ".join(text.split()).lower()
            if len(words(text)) < MIN_WORDS or key in seen:
                continue
            seen.add(key)
            found.append(Evidence(passage, start, end, text, before=before))
    return found


def rank_sentences(question: str, passages: list[Passage], as_of: date | None = None) -> list[Evidence]:
    """Every sentence of the passages, scored against the question, best first; recency is counted
    back from `as_of`, the date the question is asked on, when given (dates.py)."""
    candidates = candidate_sentences(passages)
    if not candidates:
        return []
    query = embedder.embed_one(question)
    vectors = embedder.embed_cached([c.text for c in candidates])
    similarity = vectors @ query
    kind = answer_type.expected(question)
    if kind == answer_type.PLACE:
        kind = None  # nearly every sentence names some place or thing: a bonus for all would favour none
    question_terms = terms(question)
    sentence_terms = [terms(c.text) for c in candidates]
    weights = idf_weights(question_terms, sentence_terms)
    total = sum(weights.values()) or 1.0
    mean_weight = total / max(len(weights), 1)
    for candidate, sim, found in zip(candidates, similarity, sentence_terms):
        lexical = sum(weights[t] for t in question_terms & found) / total
        candidate.similarity, candidate.lexical = float(sim), lexical
        candidate.matched = frozenset(t for t in question_terms & found if weights[t] >= mean_weight)
        candidate.score = SEMANTIC_WEIGHT * candidate.similarity + (1 - SEMANTIC_WEIGHT) * lexical
        if kind and answer_type.holds(candidate.text, kind, question):
            candidate.score += ANSWER_TYPE_BONUS
    # only the best can reach the prompt, so only theirs are read after their predecessor
    best = sorted(range(len(candidates)), key=lambda i: -candidates[i].score)[:WINDOWED]
    windows = vectors[best] + embedder.embed_cached([candidates[i].previous or candidates[i].text for i in best])
    in_window = (windows / np.linalg.norm(windows, axis=1, keepdims=True)) @ query
    for candidate, sim in zip([candidates[i] for i in best], in_window):
        candidate.score += SEMANTIC_WEIGHT * (float(sim) - candidate.similarity) / 2  # meaning: the mean of the two
    _prefer_recent(candidates, as_of)
    return sorted(candidates, key=lambda c: -c.score)


def _prefer_recent(candidates: list[Evidence], as_of: date | None = None) -> None:
    """Raise the scores of sentences from documents published close to `as_of`, or, with no date
    given, to the newest document retrieved."""
    days = [dates.published(c.passage.published) for c in candidates]
    known = {d for d in days if d}
    if len(known) < 2:
        return
    newest = as_of or max(known)
    for candidate, published in zip(candidates, days):
        if published and 0 <= (newest - published).days <= dates.RECENT_DAYS:
            candidate.score *= 1 + RECENT_BONUS


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
    return [with_what_follows(evidence) for evidence in chosen]


def with_what_follows(evidence: Evidence) -> Evidence:
    """A sentence that ends in a colon ("Bug reports should be sent to:", "the order to perform the
    checks is:") announces the sentence after it, which holds what it says: the two go together."""
    if not evidence.text.rstrip().endswith(":"):
        return evidence
    passage = evidence.passage
    end = announced_end(passage, evidence.end)
    return replace(evidence, end=end, text=passage.text[evidence.start - passage.start : end - passage.start])


def announced_end(passage: Passage, end: int, following: list[tuple[int, int]] | None = None) -> int:
    """Where what a sentence ending in a colon at `end` announces ends: the sentence after it, and when
    that opens a block of lines (a code block, a list in a text file: lines with no blank line between
    them), the block's next lines, FOLLOWING_LINES in all at most ("To switch to the development head,
    use:" announces "brew uninstall pyenv" and "brew install pyenv --head"). `following`: the spans of
    the sentences after it, when the caller has split the passage already."""
    if following is None:
        following = sentence_spans(passage.text[end - passage.start :], offset=end)
    if not following:
        return end
    end = following[0][1]
    for start, next_end in following[1:FOLLOWING_LINES]:
        between = passage.text[end - passage.start : start - passage.start]
        if between.count("\n") != 1 or between.strip():  # the block ended, or the line goes on in prose
            break
        end = next_end
    return end


def idf_weights(question_terms: set[str], sentence_terms: list[set[str]]) -> dict[str, float]:
    n = len(sentence_terms)
    return {t: math.log(1 + (n + 1) / (1 + sum(t in found for found in sentence_terms))) for t in question_terms}


def is_relevant(passages: list[Passage], ranked: list[Evidence], min_similarity: float) -> bool:
    """Whether anything retrieved is about the question, by meaning or by the question's own words.

    A long passage dilutes its match, and so does a long sentence: "“After the United States included
    us in the Entity List, …” Ren said in a recent speech to Chinese universities, his comments cited
    by Shanghai Jiao Tong University on Sunday" answers "Who did Ren give his recent speech to?" and
    "Who published Ren's comments on Sunday?" at cosines of 0.23 and 0.20, under the bar, while
    holding most of what the questions say. So the best-ranked sentences count by meaning, and also
    by the share of the question's content terms they hold (IDF-weighted). Off-corpus questions
    ("Who won the 2018 FIFA World Cup?") hold at most 0.17 of theirs in the seed article.
    """
    best = max([p.similarity for p in passages] + [e.similarity for e in ranked[:RELEVANCE_SENTENCES]], default=-1.0)
    return best >= min_similarity or any(e.lexical >= MIN_LEXICAL_SHARE for e in ranked[:RELEVANCE_SENTENCES])
