"""What an eval leaves behind: a terminal table, and in the report folder `report.md`,
`results.json` (every per-question trace) and PNG plots (matplotlib, drawn headless)."""

from __future__ import annotations

import json
from pathlib import Path

HEADLINE = [  # (key, label): the rows of every table, in this order
    ("hit@5", "retrieval hit@5"), ("recall@5", "retrieval recall@5"), ("recall@10", "retrieval recall@10"),
    ("mrr@10", "retrieval MRR@10"), ("ndcg@10", "retrieval nDCG@10"), ("evidence_hit@5", "evidence passage in top 5"),
    ("answer_in_text", "answer correct (gold in answer)"), ("f1", "answer token F1"), ("exact_match", "answer exact match"),
    ("right_and_cited", "correct and cites the gold"),
    ("answer_or_choice", "correct, or names its gold choice best"),
    ("answer_or_choice_cited", "that, and cites the gold"),
    ("right_and_quoted", "correct and its quote states the answer"), ("citation_recall", "citation recall (ALCE)"),
    ("citation_precision", "citation precision (ALCE)"), ("faithfulness", "faithfulness"),
    ("sentence_citation_precision", "gold-sentence citation precision"),
    ("sentence_citation_recall", "gold-sentence citation recall"), ("injection_resisted", "planted instruction resisted"),
]


def _cell(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, dict):
        if value.get("low") is not None and value["low"] != value["high"]:
            return f"{value['mean']:.3f} [{value['low']:.2f}–{value['high']:.2f}]"
        return f"{value['mean']:.3f}"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _speed(value) -> str:
    return "–" if value is None else f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def rows_for(results: list[dict]) -> list[list[str]]:
    """One row per metric, one column per system run."""
    table = []
    for key, label in HEADLINE:
        cells = [_cell(r["summary"].get(key)) for r in results]
        if any(c != "–" for c in cells):
            n = next((r["summary"][key]["n"] for r in results if r["summary"].get(key)), "")
            table.append([label, *cells, str(n)])
    for key, label in (("recall", "abstention recall (unanswerable → abstain)"),
                       ("precision", "abstention precision"), ("f1", "abstention F1"),
                       ("false_abstain_rate", "false-abstain rate (answerable)")):
        cells = [_cell((r["summary"].get("abstention") or {}).get(key)) for r in results]
        if any(c != "–" for c in cells):
            table.append([label, *cells, ""])
    for key in ("warm_up_ms", "retrieval_ms_p50", "first_token_ms_p50", "total_ms_p50", "total_ms_p95", "prompt_tokens_p50"):
        cells = [_speed(r["summary"]["speed"].get(key)) for r in results]
        if any(c != "–" for c in cells):
            table.append([key.replace("_", " "), *cells, ""])
    return table


def headers(results: list[dict]) -> list[str]:
    return ["metric", *(f"{r['system']} ({r['backend']})" for r in results), "n"]


def terminal_table(results: list[dict]) -> str:
    table = [headers(results), *rows_for(results)]
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)) for row in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown(results: list[dict], command: str, agreement: dict | None = None) -> str:
    first = results[0]
    counts = first["summary"]["counts"]
    lines = [
        f"# Grounding eval: {first['dataset']}", "",
        f"`{command}`", "",
        f"{counts['questions']} questions ({counts['answerable']} answerable, {counts['unanswerable']} unanswerable); "
        f"judge of support: `{first['judge']}`. Means with 95 % intervals (Wilson for rates, bootstrap for means); "
        "n is how many questions a metric applies to.", "",
        "| " + " | ".join(headers(results)) + " |", "|" + "---|" * len(headers(results)),
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows_for(results)]
    recorded = first["summary"].get("recorded")
    if recorded and recorded["replayed"]:
        lines += ["", f"{recorded['replayed']} model replies were replayed from `{recorded['file']}` "
                      f"({recorded['run']} were run): the times above are not real."]
    if agreement:
        lines += ["", "## How far the default judge can be trusted", "",
                  f"On {agreement['pairs']} (statement, cited passages) pairs from this run, the alignment judge and "
                  f"`{agreement['other']}` agree on {agreement['agreement']:.0%} (Cohen's κ = {agreement['kappa']:.2f}); "
                  f"alignment said yes {agreement['first_yes']} times, the LLM {agreement['second_yes']} times."]
    for result in results:
        if all(r["answer"] is None for r in result["questions"]):
            continue
        misses = [r for r in result["questions"] if r["answerable"] and not r["scores"].get("right_and_cited")]
        wrong_answers = [r for r in result["questions"] if not r["answerable"] and not r["abstained"]]
        lines += ["", f"## {result['system']}: where it loses", "",
                  f"- answerable, not correct-and-cited: {len(misses)}",
                  f"- unanswerable, answered anyway: {len(wrong_answers)}"]
        for row in (misses + wrong_answers)[:15]:
            lines.append(f"  - `{row['qid']}` {row['question']} → {row['answer'][:160]!r} (gold: {row['gold'][:2]})")
    lines += ["", "Plots: " + ", ".join(f"![{p.stem}]({p.name})" for p in _plot_names())]
    return "\n".join(lines) + "\n"


def _plot_names() -> list[Path]:
    return [Path("recall_at_k.png"), Path("metrics.png"), Path("latency.png")]


def write(folder: Path, results: list[dict], command: str, agreement: dict | None = None) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results.json").write_text(json.dumps({"command": command, "runs": results, "judge_agreement": agreement},
                                                    ensure_ascii=False, indent=1))
    (folder / "report.md").write_text(markdown(results, command, agreement))
    plots = plot(folder, results)
    return [folder / "report.md", folder / "results.json", *plots]


def plot(folder: Path, results: list[dict]) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [f"{r['system']} ({r['backend']})" for r in results]
    written = []

    fig, ax = plt.subplots(figsize=(6, 4))
    for name, result in zip(names, results):
        points = [(k, result["summary"].get(f"recall@{k}")) for k in (1, 3, 5, 10)]
        points = [(k, v["mean"]) for k, v in points if v]
        if points:
            ax.plot([k for k, _ in points], [v for _, v in points], marker="o", label=name)
    ax.set(xlabel="k (documents)", ylabel="recall@k", ylim=(0, 1.02), title="Retrieval recall@k")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right") if ax.lines else ax.text(0.5, 0.5, "no gold documents", ha="center")
    written.append(_save(fig, folder / "recall_at_k.png"))

    keys = [(k, label) for k, label in HEADLINE if any(r["summary"].get(k) for r in results)]
    fig, ax = plt.subplots(figsize=(8, max(3, 0.38 * len(keys) * max(1, len(results)))))
    height = 0.8 / max(1, len(results))
    for i, (name, result) in enumerate(zip(names, results)):
        values = [(result["summary"].get(k) or {}).get("mean", 0) for k, _ in keys]
        ax.barh([j + i * height for j in range(len(keys))], values, height=height, label=name)
    ax.set_yticks([j + height * (len(results) - 1) / 2 for j in range(len(keys))], [label for _, label in keys])
    ax.invert_yaxis()
    ax.set(xlim=(0, 1), title="Metrics (mean)")
    ax.legend(loc="lower right")
    written.append(_save(fig, folder / "metrics.png"))

    fig, ax = plt.subplots(figsize=(6, 4))
    for name, result in zip(names, results):
        totals = [r["timings_ms"].get("total") for r in result["questions"] if r["timings_ms"].get("total") is not None]
        if totals:
            ax.hist([t / 1000 for t in totals], bins=20, alpha=0.6, label=name)
    ax.set(xlabel="seconds per answer", ylabel="questions", title="Answer latency")
    if ax.patches:
        ax.legend()
    written.append(_save(fig, folder / "latency.png"))
    return written


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return path
