"""Answer quality on a question set: right answers with a citation to the evidence, and abstention.

    python -m evals.answers --dataset seeds --llm local
    python -m evals.answers --dataset squad2-500 --benchmarks ../shared/benchmarks --limit 100

A first, small harness (the full `rag eval` with retrieval metrics, ALCE citation scores, reports
and plots builds on it). "Right" is the SQuAD rule: a normalised gold answer occurs in the
normalised answer text. "Cited" means a citation points at the gold document (benchmarks) or at a
passage holding the gold evidence text (the seed set).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import string
import sys
import time
from pathlib import Path

from rag import Assistant

from .datasets import read_jsonl, seed_questions

ROOT = Path(__file__).resolve().parents[1]


def normalise(text: str) -> str:
    text = text.lower().replace("’", "'").replace("“", '"').replace("”", '"')
    text = "".join(ch for ch in text if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def is_right(answer_text: str, golds: list[str]) -> bool:
    found = normalise(answer_text)
    return any(normalise(gold) and normalise(gold) in found for gold in golds)


def load(dataset: str, benchmarks: Path) -> tuple[list[Path], list[dict]]:
    if dataset == "seeds":
        return [ROOT / "seeds"], seed_questions()
    folder = benchmarks / dataset
    if not (folder / "questions.jsonl").exists():
        raise SystemExit(f"no question set at {folder} (pass --benchmarks DIR)")
    return [folder / "corpus.jsonl"], read_jsonl(folder / "questions.jsonl")


def score(question: dict, answer) -> dict:
    answerable = question.get("answerable", True)
    right = (not answer.abstained) and is_right(answer.answer, question.get("answers", []))
    if question.get("gold_doc_ids"):
        cited = any(c.doc_id in set(question["gold_doc_ids"]) for c in answer.citations)
    else:  # the seed set: gold evidence is an exact span of the document
        cited = bool(question.get("evidence")) and any(question["evidence"] in c.text for c in answer.citations)
    return {
        "qid": question.get("qid"), "question": question["question"], "answerable": answerable,
        "abstained": answer.abstained, "right": right, "right_and_cited": right and cited,
        "answer": answer.answer, "gold": question.get("answers", []),
        "cited_doc_ids": [c.doc_id for c in answer.citations], "timings_ms": answer.timings_ms,
        "unsupported_dropped": sum(1 for j in answer.judgements if not j.supported),
    }


def summarise(rows: list[dict]) -> dict:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    timings = [r["timings_ms"] for r in rows]

    def median(key):
        values = [t[key] for t in timings if key in t]
        return round(statistics.median(values), 1) if values else None

    return {
        "questions": len(rows),
        "answerable": len(answerable),
        "right_and_cited": sum(r["right_and_cited"] for r in answerable),
        "right": sum(r["right"] for r in answerable),
        "false_abstain": sum(r["abstained"] for r in answerable),
        "unanswerable": len(unanswerable),
        "abstained_on_unanswerable": sum(r["abstained"] for r in unanswerable),
        "ttft_ms_p50": median("first_token"),
        "total_ms_p50": median("total"),
        "prompt_tokens_p50": median("prompt_tokens"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.answers", description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="seeds", help="seeds, or a folder name under --benchmarks")
    parser.add_argument("--benchmarks", type=Path, default=ROOT.parent / "shared" / "benchmarks")
    parser.add_argument("--llm", default=None, help="local, openai or extractive (default: the assistant's)")
    parser.add_argument("--limit", type=int, help="only the first N questions")
    parser.add_argument("--home", type=Path, default=ROOT / ".rag-evals", help="index folder for eval corpora")
    parser.add_argument("--out", type=Path, help="write per-question rows (jsonl) here")
    args = parser.parse_args(argv)

    corpus, questions = load(args.dataset, args.benchmarks)
    questions = questions[: args.limit] if args.limit else questions
    assistant = Assistant(home=args.home, collection=re.sub(r"[^A-Za-z0-9._-]", "-", args.dataset))
    report = assistant.ingest(corpus, progress=sys.stderr.isatty())
    print(f"corpus: {report.summary()}", file=sys.stderr)
    rows = []
    began = time.time()
    for i, question in enumerate(questions, 1):
        answer = assistant.ask(question["question"], history=question.get("history"), llm=args.llm)
        rows.append(score(question, answer))
        print(f"\r{i}/{len(questions)} questions, {time.time() - began:.0f} s", end="", file=sys.stderr)
    print(file=sys.stderr)
    if args.out:
        args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    summary = {"dataset": args.dataset, "backend": args.llm or assistant.backend, **summarise(rows)}
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
