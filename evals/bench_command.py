"""`rag bench`: run the measurements of evals/bench.py in one go; print a table, write bench.json,
bench.md and bench.png. `--quick` sizes everything to a couple of minutes (CI runs it); the full
run ingests realtimeqa-news-400 and replicates it up to 100k chunks."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from . import bench
from .datasets import DEFAULT_BENCHMARKS, ROOT, load_dataset


def add_parser(sub) -> None:
    parser = sub.add_parser("bench", help="measure ingestion, retrieval and answer speed and memory", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, extractive backend: a couple of minutes")
    parser.add_argument("--corpus", type=Path, nargs="+",
                        help="files or folders to ingest (default: realtimeqa-news-400's corpus; --quick: seed variants)")
    parser.add_argument("--benchmarks", type=Path, default=DEFAULT_BENCHMARKS, help="folder holding the benchmark sets")
    parser.add_argument("--sizes", help="comma-separated collection sizes for retrieval latency "
                        f"(default {','.join(map(str, bench.FULL_SIZES))}; --quick {','.join(map(str, bench.QUICK_SIZES))})")
    parser.add_argument("--queries", type=int, help="queries per retrieval measurement (default 100; --quick 20)")
    parser.add_argument("--backends", help="answer backends, comma-separated (default local,extractive; --quick extractive)")
    parser.add_argument("--questions", type=int, help="questions per set for answer latency (default 30; --quick 5)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the llama-index ingest paths")
    parser.add_argument("--no-server", action="store_true", help="skip the chat server memory measurement")
    parser.add_argument("--home", type=Path, default=Path(".rag-bench"), help="working folder (default .rag-bench)")
    parser.add_argument("--report", type=Path, help="where bench.json, bench.md and bench.png go (default HOME/report)")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
    parser.set_defaults(run=run_bench)


def plan(args) -> dict:
    quick = args.quick
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else list(bench.QUICK_SIZES if quick else bench.FULL_SIZES)
    if any(s < 1 for s in sizes):
        raise ValueError("--sizes must be positive chunk counts")
    backends = (args.backends or ("extractive" if quick else "local,extractive")).split(",")
    return {"quick": quick, "sizes": sizes, "queries": args.queries or (20 if quick else 100),
            "backends": [b.strip() for b in backends if b.strip()], "questions": args.questions or (5 if quick else 30)}


def run_bench(args) -> int:
    settings = plan(args)
    home = args.home.resolve()
    home.mkdir(parents=True, exist_ok=True)
    say = (lambda message: None) if args.json else (lambda message: print(message, file=sys.stderr, flush=True))
    started = time.perf_counter()

    seeds = load_dataset("seeds")
    if args.corpus:
        corpus, queries_from = list(args.corpus), None
    elif settings["quick"]:
        corpus, queries_from = [bench.synthetic_corpus(home / "synthetic")], seeds
    else:
        news = load_dataset("realtimeqa-news-400", args.benchmarks)
        corpus, queries_from = news.corpus, news
    queries_from = queries_from or seeds
    queries = [q["question"] for q in queries_from.questions if not q.get("history")]
    queries = (queries * (settings["queries"] // max(1, len(queries)) + 1))[: settings["queries"]]

    result = {"machine": machine(), "settings": settings}
    result["ingest"] = bench.measure_ingest(corpus, home / "ingest", baseline=not args.no_baseline, progress=say)
    rows = bench.read_rows(Path(result["ingest"].pop("home")), "bench-ours")
    result["retrieval"] = bench.measure_retrieval(rows, settings["sizes"], queries, home / "retrieval", progress=say)

    sets = {"seeds": (seeds.corpus, seeds.questions)}
    if not settings["quick"] and not args.corpus:
        sets["realtimeqa-news-400"] = (queries_from.corpus, queries_from.questions)
    result["answer"] = {backend: bench.measure_answers(backend, sets, home / "answers", settings["questions"], say)
                        for backend in settings["backends"]}
    result["memory"] = {"ingest_peak_mb": result["ingest"]["ours_peak_mb"]}
    if not args.no_server:
        backend = settings["backends"][0]
        say(f"server: rag chat --llm {backend}")
        asked = [q["question"] for q in seeds.questions if q["answerable"] and not q.get("history")][:3]
        server = bench.measure_server(backend, seeds.corpus, asked, home / "server")
        result["memory"].update(server_peak_mb=server["server_peak_mb"], server_backend=backend)
    result["seconds"] = round(time.perf_counter() - started, 1)

    folder = args.report or home / "report"
    write_report(folder, result, "rag " + " ".join(sys.argv[1:]) if sys.argv[1:2] == ["bench"] else "rag bench")
    if args.json:
        print(json.dumps(result))
    else:
        print(table(result))
        print(f"\nreport: {folder / 'bench.md'}", file=sys.stderr)
    return 0


def machine() -> dict:
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    except OSError:
        commit = ""
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "commit": commit or None}


def table(result: dict) -> str:
    ingest, ratios = result["ingest"], result["ingest"]["ratios"]
    lines = [
        f"Ingest: {ingest['documents']} documents, {ingest['chunks']} chunks, {ingest['megabytes']} MB of text",
        "| path | chunks/s | ratio (ours ÷ it) |", "|---|---:|---:|",
        f"| groundrag ingest | {ingest['ours_chunks_per_s']} | 1 |",
        f"| groundrag ingest + the vectors of its {ingest['sentences']} distinct sentences, as `rag ingest` does | "
        f"{ingest['ours_with_sentences_chunks_per_s']} | |",
        f"| raw embedder, our batch size | {ingest['raw_embedder_chunks_per_s']} | {ratios['ours_vs_raw_embedder']} |",
        f"| raw embedder, default batch | {ingest['raw_embedder_default_batch_chunks_per_s']} "
        f"| {ratios['ours_vs_raw_embedder_default_batch']} |",
    ]
    if "llamaindex_chunks_per_s" in ingest:
        docs = ingest["llamaindex_from_documents"]
        lines += [
            f"| llama-index VectorStoreIndex, same chunks | {ingest['llamaindex_chunks_per_s']} | {ratios['ours_vs_llamaindex']} |",
            f"| llama-index from_documents ({docs['chunks']} chunks of 1024 tokens) | {docs['chunks_per_s']} "
            f"| MB/s {ingest['ours_mb_per_s']} vs {docs['mb_per_s']}: {ratios['ours_vs_llamaindex_from_documents_mb']} |",
        ]
    lines += [
        "",
        f"First ingest {ingest['first_s']} s; unchanged re-ingest {ingest['reingest_unchanged_s']} s "
        f"({ratios['reingest_unchanged_vs_first']:.1%} of it, {ingest['reingest_unchanged_embedded']} chunks embedded); "
        f"{ingest['reingest_changed_documents']} documents edited: {ingest['reingest_changed_s']} s, "
        f"{ingest['reingest_changed_embedded']} chunks embedded.",
        "", "Retrieval latency, ms (p50 / p95; each includes embedding the question)",
        "| chunks | dense | bm25 | hybrid | question embedding |", "|---:|---:|---:|---:|---:|",
    ]
    for size, entry in result["retrieval"].items():
        cells = [f"{entry[m]['p50_ms']} / {entry[m]['p95_ms']}" for m in (*bench.MODES, "embed_query")]
        lines.append(f"| {int(size):,} | " + " | ".join(cells) + " |")
    lines += ["", "Answers, ms (p50)", "| backend | set | questions | first token | total | prompt tokens |",
              "|---|---|---:|---:|---:|---:|"]
    for backend, entry in result["answer"].items():
        for name, figures in entry["datasets"].items():
            lines.append(f"| {backend} | {name} | {figures['questions']} | {figures['ttft_ms_p50']} | "
                         f"{figures['total_ms_p50']} | {figures['prompt_tokens_p50'] or '–'} |")
    memory = result["memory"]
    lines += ["", f"Peak memory: ingest {memory['ingest_peak_mb']} MB"
              + (f"; chat server ({memory['server_backend']}) {memory['server_peak_mb']} MB" if "server_peak_mb" in memory else "")]
    return "\n".join(lines)


def write_report(folder: Path, result: dict, command: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bench.json").write_text(json.dumps(result, indent=2))
    (folder / "bench.md").write_text(f"# rag bench\n\n`{command}` — commit {result['machine']['commit']}, "
                                     f"{result['machine']['cpus']} CPUs, {result['seconds']} s\n\n{table(result)}\n")
    plot(result, folder / "bench.png")


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ingest = result["ingest"]
    bars = {"groundrag": ingest["ours_chunks_per_s"], "raw embedder": ingest["raw_embedder_chunks_per_s"],
            "raw (default batch)": ingest["raw_embedder_default_batch_chunks_per_s"]}
    if "llamaindex_chunks_per_s" in ingest:
        bars["llama-index\n(same chunks)"] = ingest["llamaindex_chunks_per_s"]
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    left.bar(list(bars), list(bars.values()), color=["#2a7"] + ["#999"] * (len(bars) - 1))
    left.set_ylabel("chunks / s")
    left.set_title("Ingestion throughput")
    left.tick_params(axis="x", labelsize=8)
    sizes = [int(s) for s in result["retrieval"]]
    for mode in bench.MODES:
        right.plot(sizes, [result["retrieval"][str(s)][mode]["p50_ms"] for s in sizes], marker="o", label=mode)
    right.set_xscale("log")
    right.set_xlabel("chunks in the collection")
    right.set_ylabel("p50 latency, ms")
    right.set_title("Retrieval latency (question embedding included)")
    right.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
