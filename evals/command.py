"""`rag eval`: ingest a question set's corpus into its own collection, run the questions through
groundrag (and with `--baseline` through llama-index's default pipeline), print a table and write
the report. `--fail-under METRIC=VALUE` makes it a gate for CI."""

from __future__ import annotations

import argparse
import json
import random
import re
import shlex
import sys
from pathlib import Path

from rag import Assistant
from rag.cli import settings_from
from rag.llm import load_llm

from . import harness, report
from .datasets import DEFAULT_BENCHMARKS, load_dataset
from .judges import AlignmentJudge, LLMJudge, agreement


def add_parser(sub, parents) -> None:
    parser = sub.add_parser("eval", parents=parents, help="score retrieval, answers, citations and abstention on a question set",
                            description=__doc__)
    parser.add_argument("--dataset", default="seeds",
                        help="seeds, a benchmark name (realtimeqa-news, realtimeqa-news-400, hotpotqa-100, squad2-500) "
                        "or a folder with questions.jsonl and corpus.jsonl or corpus/")
    parser.add_argument("--benchmarks", type=Path, default=DEFAULT_BENCHMARKS, help="folder holding the benchmark sets")
    parser.add_argument("--limit", type=_count, metavar="N", help="only the first N questions")
    parser.add_argument("--skip", type=_count, default=0, metavar="N",
                        help="leave out the first N questions (a held-out slice: --skip 330 --limit 170)")
    parser.add_argument("--k", type=int, help="passages per answer (default: the assistant's)")
    parser.add_argument("--undated", action="store_true",
                        help="don't pass the questions' dates (realtimeqa's question_date) on as `as_of`: ask as a "
                             "user who gives no date would")
    parser.add_argument("--report", type=Path, help="write report.md, results.json and plots here "
                        "(default .rag-evals/reports/DATASET-BACKEND)")
    parser.add_argument("--baseline", action="store_true", help="also run llama-index's default pipeline (same embedder, Chroma, LLM)")
    parser.add_argument("--retrieval-only", action="store_true", help="score retrieval alone (no answers: fast on large sets)")
    parser.add_argument("--judge", default="alignment", choices=["alignment", "local", "openai"],
                        help="who decides whether a passage supports a statement (default: the offline alignment judge)")
    parser.add_argument("--agreement", type=int, default=0, metavar="N",
                        help="also judge N sampled statements with an LLM judge and report agreement with the default judge")
    parser.add_argument("--agreement-llm", default="local", choices=["local", "openai"], help="the LLM judge for --agreement")
    parser.add_argument("--fail-under", action="append", default=[], metavar="METRIC=VALUE",
                        help="exit 1 when a summary metric's mean is below VALUE (e.g. answer_in_text=0.8, abstention.recall=1)")
    parser.add_argument("--llm-record", type=Path, metavar="FILE",
                        help="record the model's replies in FILE and replay them for the same prompts: a change to the "
                        "checks is measured on the same drafts, in seconds (times of replayed answers are not real)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON instead of a table")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.set_defaults(run=run_eval, home=None)


def _count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number of questions, got {text!r}")
    return int(text)


def run_eval(args) -> int:
    thresholds = [parse_threshold(t) for t in args.fail_under]
    dataset = load_dataset(args.dataset, args.benchmarks)
    settings = settings_from(args)
    if args.llm_record:
        settings = settings.model_copy(update={"llm_record": args.llm_record})
    home = Path(args.home) if args.home else Path(".rag-evals")
    collection = re.sub(r"[^A-Za-z0-9._-]", "-", dataset.name)[:60].strip("-._") or "eval"
    assistant = Assistant(home=home, collection=collection, chroma_url=args.chroma_url, settings=settings)
    progress = not args.quiet and sys.stderr.isatty()
    ours = harness.OurSystem(assistant, llm=args.llm, k=args.k, dated=not args.undated)
    # read now, so a record that is not one fails before minutes of indexing, not after
    recorder = load_llm(ours.backend, settings) if args.llm_record and ours.backend in ("local", "openai") else None
    # the collection is the question set's own: copies of its corpus indexed from a moved or older clone
    # would be retrieved beside its own and fill the prompt's few slots twice
    ingested = assistant.ingest(dataset.corpus, exclusive=True, progress=progress)
    print(f"corpus: {ingested.summary()}", file=sys.stderr)

    judge = AlignmentJudge() if args.judge == "alignment" else LLMJudge(args.judge, settings)
    results = [harness.run(dataset, ours, judge, args.limit, progress, answer=not args.retrieval_only, skip=args.skip)]
    if args.baseline:
        from .baseline import LlamaIndexBaseline

        backend = ours.backend if ours.backend != "extractive" else "local"
        baseline = LlamaIndexBaseline(dataset.corpus, home, collection, backend, settings)
        results.append(harness.run(dataset, baseline, judge, args.limit, progress, answer=not args.retrieval_only,
                                   skip=args.skip))

    if recorder is not None:
        results[0]["summary"]["recorded"] = {"file": str(args.llm_record), "replayed": recorder.replayed, "run": recorder.run}
        print(f"model replies: {recorder.replayed} replayed from {args.llm_record}, {recorder.run} run and recorded",
              file=sys.stderr)
    judged = None
    if args.agreement:
        judged = judge_agreement(results, judge, LLMJudge(args.agreement_llm, settings), args.agreement)
    command = "rag eval " + " ".join(shlex.quote(a) for a in sys.argv[2:]) if sys.argv[1:2] == ["eval"] else "rag eval"
    folder = args.report or home / "reports" / f"{collection}-{ours.backend}"
    written = report.write(folder, results, command, judged)
    if args.json:
        print(json.dumps({r["system"]: r["summary"] for r in results}, ensure_ascii=False))
    else:
        print(report.terminal_table(results))
        print(f"\nreport: {written[0]}", file=sys.stderr)
    failures = [f"{name} = {value} < {minimum}" for name, minimum in thresholds
                for value in [lookup(results[0]["summary"], name)] if value is None or value < minimum]
    for failure in failures:
        print(f"rag eval: below threshold: {failure}", file=sys.stderr)
    return 1 if failures else 0


def judge_agreement(results: list[dict], default, other, sample: int) -> dict:
    pairs = [(s["text"], [row["citations"][str(n)]["text"] for n in s["citations"] if str(n) in row["citations"]])
             for result in results for row in result["questions"] for s in row["statements"]]
    pairs = [p for p in pairs if p[1]]
    chosen = random.Random(0).sample(pairs, min(sample, len(pairs)))
    return {**agreement(default, other, chosen), "other": other.name}


def parse_threshold(text: str) -> tuple[str, float]:
    name, _, value = text.partition("=")
    try:
        return name.strip(), float(value)
    except ValueError:
        raise ValueError(f"--fail-under wants METRIC=NUMBER, got {text!r}") from None


def lookup(summary: dict, name: str) -> float | None:
    """A summary value by name: `answer_in_text` (its mean), `abstention.recall`, `speed.total_ms_p50`."""
    value = summary
    for part in name.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if isinstance(value, dict):
        value = value.get("mean")
    return value
