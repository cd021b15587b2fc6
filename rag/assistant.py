"""The one API that the CLI, the web chat, the HTTP API, the evals and user scripts share.

An answer is made in stages, each timed: refuse off-task requests; condense a follow-up into a
standalone question; retrieve; abstain when nothing retrieved is about the question; otherwise
generate from the best sentences (or extract them, with no LLM); then check every generated
sentence against the passages and keep only what they support, with corrected citations.
"""

from __future__ import annotations

import time
import unicodedata
from datetime import date
from pathlib import Path
from typing import Iterator

from index import ChunkStore, IngestReport, embedder, ingest, remove
from index.sentences import sentence_spans

from . import answer_type, dates, extractive, generate, judge, verify
from .llm import load_llm, local_available
from .retrieval import HybridRetriever
from .settings import Settings
from .types import ABSTAIN_TEXT, Answer, Citation, Passage, Sentence

BACKENDS = ("local", "openai", "extractive")


class QuestionError(ValueError):
    """The question can't be asked as given (empty, too long); the message says why."""


class Assistant:
    """Ask questions about one collection of documents.

    >>> assistant = Assistant(home=".rag")
    >>> assistant.ask("Who is Huawei's CEO?").answer
    """

    def __init__(self, home: str | Path | None = None, collection: str = "default",
                 chroma_url: str | None = None, settings: Settings | None = None):
        base = settings or Settings()
        overrides = {"collection": collection}
        if home is not None:
            overrides["home"] = Path(home)
        if chroma_url is not None:
            overrides["chroma_url"] = chroma_url
        self.settings = base.model_copy(update=overrides)
        self._retriever: HybridRetriever | None = None

    @property
    def retriever(self) -> HybridRetriever:
        if self._retriever is None:  # connecting is deferred so a bad URL fails on use, with a clear error
            chunks = ChunkStore(self.settings.home, self.settings.collection, self.settings.chroma_url)
            self._retriever = HybridRetriever(chunks, self.settings)
        return self._retriever

    @property
    def backend(self) -> str:
        """The answer backend in use when `ask` is given none."""
        if self.settings.llm != "auto":
            return self.settings.llm
        return "local" if local_available() else "extractive"

    def warm_up(self, llm: str | None = None) -> None:
        """Load the embedder, the sentence splitter, the BM25 index and the model now, and have the
        model read its prompts' fixed openings, rather than on the first question."""
        embedder.embed_one("warm up")
        sentence_spans("Warm up.")  # Punkt comes with llama-index, whose import takes ~2 s
        self.retriever.bm25()
        backend = llm or self.backend
        if backend != "extractive":
            load_llm(backend, self.settings).warm_up({"answer": generate.answer_opening(), "judge": judge.judge_opening()})

    def ingest(self, paths: list[str | Path], sync: bool = False, exclusive: bool = False,
               progress: bool = False) -> IngestReport:
        """Index the files under `paths` (see `index.ingest`: `sync` drops vanished files, `exclusive` all others)."""
        return ingest([Path(p) for p in paths], self.retriever.chunks, sync=sync, exclusive=exclusive,
                      progress=progress, max_file_mb=self.settings.max_file_mb)

    def documents(self) -> list[dict]:
        return self.retriever.chunks.documents()

    def delete_documents(self, doc_ids: list[str]) -> int:
        """Remove documents from the index; returns how many were in it."""
        return remove(self.retriever.chunks, doc_ids)

    def retrieve(self, question: str, k: int | None = None, source: str | None = None,
                 as_of: str | date | None = None) -> list[Passage]:
        question = self.clean_question(question)
        return self.retriever.retrieve(question, k or self.settings.k, source=source, as_of=dates.as_of_date(as_of))

    def ask(self, question: str, history: list | None = None, llm: str | None = None,
            k: int | None = None, source: str | None = None, as_of: str | date | None = None) -> Answer:
        """The verified answer (see `ask_stream` for the same, token by token)."""
        for item in self.ask_stream(question, history=history, llm=llm, k=k, source=source, as_of=as_of):
            if isinstance(item, Answer):
                return item
        raise RuntimeError("ask_stream ended without an answer")  # pragma: no cover

    def ask_stream(self, question: str, history: list | None = None, llm: str | None = None,
                   k: int | None = None, source: str | None = None,
                   as_of: str | date | None = None) -> Iterator[str | Answer]:
        """Yields the generated text piece by piece (str), then the checked `Answer`, always last.

        The streamed text is the model's draft; the final Answer is what the check kept. `as_of` is the
        date the question is asked on, for a question about "this week" in a dated corpus (dates.py).
        """
        backend = llm or self.backend
        if backend not in BACKENDS:
            raise ValueError(f"unknown answer backend {backend!r}; available: {', '.join(BACKENDS)}")
        question = self.clean_question(question)
        day = dates.as_of_date(as_of)
        clock = _Clock()
        if generate.is_off_task(question):
            yield clock.stamp(_refusal(question, backend))
            return
        turns = generate.normalise_history(history)
        standalone = question
        if generate.needs_condensing(question, turns):
            standalone = self._condense(question, turns, backend)
            clock.mark("condense")
        passages = self.retriever.retrieve(standalone, k or self.settings.k, source=source, as_of=day)
        clock.mark("retrieve")
        ranked = extractive.rank_sentences(standalone, passages, day)
        if not ranked or not extractive.is_relevant(passages, ranked, self.settings.min_similarity):
            yield clock.stamp(abstention(question, passages, backend))
            return
        if backend == "extractive":
            answer = _extractive_answer(question, passages, ranked)
            clock.mark("answer")
            yield clock.stamp(answer)
            return
        model = load_llm(backend, self.settings)
        clock.mark("load_model")
        messages = generate.answer_messages(standalone, generate.select_evidence(ranked))
        draft = []
        for piece in model.stream(messages, self.settings.max_answer_tokens):
            if not draft:
                clock.mark("first_token", since_start=True)
            draft.append(piece)
            yield piece
        clock.mark("generate")
        confidence = model.draft_confidence(messages, "".join(draft)) if self.settings.min_draft_confidence else None
        answer = self._checked("".join(draft), question, standalone, passages, backend, day, confidence)
        if answer.abstained and _said_nothing_new(answer.judgements):
            # the model saw where the answer is but echoed the question instead of drawing it out
            # ("US tech companies complained …" from "… including Google and Microsoft …"), or left
            # out the number or time asked for ("… his remarks about 5G on."): the
            # extractive answer, quoted verbatim, goes through the same question-level checks
            answer = self._checked(_quoted(extractive.best_sentences(ranked)), question, standalone, passages, backend, day)
        clock.mark("verify")
        prompt_tokens = model.count_tokens(messages) or getattr(model, "last_prompt_tokens", None)
        if prompt_tokens:
            clock.timings["prompt_tokens"] = prompt_tokens
        yield clock.stamp(answer)

    def _condense(self, question: str, turns: list[dict], backend: str) -> str:
        if backend == "extractive":
            return generate.lexical_condense(question, turns)
        rewritten = load_llm(backend, self.settings).complete(generate.condense_messages(question, turns), 60, "condense")
        rewritten = " ".join(rewritten.split()).strip('"')
        return rewritten if 3 <= len(rewritten) <= 400 else generate.lexical_condense(question, turns)

    def _checked(self, draft: str, question: str, standalone: str, passages: list[Passage], backend: str,
                 day: date | None = None, confidence: float | None = None) -> Answer:
        """The draft's sentences as the check leaves them; `confidence` is the model's (llm.least_sure),
        None for text it didn't write."""
        parts = verify.split_answer(draft)
        if not parts or ABSTAIN_TEXT.lower().rstrip(".") in draft.lower():
            return abstention(question, passages, backend)
        spans = verify.candidate_spans(passages)
        vectors = verify.span_vectors(spans)
        judgements = []
        for text, cited in parts:
            judgement = verify.without_listed_names(verify.check(text, cited, standalone, spans, vectors), standalone, spans, vectors)
            judgement = verify.each_of_pair(judgement, standalone, spans, vectors)
            judgements.append(verify.across_link(judgement, standalone, spans))
        verify.require_answer_type(judgements, standalone)
        verify.require_true_order(judgements, standalone, spans)
        verify.drop_stale(judgements, day)
        self._doubt(judgements, confidence)
        self._judge(judgements, standalone, backend, spans, day)
        if not any(j.supported for j in judgements):
            answer = abstention(question, passages, backend)
            answer.judgements = judgements
            return answer
        show_unsupported = self.settings.unsupported == "show"
        citations: dict[tuple, Citation] = {}
        sentences = []
        for judgement in judgements:
            if not judgement.supported:
                if show_unsupported:
                    sentences.append(Sentence(judgement.text, [], False))
                continue
            numbers = []
            for span in judgement.spans:
                key = (span.passage.id, span.start, span.end)
                if key not in citations:
                    citations[key] = _citation(len(citations) + 1, span.passage, span.text, span.start, span.end)
                numbers.append(citations[key].n)
            sentences.append(Sentence(judgement.text, numbers, True))
        return Answer(question, _render(sentences), False, sentences, list(citations.values()), backend,
                      passages=passages, judgements=judgements)

    def _doubt(self, judgements: list[verify.Judgement], confidence: float | None) -> None:
        """A draft the model was unsure of withdraws what still stands of it; what the check already
        dropped keeps its own reason (a restatement still gives way to the best sentence quoted)."""
        if confidence is not None and confidence < self.settings.min_draft_confidence:
            verify.withdraw([j for j in judgements if j.supported],
                            f"the model was unsure of its draft: it chose one word with probability {confidence:.2f}")

    def _judge(self, judgements: list[verify.Judgement], question: str, backend: str, spans: list[verify.Span],
               day: date | None = None) -> None:
        """The generator's yes/no on the supported sentences' quotes (and the sentences of linked documents
        that hold the question's other names); a no withdraws them all (judge.py). Asked on a known day,
        the judge reads the question without "this week": retrieval kept to that week's news, and the
        quote's "on Monday" can't tell the judge which week it was."""
        supported = [j for j in judgements if j.supported]
        threshold = self.settings.min_judged_yes
        if not supported or threshold <= 0 or backend not in ("local", "openai"):
            return
        quotes = [quote for j in supported for span in j.spans
                  for quote in [span.judged(question), *verify.linked_quotes(question, span, spans)]]
        asked = dates.without_its_week(question) if day else question
        p_yes = judge.answer_probability(load_llm(backend, self.settings), asked, quotes)
        if p_yes is not None and p_yes < threshold:
            verify.withdraw(supported, f"asked whether the quoted text answers the question, the model said no (P(yes) {p_yes:.2f})")

    def clean_question(self, question: str) -> str:
        """The question with control characters and runs of spaces removed; QuestionError if unusable."""
        if not isinstance(question, str):
            raise QuestionError("the question must be text")
        # control characters (other than spaces) carry no meaning and confuse tokenisers
        question = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in question)
        question = " ".join(question.split())
        if not question:
            raise QuestionError("the question is empty")
        if len(question) > self.settings.max_question_chars:
            raise QuestionError(
                f"the question is {len(question):,} characters long; the limit is {self.settings.max_question_chars:,}"
            )
        return question


class _Clock:
    """Milliseconds per stage since the previous mark; `first_token` and `total` since the start."""

    def __init__(self):
        self.start = self.last = time.perf_counter()
        self.timings: dict = {}

    def mark(self, stage: str, since_start: bool = False) -> None:
        now = time.perf_counter()
        self.timings[stage] = round((now - (self.start if since_start else self.last)) * 1000, 1)
        if not since_start:
            self.last = now

    def stamp(self, answer: Answer) -> Answer:
        self.timings["total"] = round((time.perf_counter() - self.start) * 1000, 1)
        answer.timings_ms = self.timings
        return answer


def _citation(n: int, passage: Passage, quote: str, start: int, end: int) -> Citation:
    return Citation(n=n, passage_id=passage.id, doc_id=passage.doc_id, source=passage.source,
                    title=passage.title, text=passage.text, quote=quote, start=start, end=end, published=passage.published)


def _render(sentences: list[Sentence]) -> str:
    return " ".join(f"{s.text} [{', '.join(map(str, s.citations))}]" if s.supported else f"{s.text} [unsupported]"
                    for s in sentences)


def _extractive_answer(question: str, passages: list[Passage], ranked: list[extractive.Evidence]) -> Answer:
    citations: dict[tuple, Citation] = {}
    sentences = []
    for evidence in extractive.best_sentences(ranked):
        key = (evidence.passage.id, evidence.start, evidence.end)
        if key not in citations:
            citations[key] = _citation(len(citations) + 1, evidence.passage, evidence.text, evidence.start, evidence.end)
        sentences.append(Sentence(" ".join(evidence.text.split()), [citations[key].n], True))
    return Answer(question, _render(sentences), False, sentences, list(citations.values()), "extractive", passages=passages)


def _said_nothing_new(judgements: list[verify.Judgement]) -> bool:
    """Whether every sentence stood but said nothing new: it echoed the question, or it is supported and
    lacks the number or time asked for ("Sergei Lavrov made his remarks about 5G on.").

    Not a missing place or name: "anything but a time" is a weak test, and the quote it let through
    for "Where is Meng Wanzhou's arrest said to have happened?" ("In July, Meng's lawyers accused
    Canada of …") answered wrong where the draft had abstained.
    """
    nothing_new = [[verify.RESTATES]] + [[verify.kind_missing(kind)] for kind in (answer_type.COUNT, answer_type.TIME)]
    return bool(judgements) and all(j.reasons in nothing_new for j in judgements)


def _quoted(evidence: list[extractive.Evidence]) -> str:
    """Passage sentences as a draft answer; the check sets each one's citation."""
    return " ".join(f"{' '.join(e.text.split())} [{n}]" for n, e in enumerate(evidence, 1))


def abstention(question: str, passages: list[Passage], backend: str) -> Answer:
    return Answer(question, ABSTAIN_TEXT, True, [], [], backend, passages=passages)


def _refusal(question: str, backend: str) -> Answer:
    return Answer(question, generate.REFUSAL_TEXT, True, [], [], backend)
