"""The shapes the API, CLI, UI, HTTP and evals share; `to_dict()` is the JSON contract scripts rely on."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

ABSTAIN_TEXT = "The documents don't say."


@dataclass
class Passage:
    id: str
    doc_id: str
    source: str
    title: str
    text: str
    score: float  # fused rank score (reciprocal-rank fusion of dense and BM25)
    start: int  # offsets of `text` in the document's text
    end: int
    similarity: float = 0.0  # cosine of question and passage; what relevance decisions use
    titled: bool = False  # the title was given by the source (a headline), not taken from the text's first line
    published: str = ""  # the date the source gave (a jsonl corpus's published_at), ISO; "" when none

    @property
    def headline(self) -> str:
        """The title the source gave (a news headline), or "" when the title was only a file's name or first line."""
        return self.title if self.titled else ""

    def context(self, text: str) -> str:
        """`text` of this passage under its document's given title: what the check and the judge read."""
        return f"{self.headline}\n{text}" if self.headline else text

    def to_dict(self) -> dict:
        return {
            "id": self.id, "doc_id": self.doc_id, "source": self.source, "title": self.title,
            "text": self.text, "score": round(self.score, 6), "start": self.start, "end": self.end,
            "published": self.published,
        }


@dataclass
class Sentence:
    text: str
    citations: list[int]
    supported: bool

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Citation:
    n: int
    passage_id: str
    doc_id: str
    source: str
    title: str
    text: str  # the whole cited passage
    quote: str  # the span of the passage that supports the sentence(s) citing it
    start: int  # offsets of `quote` in the document's text
    end: int
    published: str = ""  # the date the source gave, ISO; "" when none

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Answer:
    question: str
    answer: str
    abstained: bool
    sentences: list[Sentence]
    citations: list[Citation]
    backend: str
    timings_ms: dict = field(default_factory=dict)
    passages: list[Passage] = field(default_factory=list)  # what retrieval returned (not in the contract)
    judgements: list = field(default_factory=list)  # the sentence check's verdicts and reasons (not in the contract)

    def to_dict(self) -> dict:
        return {
            "question": self.question, "answer": self.answer, "abstained": self.abstained,
            "sentences": [s.to_dict() for s in self.sentences],
            "citations": [c.to_dict() for c in self.citations],
            "backend": self.backend, "timings_ms": self.timings_ms,
        }
