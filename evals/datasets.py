"""Question sets, all read into one shape so every metric works on any of them.

A question is a dict with: `qid`, `question`, `answerable`, `answers` (gold strings), and whatever
gold evidence the set has: `gold_doc_ids`, `gold_sources` (file names), `evidence` (exact text of a
passage), `gold_sentences` ([{doc_id, text}]), plus `history` (earlier turns, for follow-ups) and
`must_not_contain` (strings an answer must never hold: a planted instruction obeyed), `as_of` (the
date the question was asked on, realtimeqa's `question_date`; None for undated sets), and `choices`
where the set is multiple choice (realtimeqa: never shown to the system, only used to score).

Sets: `seeds` (this package's questions over seeds/ plus evals/corpus/, which holds a document with a
planted instruction), the four folders of the shared benchmarks by name, or any folder holding
`questions.jsonl` beside `corpus.jsonl` or a `corpus/` folder of files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
SEED_QUESTIONS = PACKAGE / "seed_questions.jsonl"
BENCHMARKS = ("realtimeqa-news", "realtimeqa-news-400", "hotpotqa-100", "squad2-500")
DEFAULT_BENCHMARKS = ROOT.parent / "shared" / "benchmarks"


class DatasetError(ValueError):
    """A question set that can't be found or read; the message says what is wrong."""


@dataclass
class Dataset:
    name: str
    corpus: list[Path]  # what to ingest
    questions: list[dict]


def read_jsonl(path: Path) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as error:
                    raise DatasetError(f"{path}:{number}: not JSON ({error.msg})") from None
    return rows


def normalise(row: dict, number: int) -> dict:
    """One question in the common shape; refuses rows without a question."""
    question = row.get("question")
    if not isinstance(question, str) or not question.strip():
        raise DatasetError(f"question {number}: no 'question' text")
    answerable = bool(row.get("answerable", True))
    return {
        **row,
        "qid": str(row.get("qid", number)),
        "question": question,
        "answerable": answerable,
        "answers": [a for a in row.get("answers") or [] if isinstance(a, str) and a.strip()],
        "gold_doc_ids": list(row.get("gold_doc_ids") or []),
        "gold_sources": list(row.get("gold_sources") or []),
        "evidence": row.get("evidence") or "",
        "gold_sentences": list(row.get("gold_sentences") or []),
        "history": list(row.get("history") or []),
        "must_not_contain": list(row.get("must_not_contain") or []),
        # the date the question was asked on: realtimeqa's weekly quizzes ask about "this week"
        "as_of": row.get("as_of") or row.get("question_date") or None,
    }


def seed_questions(kinds: tuple[str, ...] | None = None) -> list[dict]:
    """The seed set; `kinds` picks some of: article, follow-up, injection, near-topic, off-corpus."""
    rows = [normalise(row, i) for i, row in enumerate(read_jsonl(SEED_QUESTIONS), 1)]
    return [r for r in rows if kinds is None or r.get("kind") in kinds]


def load_dataset(name: str, benchmarks: Path = DEFAULT_BENCHMARKS) -> Dataset:
    if name == "seeds":
        return Dataset("seeds", [ROOT / "seeds", PACKAGE / "corpus"], seed_questions())
    folder = Path(benchmarks) / name if name in BENCHMARKS else Path(name)
    if not (folder / "questions.jsonl").is_file():
        where = f"{folder} (pass --benchmarks DIR)" if name in BENCHMARKS else str(folder)
        raise DatasetError(f"no questions.jsonl in {where}")
    corpus = [p for p in (folder / "corpus.jsonl", folder / "corpus") if p.exists()]
    if not corpus:
        raise DatasetError(f"{folder} has questions.jsonl but no corpus.jsonl or corpus/ folder")
    questions = [normalise(row, i) for i, row in enumerate(read_jsonl(folder / "questions.jsonl"), 1)]
    return Dataset(folder.name, corpus, questions)
