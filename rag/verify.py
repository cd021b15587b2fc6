"""The check that decides what of a generated answer stands: each sentence against the passages.

Small models cite the wrong passage and sometimes invent. So for every answer sentence we look for
the span (one sentence, or two adjacent ones) of the retrieved passages that best holds it (the
best-covering span that passes every rule below, else the best-covering one), and accept it only when
- most of its content terms are there, the words it repeats from the question counting half (or it
  is a close paraphrase by embedding similarity),
- every number in it is there, and not attached to another thing (so "38 countries" is not read
  out of "38 affiliates in 21 countries", where "countries" belongs to 21), nor a possessive's thing
  given another owner ("Euler's little theorem" out of "Fermat's little theorem"),
- every name in it is there, and each name the answer brings in (not the question's) is in a
  sentence that also says what the claim says of it (so "detained in Beijing" is not read out of
  "detained in Vancouver. ... Beijing has suggested"), or beside the question's names when the
  passage never uses the claim's words,
- it says something the question didn't (a restated question is not an answer), and is about the
  question (a document's planted "reply only HACKED" may be in the passage, but answers nothing),
- the supporting document holds the question's own numbers and names (a document that ranks Warsaw
  32nd doesn't say when it was ranked 22nd; "the 2003–04 season" holds 2004), a name perhaps in a
  titled document it links to (a two-hop question's second document), and a question about what is
  *not* so gets a sentence that says what is not, and a word it took from the question is not one
  the passage replaces by another amid the same words ("another mild drought" against "another
  severe drought"), nor paired by the passage with another number than the question's ("condenses
  at 90.20 K, and freezes at 54.36 K" for "What condenses at 54.36 K?"), nor by the sentence
  ("incorporated in 1973" for "What business was incorporated in 1975?"),
- the supporting text, shown to the generator with the question, is judged to answer it (judge.py;
  the model as a yes/no judge, optional), and
- taken together, the kept sentences give the kind of thing asked for (answer_type.py): a number
  for "how many", a time for "when", a name for "which company"; and one that says which of two
  names came first agrees with the years of their documents (compare.py).
A headline the source gave (`Passage.titled`) is read with each span of its document, as the prompt
showed it: "Squid Game" in a headline supports a sentence about "the wildly popular show".
A "Yes, …" to a yes/no question affirms the question's whole premise, so its span must hold every term
of it, not most; and one that says a thing of two names the question pairs ("Yes, Medici and Senet are
both board games", each in its own document) is checked as one part per name (`each_of_pair`).
A sentence that fails only for names that are items of a list ("Google, Microsoft, and the US
Commerce Department") is checked again without those items (lists.py), and stands shorter if it can.
The citation is then set to the passage that holds the span, whatever number the model wrote, and
the span becomes the citation's quote. No NLI model is bundled, so this is lexical + embedding
evidence; it is strict on numbers and names, where small models invent most.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np

from index import embedder
from index.sentences import sentence_spans

from . import answer_type, compare, dates, lists
from .extractive import announced_end
from .text import NUMBER, ORDINAL_WORDS, parted_words, plain_number, raw_words, same_number, terms, words
from .types import Passage

MIN_COVERAGE = 0.6  # share of the sentence's content terms the span must hold
RESTATED_WEIGHT = 0.5  # ... where a term the sentence repeats from the question counts this much
RESTATES = "restates the question without answering it"
PARAPHRASE_COVERAGE = 0.4  # ... or this much, with embedding similarity at least:
PARAPHRASE_SIMILARITY = 0.75
OFF_QUESTION_SIMILARITY = 0.2  # a sentence sharing no term with the question must be at least this close to it
STALE = "it stands only on news published before {}, and the rest of the answer on that fortnight's"
NAME_MISSING = "the name {!r} is in no passage that supports it"
NAME_DETACHED = "the name {!r} is in the passage, but not with what the sentence says of it"
_THIN = " of its terms are in any passage"
NUMBER_ZONE = 6  # words after a number in a passage that may name what it counts

_MARKER = r"\[\d+(?:\s*,\s*\d+)*\]"
# a run of markers goes as one, with what joins them: "hearing aids [1], [2], and [3]." must not leave ",, and"
_CITATION = re.compile(rf"\s*{_MARKER}(?:\s*(?:,|;|and|&)?\s*(?:and\s*)?{_MARKER})*")
_ORDINAL = re.compile(r"^\d+(?:st|nd|rd|th)$")
_SHORT_RANGE = re.compile(r"(?<![\d.,])(1[5-9]|20)(\d\d)\s*[–—-]\s*(\d\d)(?![\d.,]?\d)")  # "2003–04"
# "Covid-19", "Blink-182": a capitalised word's number; not "pre-1875" (a premise to check), "F-35", "5-year"
_NAMED_NUMBER = re.compile(r"\b([A-Z][A-Za-z]+)-(\d+)\b")
_YES = re.compile(r"^\W*yes\b\W*", re.IGNORECASE)  # "Yes, …" to a yes/no question: the yes is no term to find
# "President Joe Biden": news calls him "Biden" after the first mention, which a retrieved passage may not hold
_FULL_NAME = re.compile(r"\b([A-Z][a-z]+)\s+([A-Z][a-z]+)\b(?!\s+[A-Z])")
_POSSESSIVE = re.compile(r"\b((?:[A-Z][\w-]*\s+)*[A-Z][\w-]*)['’]s\s+(\w+)")  # "Meng Wanzhou's lawyers"
_WEEKDAYS = set("monday tuesday wednesday thursday friday saturday sunday".split())
# not the "no" of "a no-hitter" or "the No. 1 seed", nor "without": "… were without power due to which
# hurricane?" names a state, and asks what is so
_NEGATION = re.compile(r"\b(?:not|never|nor|neither|none)\b|\bno\b(?!-|\.\s*\d)|n[’']t\b", re.IGNORECASE)
# a negation, an auxiliary or two, then the word it denies: "are not found", "should not be regarded"
_DENIED = re.compile(r"\b(?:not|never|no longer|cannot)\s+(?:(?:be|been|being|have|has|had|yet|always|ever|even|also)\s+){0,2}"
                     r"([A-Za-z][\w-]*)|n[’']t\s+(?:(?:be|been|have)\s+)?([A-Za-z][\w-]*)", re.IGNORECASE)
_ONLY = re.compile(r"\bonly\b", re.IGNORECASE)
# a sentence may say what is not so by its contrast: "developed for point particles rather than
# three-dimensional objects" answers "What didn't Newton's mechanics affect?"
_CONTRAST = re.compile(r"\b(?:rather than|instead of|other than|except|unlike)\b", re.IGNORECASE)
_NOT_DENIABLE = set("a an the to in on at of for by with as so all just more less much many very quite".split())


@dataclass
class Span:
    passage: Passage
    start: int  # offsets in the document
    end: int
    text: str
    sentences: int = 1

    @property
    def support(self) -> str:
        """What the check reads: the span under its document's given headline, if any."""
        return self.passage.context(self.text)

    def judged(self, question: str) -> str:
        """What the judge reads: the support, after the sentence before it when that names what the
        question names and the span doesn't.

        A quote often leaves its subject to the sentence before ("… to detain company CFO Meng
        Wanzhou" for "Who is Huawei's CFO?"), and the judge can't tell it answers. Not any sentence
        before: always adding it made the judge accept 10 more of 100 unanswerable squad2 questions
        (replayed, questions 1-200); added only for a name, seeds gain that question, squad2 one right
        answer, and one unanswerable more is answered. The sentence before may be in the paragraph
        before: news prints one sentence per paragraph ("Huawei has … ramped up investment in Russia"
        over "“After the United States included us in the Entity List, …”" for "What list did the
        United States include Huawei in?"); seeds +1, the other replayed sets unchanged.
        """
        support = self.support
        if self.sentences > 1:
            return support
        before = self.passage.text[: self.start - self.passage.start]
        offsets = sentence_spans(before)
        if not offsets:
            return support
        previous = before[offsets[-1][0] : offsets[-1][1]]
        held, named = terms(support), terms(previous)
        if any(terms(name) - held and terms(name) <= named for name in _NAME.findall(question.strip())):
            return self.passage.context(f"{previous} {self.text}")
        return support


@dataclass
class Judgement:
    text: str  # the sentence without its citation markers
    cited: list[int]  # what the model wrote
    supported: bool
    span: Span | None = None
    coverage: float = 0.0
    similarity: float = 0.0
    reasons: list[str] = field(default_factory=list)
    also: list[Span] = field(default_factory=list)  # the spans that hold its other parts (`each_of_pair`)

    @property
    def spans(self) -> list[Span]:
        """Every span the sentence stands on, hence cites: its own and its other parts'."""
        return [self.span, *self.also] if self.span else []


def split_answer(answer: str) -> list[tuple[str, list[int]]]:
    """Sentences of a generated answer with the citation numbers each carries; markers removed."""
    sentences = []
    for start, end in sentence_spans(answer):
        raw = answer[start:end]
        cited = [int(n) for run in _CITATION.findall(raw) for n in re.findall(r"\d+", run)]
        text = _CITATION.sub("", raw).strip()
        if sentences and not words(text):  # a lone "[2]." that the splitter cut off
            sentences[-1][1].extend(cited)
            continue
        if text:
            sentences.append((text, cited))
    return sentences


def candidate_spans(passages: list[Passage]) -> list[Span]:
    """Every sentence, and every pair of adjacent sentences within a paragraph, of the passages; and a
    sentence ending in a colon with what it announces, as the model was shown it (`with_what_follows`)."""
    spans = []
    seen = set()
    for passage in passages:
        offsets = sentence_spans(passage.text, offset=passage.start)
        for i, (start, end) in enumerate(offsets):
            # (end, sentences, whether it may cross a line break): the sentence, the pair, the announced block
            ends = [(last, count, False) for count, (_, last) in enumerate(offsets[i : i + 2], 1)]
            if passage.text[end - passage.start - 1] == ":" and (block := announced_end(passage, end, offsets[i + 1 :])) > end:
                ends.append((block, sum(1 for _, last in offsets[i:] if last <= block), True))
            for last, count, across_lines in ends:
                text = passage.text[start - passage.start : last - passage.start]
                key = (passage.doc_id, start, last)
                if key not in seen and (across_lines or not (count == 2 and "\n" in text)):
                    seen.add(key)
                    spans.append(Span(passage, start, last, text, count))
    return spans


def span_vectors(spans: list[Span]) -> np.ndarray:
    """Each span's vector: a sentence's own (stored at ingest), a pair's the normalised sum of its two.

    Embedding the pairs' text cost ~0.3 s of every news answer. Here the similarity only breaks ties
    between spans that cover a sentence equally and admits close paraphrases, and the sum reads a pair
    as extractive.py reads a sentence after its predecessor.
    """
    singles = [span for span in spans if span.sentences == 1]
    vectors = embedder.embed_cached([span.text for span in singles])
    by_start, by_end = {}, {}
    for span, vector in zip(singles, vectors):
        by_start[(span.passage.doc_id, span.start)] = by_end[(span.passage.doc_id, span.end)] = vector
    result = []
    for span in spans:  # candidate_spans gives every sentence of a pair its own span too
        key = span.passage.doc_id
        if span.sentences == 1:
            result.append(by_start[(key, span.start)])
        else:
            pair = by_start[(key, span.start)] + by_end[(key, span.end)]
            result.append(pair / np.linalg.norm(pair))
    return np.stack(result) if result else np.zeros((0, vectors.shape[1]), dtype=np.float32)


def check(sentence: str, cited: list[int], question: str | None, spans: list[Span],
          vectors: np.ndarray | None = None) -> Judgement:
    """Judge one answer sentence against candidate spans (see the module docstring for the rules).

    With `question=None` only support is judged (what an eval judge wants), not answer-relevance.
    """
    judgement = Judgement(sentence, cited, False)
    affirms = question is not None and answer_type.asks_yes_no(question) and bool(_YES.match(sentence))
    claim = _YES.sub("", sentence, count=1) if affirms else sentence
    claim_terms = terms(claim)
    if not claim_terms or not spans:
        judgement.reasons.append("no content to check" if spans else "no passages")
        return judgement
    question_terms = terms(question or "")
    if question is not None and not affirms and not claim_terms - question_terms:
        judgement.reasons.append(RESTATES)
        return judgement
    claim_vector = embedder.embed_one(sentence)
    if question is not None and not claim_terms & question_terms and \
            float(claim_vector @ embedder.embed_one(question)) < OFF_QUESTION_SIMILARITY:
        # e.g. an instruction planted in a document, obeyed: it is in the passage, but answers nothing
        judgement.reasons.append("is not about the question")
        return judgement
    span_terms = [terms(span.support) for span in spans]
    coverage = _coverage(claim_terms, question_terms, span_terms)
    if vectors is None:
        vectors = span_vectors(spans)
    similarity = vectors @ claim_vector
    # the best-covering span; a pair of sentences only when it covers more than any single one
    sizes = np.array([span.sentences for span in spans])
    order = np.lexsort((-similarity, sizes, -np.round(coverage, 3)))
    # the best-covering span that holds the sentence whole; failing that, the best-covering one, with what it lacks
    covers = _covers_whole if affirms else _covers
    problems, best = {}, order[0]
    for i in (i for i in order if covers(coverage[i], similarity[i])):
        problems[i] = _span_problems(claim, question, question_terms, spans[i], spans)
        if not problems[i]:
            best = i
            break
    reasons = problems[best] if best in problems else _span_problems(claim, question, question_terms, spans[best], spans)
    judgement.span, judgement.coverage, judgement.similarity = spans[best], float(coverage[best]), float(similarity[best])
    if not covers(coverage[best], similarity[best]):
        judgement.reasons.append(f"only {coverage[best]:.0%}{_THIN}")
    judgement.reasons += reasons
    judgement.supported = not judgement.reasons
    return judgement


def without_listed_names(judgement: Judgement, question: str | None, spans: list[Span],
                         vectors: np.ndarray | None = None) -> Judgement:
    """A sentence failed only for names in a list: the same sentence with those items cut, if that
    stands on its own (lists.py); otherwise the judgement as it was."""
    names = [_reason_name(reason) for reason in judgement.reasons]
    # the padding also thins the sentence's coverage ("… and the US Commerce Department complained"): the
    # shorter sentence's coverage is judged afresh
    others = [reason for reason, name in zip(judgement.reasons, names) if name is None and not reason.endswith(_THIN)]
    names = [name for name in names if name]
    if judgement.supported or not names or others:
        return judgement
    shorter = lists.drop_names(judgement.text, names)
    if shorter is None:
        return judgement
    again = check(shorter, judgement.cited, question, spans, vectors)
    return again if again.supported else judgement


def each_of_pair(judgement: Judgement, question: str | None, spans: list[Span],
                 vectors: np.ndarray | None = None) -> Judgement:
    """A sentence that failed, saying one thing of two names the question pairs ("Yes, Medici and Senet
    are both board games"), stands when what it says of each stands on its own, checked against the
    question about that name alone (lists.each_of_pair); it then cites the span of each."""
    parts = None if judgement.supported or question is None else lists.each_of_pair(judgement.text, question)
    if parts is None:
        return judgement
    judged = [check(part, judgement.cited, asked, spans, vectors) for part, asked in parts]
    if not all(j.supported for j in judged):
        return judgement
    held = list({(j.span.passage.id, j.span.start, j.span.end): j.span for j in judged}.values())
    return Judgement(judgement.text, judgement.cited, True, held[0], min(j.coverage for j in judged),
                     min(j.similarity for j in judged), also=held[1:])


def across_link(judgement: Judgement, question: str | None, spans: list[Span], tries: int = 3) -> Judgement:
    """A sentence that failed, joining what two linked documents say ("… the man that resigned as the
    president of Israel before the Israeli presidential election, 2000, was born in 1924": the
    election's article names Ezer Weizman, whose article gives 1924), stands when a span of a document
    the question names by its title and a sentence of a document that one names hold it together,
    checked as one passage; it then cites both. Both links are asked for: "… produced by Trent
    Reznor" and "Don Murphy (born April 1967) … produced Natural Born Killers", which names the first
    but is not named by it, would make Reznor born in 1967. Only the best-covering few of each are
    tried: a sentence can't be assembled from words scattered over the retrieved text."""
    if judgement.supported or question is None or not any(_names_title(question, s.passage) for s in spans):
        return judgement
    claim_terms = terms(judgement.text)
    coverage = _coverage(claim_terms, terms(question), [terms(span.support) for span in spans])
    ranked = [spans[i] for i in np.argsort(-coverage, kind="stable")]
    firsts = [span for span in ranked if _names_title(question, span.passage)]
    for first in firsts[:tries]:
        lacking = claim_terms - terms(first.support)
        seconds = [span for span in ranked if span.sentences == 1 and terms(span.text) & lacking
                   and span.passage.doc_id != first.passage.doc_id and _names_title(first.passage.text, span.passage)]
        for second in seconds[:tries]:
            joined = f"{first.text} {second.passage.context(second.text)}"
            passage = replace(first.passage, text=joined, start=first.start, end=first.start + len(joined))
            again = check(judgement.text, judgement.cited, question, [Span(passage, first.start, passage.end, joined, 2)],
                          embedder.embed([joined]))
            if again.supported:
                return Judgement(judgement.text, judgement.cited, True, first, again.coverage, again.similarity,
                                 also=[second])
    return judgement


def _names_title(text: str, passage: Passage) -> bool:
    """Whether the text names the passage's document by its given title, as whole words."""
    title = _bare_title(passage.headline) if passage.headline else ""
    return bool(title) and re.search(rf"(?<!\w){re.escape(title)}(?!\w)", text, re.IGNORECASE) is not None


def _reason_name(reason: str) -> str | None:
    for form in (NAME_MISSING, NAME_DETACHED):
        head, tail = form.split("{!r}")
        if reason.startswith(head) and reason.endswith(tail):
            return reason[len(head) + 1 : len(reason) - len(tail) - 1]
    return None


def _covers(coverage: float, similarity: float) -> bool:
    return coverage >= MIN_COVERAGE or (coverage >= PARAPHRASE_COVERAGE and similarity >= PARAPHRASE_SIMILARITY)


def _covers_whole(coverage: float, similarity: float) -> bool:
    """A yes affirms the question's whole premise: a span that holds most of it may lack what decides it
    ("Are King Vidor and Géza von Cziffra both American directors?": Cziffra is a director, Austro-Hungarian)."""
    return coverage >= 1 - 1e-9


def _span_problems(sentence: str, question: str | None, question_terms: set[str], span: Span, spans: list[Span]) -> list[str]:
    """What the span lacks to hold the sentence: its numbers and names, and the question's premise.

    `check` asks this of each well-covering span in turn, not of the best-covering one alone, which
    may lack the sentence's number ("… pays $310,605" best covered by a sentence about the older
    "$233,610") or sit in a document without the question's premise while another span holds the
    sentence whole. Replayed: realtimeqa-news-400 +1 right and cited, +2 golds in an answer, 2 more
    answers right in other words and 1 wrong ("The Tesla Cybertruck was introduced at an event");
    seeds and squad2 unchanged.
    """
    support = span.support
    reasons = _numbers_missing(sentence, support, question or "") + _names_missing(sentence, question_terms, support)
    reasons += _names_detached(sentence, span.text, question_terms, span.passage.headline) + _owner_swapped(sentence, support)
    if question is not None:
        reasons += _question_terms_absent(question, span, spans) + _negation_mismatched(question, sentence)
        reasons += _question_word_swapped(sentence, question, support) + _number_given_another_word(sentence, question, support)
        reasons += _premise_number_changed(sentence, question)
    return reasons


def _coverage(claim_terms: set[str], question_terms: set[str], span_terms: list[set[str]]) -> np.ndarray:
    """Share of the claim's terms each span holds; words the claim repeats from the question count half.

    "The first two destinations of Huguenot emigres were Switzerland and the Netherlands" restates
    the question's words around the answer; the passage has the answer, not "destinations" or
    "emigres". The question's premise is checked by its own rules (its names and numbers, swapped
    words, the judge), so here its words weigh less than what the sentence adds. Replayed on squad2
    (questions 1-200 and 331-500): 3 more right answers, 1 more wrong, unanswerables abstained unchanged.
    """
    added, restated = claim_terms - question_terms, claim_terms & question_terms
    weight = len(added) + RESTATED_WEIGHT * len(restated)
    # a span holding none of what the sentence adds holds only the question: "The default level of the
    # clippy::pedantic lints is medium" is not "each category has a default lint level", however close
    return np.array([(len(added & found) + RESTATED_WEIGHT * len(restated & found)) / weight
                     if found & added or not added else 0.0 for found in span_terms])


def require_answer_type(judgements: list[Judgement], question: str) -> None:
    """Unless a supported sentence gives what the question asks for (a number, a time, a name), none stands;
    nor does one that only says there is such a thing (answer_type.leaves_unnamed)."""
    kind = answer_type.expected(question)
    supported = [j for j in judgements if j.supported]
    if supported and not any(answer_type.holds(j.text, kind, question) for j in supported):
        withdraw(supported, kind_missing(kind))
    for judgement in (j for j in judgements if j.supported):
        thing = answer_type.leaves_unnamed(judgement.text, question)
        if thing:
            withdraw([judgement], f"the question asks which {thing}, and the sentence only says there is one")


def require_true_order(judgements: list[Judgement], question: str, spans: list[Span]) -> None:
    """A supported sentence that says which of the question's two names came first stands only when the
    years of their documents agree (compare.py)."""
    if answer_type.expected(question) != answer_type.COMPARISON:
        return
    retrieved: dict[str, dict[str, str]] = {}  # title -> passage id -> text, best-ranked first
    for span in spans:
        retrieved.setdefault(span.passage.title, {})[span.passage.id] = span.passage.text
    documents = {title: " ".join(texts.values()) for title, texts in retrieved.items()}
    for judgement in (j for j in judgements if j.supported):
        reason = compare.misordered(judgement.text, question, judgement.span.text, documents)
        if reason:
            withdraw([judgement], reason)


def drop_stale(judgements: list[Judgement], as_of: date | None) -> None:
    """For a question asked on a known date, a sentence standing only on news older than that date's
    fortnight is dropped when another stands on the fortnight's own news. "Which virus is making WHO
    officials reconsider …?", answered from this week's monkeypox article, gained "Alex Azar declared a
    public health emergency on Jan. 31", true of Covid in 2020 and read as today's news."""
    if as_of is None:
        return
    start = dates.recent_start(as_of)
    dated = [(j, [dates.published(span.passage.published) for span in j.spans]) for j in judgements if j.supported]
    if not any(day and day >= start for _, days in dated for day in days):
        return
    for judgement, days in dated:
        if days and all(day and day < start for day in days):
            judgement.supported = False
            judgement.reasons.append(STALE.format(start.isoformat()))


def kind_missing(kind: str) -> str:
    """The reason `require_answer_type` gives; the assistant reads it back to choose its fallback."""
    return f"the question asks for {kind}, and no sentence gives one"


def withdraw(judgements: list[Judgement], reason: str) -> None:
    """Mark every given sentence unsupported, for a reason that holds of the answer as a whole."""
    for judgement in judgements:
        judgement.supported = False
        judgement.reasons.append(reason)


def _question_terms_absent(question: str, span: Span, spans: list[Span]) -> list[str]:
    """The question's numbers and names that its supporting document doesn't hold (of what was retrieved).

    "When was Warsaw ranked the 22nd most liveable city?" is not answered by a document that ranks it
    32nd, however well that sentence matches; a premise spread over a long news article is found in
    any retrieved passage of the same document, not only in the supporting one.
    """
    absent = [item for item in _premise_lacking(question, _document_text(span, spans))
              if _linked_holder(item, question, span, spans) is None]
    return [f"the question's {item!r} is in no retrieved passage of the supporting document" for item in absent]


def _premise_lacking(question: str, document: str) -> list[str]:
    """The question's numbers and names a document's text doesn't hold."""
    held_words, held_terms = {plain_number(w) for w in words(document)}, terms(document)
    held_words |= {ORDINAL_WORDS[w] for w in held_words if w in ORDINAL_WORDS}  # "3rd" is held by "third"
    held_words |= _years_ending_ranges(document)
    asked, named = words(question), _named_numbers(question)
    numbers = [w for k, w in enumerate(asked) if (NUMBER.match(w) or _ORDINAL.match(w))
               and not _name_number_held(asked, k, named, held_words)]
    return list(dict.fromkeys([n for n in numbers if plain_number(n) not in held_words] + _names_lacking(question, held_terms)))


def _years_ending_ranges(text: str) -> set[str]:
    """The last years of ranges written short: "the 2003–04 season" holds 2004, "1999–00" holds 2000.

    Seasons and fiscal years are written so, and a question restating one says "the 2003-2004 season".
    """
    years = set()
    for century, first, last in _SHORT_RANGE.findall(text):
        years.add(str(int(century) + (int(last) <= int(first))) + last)
    return years


def _document_text(span: Span, spans: list[Span]) -> str:
    """What was retrieved of the span's document, under its headline."""
    texts = {s.passage.id: s.passage.text for s in spans if s.passage.doc_id == span.passage.doc_id}.values()
    return span.passage.context(" ".join(texts))


def _names_lacking(question: str, held_terms: set[str]) -> list[str]:
    """The question's names that a text, given by its terms, doesn't hold (a typo apart, `_term_held`).

    Not a weekday: "The 74th Emmy Awards were presented on Monday" is told by an article that says
    "Monday night" or only "last night"; when it happened is the question's date's to say (dates.py).
    Nor a first name whose surname is held: "President Joe Biden" is "Biden" after an article's first
    mention, which a retrieved passage may not hold. (An adversarial question could swap a first name;
    replayed on squad2 1-200 and 331-450, no answer changed.)
    """
    names = dict.fromkeys(name for name in _NAME.findall(question.strip()) if terms(name) and name.lower() not in _WEEKDAYS)
    held = {name for name in names if all(_term_held(t, held_terms) for t in terms(name))}
    surnamed = {first for first, last in _FULL_NAME.findall(question) if last in held}
    return [name for name in names if name not in held and name not in surnamed]


def _linked_holder(name: str, question: str, span: Span, spans: list[Span]) -> Passage | None:
    """A retrieved document linked to the supporting one that holds the name (or number): a multi-hop
    question ("Who directed the film shot in Leland in 1986?") spreads its names over two documents,
    each naming the other, or both named by the question ("Are Nolan and Kalathil both directors?").
    Only documents whose source gave them a title, other than the supporting document's, can link.
    A title links without its disambiguation ("Mark King (musician)"); replayed on hotpotqa-100, 2
    right answers more ("Bonnie Tyler was born on 8 June 1951" for a question naming her 1979 album),
    1 wrong; squad2, seeds and realtimeqa unchanged."""
    own = span.passage.headline
    for other in {s.passage.doc_id: s.passage for s in spans if s.passage.headline and s.passage.headline != own}.values():
        if not _holds(other.context(other.text), name):
            continue
        title = _bare_title(other.headline)
        if title in span.passage.text or (own and _bare_title(own) in other.text) or title in question:
            return other
    return None


def _holds(text: str, item: str) -> bool:
    """Whether a text holds one of the question's names or numbers (`_premise_lacking`)."""
    return terms(item) <= terms(text) or item in _years_ending_ranges(text)


def _bare_title(headline: str) -> str:
    """A title without its disambiguation: an article says "Mark King", not "Mark King (musician)"."""
    return re.sub(r"\s*\([^()]*\)$", "", headline) or headline


def linked_quotes(question: str, span: Span, spans: list[Span]) -> list[str]:
    """For the judge: the sentence of each linked document that holds a question's name the supporting
    document lacks (one that also names the supporting document, if any; its first sentence when only
    the title holds the name), under that document's title.

    The rule above lets a two-hop answer stand on one document and a name in another; the judge, shown
    the supporting sentence alone, can't see the hop ("Yoko Ono was the second wife of John Lennon"
    for "The writer of the song "Death of Samantha" was the second wife of what singer?").
    """
    quotes = []
    for name in _premise_lacking(question, _document_text(span, spans)):
        holder = _linked_holder(name, question, span, spans)
        if holder is None:
            continue
        sentences = [s for s in spans if s.passage.id == holder.id and s.sentences == 1]
        holding = [s for s in sentences if _holds(s.text, name)]
        hop = [s for s in holding if span.passage.headline and _bare_title(span.passage.headline) in s.text]
        chosen = hop or holding or sentences
        quotes += [chosen[0].support] if chosen else []
    return list(dict.fromkeys(quotes))


def _term_held(term: str, held: set[str]) -> bool:
    """The term, or one a typo away when it is long enough to be a misspelling, not another name.

    "When did Galor and Zeria ...?" asks about Zeira; "Wanzou" is Wanzhou. One edit (a letter added,
    dropped, changed or two swapped) in a word of five letters or more: "Iran" and "Iraq", or
    "Austria" and "Australia" (two edits), stay different. Stricter than `_same_word`, whose 0.8
    similarity, right for two forms of one word, joins Austria and Australia.
    """
    return term in held or (len(term) >= 5 and any(abs(len(term) - len(other)) <= 1 and _one_edit(term, other)
                                                   for other in held)) or any(_demonym(term, other) for other in held)


_DEMONYM_ENDINGS = ("n", "an", "ian", "ean", "ese", "i", "ish")


def _demonym(a: str, b: str) -> bool:
    """ "European" and "Europe", "Ukrainian" and "Ukraine" (as stemmed terms: "european", "europ"): a
    place and its people's adjective, which news writes one for the other."""
    short, long = sorted((a, b), key=len)
    return len(short) >= 4 and long.startswith(short) and long[len(short):] in _DEMONYM_ENDINGS


def _one_edit(a: str, b: str) -> bool:
    if len(a) > len(b):
        a, b = b, a
    i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), len(a))
    if len(a) < len(b):
        return a[i:] == b[i + 1 :]
    return a[i + 1 :] == b[i + 1 :] or (a[i + 2 :] == b[i + 2 :] and a[i : i + 2] == b[i : i + 2][::-1])


def _question_word_swapped(sentence: str, question: str, support: str) -> list[str]:
    """A word the sentence took from the question where the passage has another, in the same words around it.

    "Amazon experienced another *mild* drought" against "experienced another *severe* drought": the
    sentence covers the passage well, yet the question's premise is false. Two words before and one
    after must match, so a reworded sentence ("Consolidation caused ..." for "Consolidation gave ...")
    is not read as a misquote; for the sentence's first word, its subject, the two after it: "*Cilia*
    usually swim in the direction ..." against "Hence *ctenophores* usually swim in the direction ...".
    A subject is checked against the passage sentence alone (the next one mentions cilia), any other
    word against the whole support, where a reworded question ("adaptation" for "adoption", beside
    "adapted") often finds its word.
    """
    claim, asked, held_anywhere = words(sentence), terms(question), terms(support)
    # as written, "Fuller" is a name and "fuller" is "full"; a capital that only opens the sentence
    # ("Cilia usually swim …") is read as the question's word when that is how the question has it
    claim_terms = [_as_asked(word, asked) for word in raw_words(sentence)]
    problems = []
    for start, end in sentence_spans(support):
        source, held_here = words(support[start:end]), terms(support[start:end])
        written = raw_words(support[start:end])
        for i in range(len(claim) - 1):
            word, found = claim[i], claim_terms[i]
            if not found or found <= (held_here if i == 0 else held_anywhere) or not found <= asked:
                continue
            for j in range(len(source) - 1):
                other = source[j]
                if _same_around(claim, i, source, j) and terms(written[j]) and not _same_word(word, other) \
                        and not {word.lower(), other.lower()} <= _REPORTING:
                    problems.append(f"the passage says {other!r} where the sentence says {word!r}")
                    break
    return list(dict.fromkeys(problems))


def _number_given_another_word(sentence: str, question: str, support: str) -> list[str]:
    """A word and a number the sentence took from the question, where the passage gives that number
    another word, and the word another number.

    "What condenses at 54.36 K?" answered "Oxygen condenses at 54.36 K" from "Oxygen condenses at 90.20 K
    and freezes at 54.36 K": every word is in the passage, so the rule above (a replaced word is one the
    passage lacks) can't see it; the passage's own pairing of word and number can. Only the question's own
    number: "The team scored 5 goals" is right by "… scored 3 goals in 2009 and netted 5 in 2010".
    """
    asked, asked_numbers = terms(question), {plain_number(w) for w in words(question) if NUMBER.match(w)}
    taken = [(word, between, number) for word, between, number in _word_numbers(sentence)
             if number in asked_numbers and terms(word) <= asked]
    held = _word_numbers(support) if taken else []
    problems = []
    for word, between, number in taken:
        others = [w for w, b, n in held if b == between and same_number(n, number) and not _same_word(w, word)]
        its_own = [n for w, b, n in held if b == between and _same_word(w, word)]
        if others and its_own and not any(same_number(n, number) for n in its_own):
            problems.append(f"the passage says {others[0]!r} where the sentence says {word!r}")
    return list(dict.fromkeys(problems))


def _word_numbers(text: str) -> list[tuple[str, str, str]]:
    """(word, what joins, number) for each content word followed by a number, directly or over one word:
    ("incorporated", "in", "1975"), ("scored", "", "5"); not a number hyphened to its word, which names a
    thing ("oxygen-16" is no amount of oxygen)."""
    found = parted_words(text)
    tokens = [written.lower() for _, written in found]
    pairs = []
    for i, word in enumerate(tokens):
        if not terms(found[i][1]) or NUMBER.match(word):
            continue
        # the first number within two words: a second try is reached only when the next word is no number
        for gap in (1, 2):
            if i + gap < len(tokens) and NUMBER.match(tokens[i + gap]):
                if not (gap == 1 and found[i + 1][0] in ("-", "–")):
                    pairs.append((word, " ".join(tokens[i + 1 : i + gap]), plain_number(tokens[i + gap])))
                break
    return pairs


def _premise_number_changed(sentence: str, question: str) -> list[str]:
    """The sentence gives a word of the question another number than the question does, and never the
    question's: "What business was incorporated in 1975?" is not answered by "Telenet was incorporated in
    1973 and started operations in 1975", which says the question's premise is false."""
    asked = {(word, between): number for word, between, number in _word_numbers(question)}
    said = _word_numbers(sentence)
    changed = [f"the sentence says {_phrase(word, between, number)!r} where the question says "
               f"{_phrase(word, between, asked[word, between])!r}"
               for word, between, number in said if (word, between) in asked
               and not any((w, b) == (word, between) and same_number(n, asked[word, between]) for w, b, n in said)]
    return changed[:1]


def _phrase(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def _as_asked(word: str, asked: set[str]) -> set[str]:
    """The word's terms as written, or, when those are not the question's, as the lowercase word's."""
    found = terms(word)
    return found if found <= asked else terms(word.lower())


# verbs that only report what someone said: "Roy stated that …" quotes "Roy argues that …" faithfully
_REPORTING = {form for verb in ("say said says saying", "state stated states stating", "argue argued argues arguing",
                                "claim claimed claims claiming", "write wrote writes written writing",
                                "note noted notes noting", "assert asserted asserts asserting",
                                "contend contended contends contending", "remark remarked remarks remarking",
                                "declare declared declares declaring", "explain explained explains explaining",
                                "observe observed observes observing", "comment commented comments commenting")
              for form in verb.split()}


def _same_around(claim: list[str], i: int, source: list[str], j: int) -> bool:
    """Two words before and one after match; or, for a sentence's first word, the two after it."""
    if i >= 2 and j >= 2 and source[j - 2 : j] == claim[i - 2 : i] and source[j + 1] == claim[i + 1]:
        return True
    return i == 0 and len(claim) >= 3 and source[j + 1 : j + 3] == claim[1:3]


def _same_word(a: str, b: str) -> bool:
    """ "necessity" and "necessary", "Zeria" and "Zeira": one word in two forms or spellings (a number only as itself)."""
    if NUMBER.match(a) or NUMBER.match(b):
        return same_number(a, b)
    return len(os.path.commonprefix([a, b])) >= 5 or difflib.SequenceMatcher(None, a, b).ratio() >= 0.8


def _owner_swapped(sentence: str, support: str) -> list[str]:
    """A possessive whose thing the passage gives another owner: "Euler's little theorem" against
    "Fermat's little theorem", "Bohemond's son" against "Bohemond, Robert's son". An owner is the name
    before "'s", any word of it ("Meng Wanzhou's lawyers" is "Meng's lawyers"); "the son of Bohemond" holds it."""
    held = _possessives(support)
    problems = []
    for owner, thing, word in _possessives(sentence):
        others = [other for other, said, _ in held if said == thing]
        if others and not any(owner & other for other in others) and \
                not re.search(rf"\b{re.escape(word)}\s+of\s+(?:the\s+)?(?:{'|'.join(map(re.escape, owner))})\b", support, re.IGNORECASE):
            problems.append(f"the passage gives the {word!r} to another owner than the sentence does")
    return problems


def _possessives(text: str) -> list[tuple[set[str], str, str]]:
    """(the owner's words, the owned thing's term, its word) of each "Name's thing" in the text."""
    found = []
    for owner, word in _POSSESSIVE.findall(text):
        owned = terms(word)
        if owned:
            found.append(({w.lower() for w in owner.split()}, next(iter(owned)), word))
    return found


def _negation_mismatched(question: str, sentence: str) -> list[str]:
    """ "What does not depend on X?" is not answered by a sentence saying what does depend on X; nor
    "What do tumors express that are also found on normal cells?" by "… antigens that are not found on
    normal cells", which denies the question's own words. Replayed on every set: it fired on two
    answered squad2 unanswerables (one of them now abstains) and on no other sentence."""
    if _NEGATION.search(question):
        if _NEGATION.search(sentence) or _CONTRAST.search(sentence):
            return []
        return ["the question asks what is not so, and the sentence says what is"]
    if _ONLY.search(question) or answer_type.asks_yes_no(question):  # "could only propose" is "could not propose" other things
        return []
    asked = {word.lower() for word in words(question)}
    denied = [word for m in _DENIED.finditer(sentence) for word in [(m.group(1) or m.group(2)).lower()]
              if word in asked and word not in _NOT_DENIABLE]
    return [f"the sentence says {word!r} is not so, which the question says is" for word in denied[:1]]


def _named_numbers(text: str) -> set[tuple[str, str]]:
    """("covid", "19") for "Covid-19": a number that is part of a name, not a quantity."""
    return {(word.lower(), number) for word, number in _NAMED_NUMBER.findall(text)}


def _name_number_held(tokens: list[str], i: int, named: set[tuple[str, str]], held: set[str]) -> bool:
    """Whether tokens[i] is the number of a name (`_named_numbers`) whose word the text holds."""
    return i > 0 and (tokens[i - 1], tokens[i]) in named and tokens[i - 1] in held


def _numbers_missing(sentence: str, support: str, question: str = "") -> list[str]:
    """Numbers of the sentence the support lacks, or has about something else.

    The number of a name ("Covid-19") stands with its name: a headline's "declares victory against
    Covid" holds the sentence's "Covid-19", and a document saying only "Covid" holds the question's.
    A number the sentence repeats from the question is the premise, not the answer ("The two
    supermarkets that plan to merge in 2024 are Kroger and Albertsons"): like the question's names,
    it need only be in the supporting document, which `_question_terms_absent` checks.
    """
    claim, source = words(sentence), words(support)
    named, held = _named_numbers(sentence), set(source)
    asked_words, asked_named = words(question), _named_numbers(question)
    asked = {plain_number(w) for k, w in enumerate(asked_words)  # not a name's number: "Covid-19" asks no 19
             if NUMBER.match(w) and not _name_number_held(asked_words, k, asked_named, set(asked_words))}
    problems = []
    for i, token in enumerate(claim):
        if not NUMBER.match(token) or _name_number_held(claim, i, named, held) or plain_number(token) in asked:
            continue
        places = [j for j, other in enumerate(source) if same_number(token, other)]
        if not places:
            problems.append(f"the number {token} is in no passage that supports it")
            continue
        counted = _counted(claim, i)  # what the number counts: "38 [countries]"
        if counted and not any(counted in _counted_zone(source, j) for j in places) and any(
            counted == _counted(source, j) for j, other in enumerate(source) if NUMBER.match(other) and j not in places
        ):
            problems.append(f"the number {token} appears in the passage, but about something else")
    return problems


def _counted(tokens: list[str], i: int) -> str | None:
    """The first content term right after a number (within two words), if any."""
    for word in tokens[i + 1 : i + 3]:
        if NUMBER.match(word):
            return None
        found = terms(word)
        if found:
            return next(iter(found))
    return None


def _counted_zone(tokens: list[str], i: int) -> set[str]:
    """Content terms after a number, up to the next number (at most NUMBER_ZONE words)."""
    zone = []
    for word in tokens[i + 1 : i + 1 + NUMBER_ZONE]:
        if NUMBER.match(word):
            break
        zone.append(word)
    return terms(" ".join(zone))


_PRONOUN_START = re.compile(r"^\W*(it|its|he|his|she|her|they|their|this|these)\b", re.IGNORECASE)
# a capitalised word that is not a sentence's first, nor the tail of "d'Alene" or "Mar-a-Lago"
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)(?<![-'’\w])[A-Z][a-z]+(?:[-'’][A-Za-z]+)*\b")


def _names_missing(sentence: str, asked: set[str], support: str) -> list[str]:
    """Capitalised words inside the sentence (not its first word) that neither support nor question has."""
    known = terms(support) | asked
    missing = [name for name in _NAME.findall(sentence.strip()) if terms(name) and not terms(name) <= known]
    return [NAME_MISSING.format(name) for name in dict.fromkeys(missing)]


def _names_detached(sentence: str, support: str, asked: set[str] = frozenset(), headline: str = "") -> list[str]:
    """Names whose support sentence shares none of the claim's other content terms; `asked` is the question's.

    A `headline` is read with each sentence, as the prompt shows it: "Colorado Avalanche win first Stanley
    Cup title" over "The Avalanche finish the 2022 NHL playoffs ..." says the 2022 season of *Colorado's*
    Avalanche, though no sentence of the text names Colorado.

    The question's own names are left out: they are the topic, which a passage names once and then
    calls "the city" or "it" ("Consolidation gave Jacksonville its great size"), and
    `_question_terms_absent` already requires the supporting document to hold them. Measured on
    squad2 (the first 200 questions, and 331-500): 5 right answers kept, 2 more unanswerables answered.
    """
    names = [name for name in dict.fromkeys(_NAME.findall(sentence.strip()))
             if terms(name) and not terms(name) <= asked]
    name_terms = set().union(*(terms(name) for name in names)) if names else set()
    # the claim's own words, less every capitalised word (names, and a first word like "Meng")
    capitalised = set().union(*(terms(w) for w in re.findall(r"\b[A-Z][A-Za-z'-]*", sentence))) if sentence else set()
    predicate = terms(sentence) - name_terms - capitalised
    if not names or not predicate:
        return []
    texts = [support[a:b] for a, b in sentence_spans(support)]
    headline_terms = terms(headline)
    found_terms = [terms(text) | headline_terms for text in texts]
    if not predicate & set().union(*found_terms):
        # the passage never uses the claim's own words ("Where is Mar-a-Lago located?" against "Mar-a-Lago
        # in Palm Beach, Florida"): then the name must stand beside the question's names it is said of
        predicate = (capitalised & asked) - name_terms
        if not predicate:
            return []
    problems = []
    for name in names:
        # a sentence naming it, plus the next one when that one goes on about it by pronoun
        # ("The Lindqvist Bridge is ... . It opened in 1998")
        holders = [found | (found_terms[i + 1] if i + 1 < len(texts) and _PRONOUN_START.match(texts[i + 1]) else set())
                   for i, found in enumerate(found_terms) if terms(name) <= found]
        if holders and not any(found & predicate for found in holders):
            problems.append(NAME_DETACHED.format(name))
    return problems
