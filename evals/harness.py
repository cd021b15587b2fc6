"""Run a question set through a system and score every question: the engine behind `rag eval`.

A system is anything with `retrieve(question) -> [passage dicts]` and `respond(question, history)
-> Response`; ours (`rag.Assistant`) and the llama-index baseline (baseline.py) are both wrapped to
that, so every number is computed by the same code for both. Each question leaves a full trace
(retrieved ids, answer, citations, judgements, timings) for results.json.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from rag import Answer, Assistant

from . import metrics
from .datasets import Dataset

RETRIEVAL_DEPTH = 10  # documents ranked for retrieval metrics
KS = (1, 3, 5, 10)


@dataclass
class Response:
    """One system's answer in the shape the metrics need."""

    text: str
    abstained: bool
    statements: list[tuple[str, list[int]]]  # answer sentences with the citation numbers they carry
    cited: dict[int, dict]  # citation number -> {doc_id, source, text (the passage), quote}
    context: list[str]  # every passage the system gave itself to answer from
    timings_ms: dict = field(default_factory=dict)
    judgements: list[dict] = field(default_factory=list)  # the system's own sentence check, if any


class OurSystem:
    name = "groundrag"

    def __init__(self, assistant: Assistant, llm: str | None = None, k: int | None = None, dated: bool = True):
        self.assistant, self.llm, self.k = assistant, llm, k
        self.backend = llm or assistant.backend
        self.dated = dated  # False: the questions' dates are not passed on, as from a user who gives none

    def retrieve(self, question: str, depth: int, as_of: str | None = None) -> list[dict]:
        return [p.to_dict() for p in self.assistant.retrieve(question, k=depth, as_of=as_of if self.dated else None)]

    def warm_up(self) -> None:
        self.assistant.warm_up(self.llm)

    def respond(self, question: str, history: list, as_of: str | None = None) -> Response:
        return from_answer(self.assistant.ask(question, history=history or None, llm=self.llm, k=self.k,
                                              as_of=as_of if self.dated else None))


def from_answer(answer: Answer) -> Response:
    # the judges read a passage as the answer check did: under a headline its source gave
    read = {p.id: p.context(p.text) for p in answer.passages}
    return Response(
        text=answer.answer, abstained=answer.abstained,
        statements=[(s.text, list(s.citations)) for s in answer.sentences if s.supported],
        cited={c.n: {"doc_id": c.doc_id, "source": c.source, "text": read.get(c.passage_id, c.text), "quote": c.quote}
               for c in answer.citations},
        context=[read[p.id] for p in answer.passages], timings_ms=dict(answer.timings_ms),
        judgements=[{"text": j.text, "supported": j.supported, "reasons": j.reasons} for j in answer.judgements],
    )


def relevant_flags(question: dict, passages: list[dict]) -> tuple[list[bool], int, list[bool]] | None:
    """Document-level relevance of the ranked documents, how many are relevant in all, and
    passage-level flags (the passage holds the gold evidence text) where the set has exact evidence."""
    gold_ids, gold_sources = set(question["gold_doc_ids"]), set(question["gold_sources"])
    docs = list(dict.fromkeys(p["doc_id"] for p in passages))
    source_of = {p["doc_id"]: Path(p["source"]).name for p in passages}
    if not (gold_ids or gold_sources):
        return None
    flags = [d in gold_ids or source_of[d] in gold_sources for d in docs]
    total = len(gold_ids) or len(gold_sources)
    evidence = question["evidence"] if gold_sources else ""  # seed-style sets quote the document exactly
    passage_flags = [evidence in p["text"] for p in passages] if evidence else []
    return flags[:RETRIEVAL_DEPTH], total, passage_flags


def score_question(question: dict, passages: list[dict] | None, response: Response | None, judge) -> dict:
    row: dict = {}
    ranked = relevant_flags(question, passages) if passages is not None else None
    if ranked:
        flags, total, passage_flags = ranked
        row.update({f"hit@{k}": metrics.hit_at(flags, k) for k in KS})
        row.update({f"recall@{k}": metrics.recall_at(flags, k, total) for k in KS})
        row["mrr@10"] = metrics.mrr_at(flags, 10)
        row["ndcg@10"] = metrics.ndcg_at(flags, 10, total)
        if passage_flags:
            row["evidence_hit@5"] = metrics.hit_at(passage_flags, 5)
    if response is None:  # a retrieval-only run
        return row
    answered = not response.abstained
    if question["answerable"]:
        golds = question["answers"]
        row["exact_match"] = metrics.exact_match(response.text, golds) if answered else 0.0
        row["f1"] = metrics.token_f1(response.text, golds) if answered else 0.0
        row["answer_in_text"] = metrics.answer_in_text(response.text, golds) if answered else 0.0
        row["cited_gold"] = float(answered and _cites_gold(question, response))
        row["right_and_cited"] = float(row["answer_in_text"] and row["cited_gold"])
        # news sets name one gold article, yet other articles in the corpus tell the same story: here
        # the citation counts when the sentence it quotes states a gold answer, whichever document it is in
        quoted = any(metrics.answer_in_text(c["quote"], golds) for c in response.cited.values()) if answered else False
        row["right_and_quoted"] = float(row["answer_in_text"] and quoted)
        if question.get("choices"):  # a multiple-choice set whose choices the system never sees
            named = metrics.choice_picked(response.text, question["choices"], golds) if answered else 0.0
            row["answer_or_choice"] = float(row["answer_in_text"] or named)
            row["answer_or_choice_cited"] = float(row["answer_or_choice"] and row["cited_gold"])
    if answered and response.statements:
        passages_by_n = {n: c["text"] for n, c in response.cited.items()}
        alce = metrics.alce_citation_scores(response.statements, passages_by_n, judge)
        row["citation_recall"], row["citation_precision"] = alce["recall"], alce["precision"]
        row["faithfulness"] = metrics.faithfulness([t for t, _ in response.statements], response.context, judge)
        if question["gold_sentences"]:
            quotes = [c["quote"] for c in response.cited.values()]
            sentence = metrics.sentence_citation_scores(quotes, [g["text"] for g in question["gold_sentences"]])
            row["sentence_citation_precision"], row["sentence_citation_recall"] = sentence["precision"], sentence["recall"]
    if question["must_not_contain"]:
        row["injection_resisted"] = float(not any(s.lower() in response.text.lower() for s in question["must_not_contain"]))
    return row


def _cites_gold(question: dict, response: Response) -> bool:
    ids, sources, evidence = set(question["gold_doc_ids"]), set(question["gold_sources"]), question["evidence"]
    for cited in response.cited.values():
        if ids and cited["doc_id"] in ids:
            return True
        if sources and Path(cited["source"]).name in sources and (not evidence or evidence in cited["text"]):
            return True
    return False


def run(dataset: Dataset, system, judge, limit: int | None = None, progress: bool = True, answer: bool = True,
        skip: int = 0) -> dict:
    """Every question through `system` (or `limit` of them, after the first `skip`); `answer=False` scores retrieval alone."""
    questions = dataset.questions[skip:]
    questions = questions[:limit] if limit else questions
    rows = []
    # a running chat has its models loaded before the first question, so the first one is timed the
    # same way; what loading costs is reported on its own
    warm_up_ms = None
    if answer and hasattr(system, "warm_up"):
        began = time.perf_counter()
        system.warm_up()
        warm_up_ms = round((time.perf_counter() - began) * 1000, 1)
    bar = _bar(progress, len(questions), f"{system.name} on {dataset.name}")
    for question in questions:
        began = time.perf_counter()
        as_of = question.get("as_of")
        passages = None if question["history"] else system.retrieve(question["question"], 2 * RETRIEVAL_DEPTH, as_of=as_of)
        retrieve_ms = round((time.perf_counter() - began) * 1000, 1)
        response = system.respond(question["question"], question["history"], as_of=as_of) if answer else None
        scores = score_question(question, passages, response, judge)
        rows.append({
            "qid": question["qid"], "question": question["question"], "answerable": question["answerable"],
            "kind": question.get("kind"), "gold": question["answers"], "history": question["history"],
            "retrieved": [{"id": p["id"], "doc_id": p["doc_id"]} for p in passages or []][: 2 * RETRIEVAL_DEPTH],
            "answer": response.text if response else None, "abstained": bool(response and response.abstained),
            "statements": [{"text": t, "citations": c} for t, c in response.statements] if response else [],
            "citations": {str(n): c for n, c in response.cited.items()} if response else {},
            "judgements": response.judgements if response else [],
            "timings_ms": {"retrieval": retrieve_ms, **(response.timings_ms if response else {})}, "scores": scores,
        })
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    return {"dataset": dataset.name, "system": system.name, "backend": getattr(system, "backend", None),
            "judge": getattr(judge, "name", "custom"), "questions": rows, "summary": summarise(rows, warm_up_ms)}


BINARY = {"exact_match", "answer_in_text", "cited_gold", "right_and_cited", "right_and_quoted", "injection_resisted",
          "answer_or_choice", "answer_or_choice_cited",
          "evidence_hit@5", *(f"hit@{k}" for k in KS)}


def summarise(rows: list[dict], warm_up_ms: float | None = None) -> dict:
    answered = any(r["answer"] is not None for r in rows)
    keys = list(dict.fromkeys(key for row in rows for key in row["scores"]))
    summary = {key: metrics.mean_with_interval([r["scores"].get(key) for r in rows], key in BINARY) for key in keys}
    summary["abstention"] = metrics.abstention_scores([r["abstained"] for r in rows], [r["answerable"] for r in rows]) if answered else {}
    summary["counts"] = {
        "questions": len(rows), "answerable": sum(r["answerable"] for r in rows),
        "unanswerable": sum(not r["answerable"] for r in rows),
        "abstained_answerable": sum(r["abstained"] and r["answerable"] for r in rows),
        "abstained_unanswerable": sum(r["abstained"] and not r["answerable"] for r in rows),
    }
    timings = [r["timings_ms"] for r in rows]
    summary["speed"] = {
        f"{key}_ms_{name}": metrics.percentile([t.get(stage) for t in timings], q)
        for key, stage in (("retrieval", "retrieval"), ("first_token", "first_token"), ("total", "total"))
        for name, q in (("p50", 50), ("p95", 95))
    }
    summary["speed"]["prompt_tokens_p50"] = metrics.percentile([t.get("prompt_tokens") for t in timings], 50)
    summary["speed"]["warm_up_ms"] = warm_up_ms
    return summary


def _bar(progress: bool, total: int, desc: str):
    if not progress or total < 2:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="q", file=sys.stderr, leave=False)
