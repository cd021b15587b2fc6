"""The one API that the CLI, the web chat, the HTTP API, the evals and user scripts share."""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path

from index import ChunkStore, IngestReport, ingest

from . import extractive
from .retrieval import HybridRetriever
from .settings import Settings
from .types import ABSTAIN_TEXT, Answer, Citation, Passage, Sentence

BACKENDS = ("extractive",)


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
            self._retriever = HybridRetriever(chunks, self.settings.candidates, self.settings.rrf_k)
        return self._retriever

    def ingest(self, paths: list[str | Path], sync: bool = False, progress: bool = False) -> IngestReport:
        return ingest([Path(p) for p in paths], self.retriever.chunks, sync=sync, progress=progress)

    def documents(self) -> list[dict]:
        return self.retriever.chunks.documents()

    def retrieve(self, question: str, k: int | None = None, source: str | None = None) -> list[Passage]:
        question = self._clean(question)
        return self.retriever.retrieve(question, k or self.settings.k, source=source)

    def ask(self, question: str, history: list | None = None, llm: str | None = None,
            k: int | None = None, source: str | None = None) -> Answer:
        backend = llm or self.settings.llm
        if backend not in BACKENDS:
            raise ValueError(f"unknown answer backend {backend!r}; available: {', '.join(BACKENDS)}")
        question = self._clean(question)
        began = time.perf_counter()
        passages = self.retriever.retrieve(question, k or self.settings.k, source=source)
        retrieved = time.perf_counter()
        answer = self._extractive(question, passages)
        done = time.perf_counter()
        answer.timings_ms = {
            "retrieve": round((retrieved - began) * 1000, 1),
            "answer": round((done - retrieved) * 1000, 1),
            "total": round((done - began) * 1000, 1),
        }
        return answer

    def _extractive(self, question: str, passages: list[Passage]) -> Answer:
        chosen = extractive.best_sentences(question, passages)
        if not chosen or not extractive.is_relevant(passages, chosen, self.settings.min_similarity):
            return abstention(question, passages, "extractive")
        citations: dict[str, Citation] = {}
        sentences = []
        for evidence in chosen:
            passage = evidence.passage
            if passage.id not in citations:
                citations[passage.id] = Citation(
                    n=len(citations) + 1, passage_id=passage.id, doc_id=passage.doc_id, source=passage.source,
                    title=passage.title, text=passage.text, quote=evidence.text, start=evidence.start, end=evidence.end,
                )
            sentences.append(Sentence(evidence.text, [citations[passage.id].n], True))
        text = " ".join(f"{s.text} [{s.citations[0]}]" for s in sentences)
        return Answer(question, text, False, sentences, list(citations.values()), "extractive", passages=passages)

    def _clean(self, question: str) -> str:
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


def abstention(question: str, passages: list[Passage], backend: str) -> Answer:
    return Answer(question, ABSTAIN_TEXT, True, [], [], backend, passages=passages)
