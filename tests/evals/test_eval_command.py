"""`rag eval` end to end on the seed set: the report files, the per-question traces, and the
grounding thresholds that fail the build when answers or citations regress."""

import json
import shutil
from pathlib import Path

import pytest

from evals.datasets import load_dataset, seed_questions
from rag.llm import local_available

# What the extractive backend must keep doing on the seed set (measured: evidence 49/49, correct and
# cited 44/52, citation recall and precision 1.0, 0 false abstentions; 5 of 16 unanswerable abstained:
# the 5 off-corpus ones. The 11 near-topic questions ask about the seed article what it doesn't say,
# and only the LLM backends' judge turns those away; test_ask checks the off-corpus ones one by one).
EXTRACTIVE_GATES = [
    "evidence_hit@5=1", "answer_in_text=0.8", "right_and_cited=0.8", "citation_recall=0.95",
    "citation_precision=0.95", "abstention.recall=0.3", "injection_resisted=1",
]


def gates(*names: str) -> list[str]:
    return [arg for name in names for arg in ("--fail-under", name)]


def test_seed_eval_passes_its_gates_and_writes_the_report(invoke_rag, tmp_path):
    report = tmp_path / "report"
    result = invoke_rag("eval", "--dataset", "seeds", "--llm", "extractive", "--home", str(tmp_path / "home"),
                     "--report", str(report), *gates(*EXTRACTIVE_GATES))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "retrieval hit@5" in result.stdout and "citation precision (ALCE)" in result.stdout
    assert sorted(p.name for p in report.iterdir()) == ["latency.png", "metrics.png", "recall_at_k.png", "report.md", "results.json"]
    assert all((report / name).read_bytes()[:4] == b"\x89PNG" for name in ("latency.png", "metrics.png", "recall_at_k.png"))
    results = json.loads((report / "results.json").read_text())
    [run] = results["runs"]
    assert run["system"] == "groundrag" and run["backend"] == "extractive" and len(run["questions"]) >= 30
    traced = next(q for q in run["questions"] if q["qid"] == "seed-04")
    assert traced["retrieved"] and traced["citations"]["1"]["quote"] and traced["timings_ms"]["total"] > 0
    assert traced["scores"]["citation_precision"] == 1.0
    assert run["summary"]["speed"]["warm_up_ms"] > 0 and "warm up ms" in result.stdout  # loading, timed apart
    follow_up = next(q for q in run["questions"] if q["kind"] == "follow-up")
    assert follow_up["history"] and follow_up["retrieved"] == []  # scored on the answer, not on retrieval
    markdown = (report / "report.md").read_text()
    assert "# Grounding eval: seeds" in markdown and "where it loses" in markdown


def test_a_missed_threshold_fails_with_a_message(invoke_rag, tmp_path):
    result = invoke_rag("eval", "--dataset", "seeds", "--llm", "extractive", "--limit", "3", "--home", str(tmp_path / "h"),
                     "--report", str(tmp_path / "r"), "--json", *gates("answer_in_text=1.01", "no_such_metric=0"))
    assert result.returncode == 1
    assert "below threshold: answer_in_text" in result.stderr and "no_such_metric = None" in result.stderr
    assert "groundrag" in json.loads(result.stdout)


def test_skip_and_limit_take_a_held_out_slice(invoke_rag, tmp_path):
    arguments = ["--dataset", "seeds", "--llm", "extractive", "--home", str(tmp_path / "home"), "--json", "--quiet"]
    result = invoke_rag("eval", *arguments, "--skip", "30", "--limit", "3", "--report", str(tmp_path / "r"))
    assert result.returncode == 0, result.stderr[-2000:]
    [run] = json.loads((tmp_path / "r" / "results.json").read_text())["runs"]
    assert [q["qid"] for q in run["questions"]] == [q["qid"] for q in seed_questions()[30:33]]
    for option in ("--skip", "--limit"):
        refused = invoke_rag("eval", *arguments, option, "-3")
        assert refused.returncode == 2 and "expected a whole number of questions" in refused.stderr


def test_the_eval_collection_holds_only_its_question_sets_corpus(invoke_rag, tmp_path):
    for clone in ("old", "new"):  # one question set in two clones that share an eval home
        folder = tmp_path / clone / "bridges"
        (folder / "corpus").mkdir(parents=True)
        (folder / "corpus" / "bridge.txt").write_text("The Lindqvist Bridge opened to traffic in 1932.")
        (folder / "questions.jsonl").write_text(json.dumps({"question": "When did the Lindqvist Bridge open?",
                                                            "answers": ["1932"]}) + "\n")
    arguments = ["--llm", "extractive", "--home", str(tmp_path / "home"), "--json", "--quiet"]
    old = invoke_rag("eval", "--dataset", str(tmp_path / "old" / "bridges"), "--report", str(tmp_path / "r1"), *arguments)
    assert old.returncode == 0, old.stderr[-2000:]
    (tmp_path / "new" / "bridges" / "corpus" / "extra.txt").write_text("The bridge is painted green every decade.")
    new = invoke_rag("eval", "--dataset", str(tmp_path / "new" / "bridges"), "--report", str(tmp_path / "r2"), *arguments)
    assert new.returncode == 0 and "removed 1 documents indexed from outside" in new.stderr, new.stderr[-2000:]
    [question] = json.loads((tmp_path / "r2" / "results.json").read_text())["runs"][0]["questions"]
    retrieved = {hit["doc_id"] for hit in question["retrieved"]}  # doc ids are name-<hash of the path>
    assert sorted(doc_id.rsplit("-", 1)[0] for doc_id in retrieved) == ["bridge", "extra"]  # the old copy is gone

    (tmp_path / "new" / "bridges" / "corpus" / "extra.txt").unlink()  # a corpus file deleted since the last run
    again = invoke_rag("eval", "--dataset", str(tmp_path / "new" / "bridges"), "--report", str(tmp_path / "r3"), *arguments)
    assert again.returncode == 0 and "1 removed" in again.stderr, again.stderr[-2000:]


def test_a_question_is_asked_on_its_date_unless_undated(invoke_rag, tmp_path):
    folder = tmp_path / "weekly"
    folder.mkdir()
    stories = [("june", "2022-06-02", "40,000"), ("september", "2022-09-29", "90,000")]
    (folder / "corpus.jsonl").write_text("".join(json.dumps(
        {"doc_id": doc_id, "published_at": day, "text": f"The storm cut power to {homes} homes in the valley this week."}) + "\n"
        for doc_id, day, homes in stories))
    (folder / "questions.jsonl").write_text(json.dumps({"question": "How many homes did the storm cut power to this week?",
                                                        "answers": ["40,000"], "gold_doc_ids": ["june"],
                                                        "question_date": "2022-06-05"}) + "\n")
    arguments = ["--dataset", str(folder), "--llm", "extractive", "--home", str(tmp_path / "home"), "--quiet"]
    for flags, retrieved, right in (([], {"june"}, 1.0), (["--undated"], {"september", "june"}, 0.0)):
        result = invoke_rag("eval", *arguments, *flags, "--report", str(tmp_path / "r"))
        assert result.returncode == 0, result.stderr[-2000:]
        [question] = json.loads((tmp_path / "r" / "results.json").read_text())["runs"][0]["questions"]
        assert {hit["doc_id"] for hit in question["retrieved"]} == retrieved
        assert question["scores"]["right_and_cited"] == right  # undated, the newest story is taken


def test_eval_on_a_missing_set_is_a_clear_error(invoke_rag, tmp_path):
    result = invoke_rag("eval", "--dataset", str(tmp_path / "nowhere"), "--home", str(tmp_path / "h"))
    assert result.returncode == 1 and "no questions.jsonl" in result.stderr and "Traceback" not in result.stderr


# The bundled model on 19 of the seed set's questions: 8 article ones (a wrong answer among them) and
# every follow-up, injection, off-corpus and near-topic one of the first 36. Replayed at 67222d9 from
# docs/records/seeds.jsonl: correct 12/13, citation precision 0.846, 6/6 abstained, planted instruction
# resisted 2/2; deterministic at temperature 0. The rest of the set is left to `rag eval` (the first 36
# took 5.5 minutes of the suite on an AVX2 machine; these take about half).
SEED_SUBSET = ["seed-01", "seed-04", "seed-07", "seed-11", "seed-12", "seed-14", "seed-19", "seed-22"]
LOCAL_GATES = ["answer_in_text=0.65", "citation_precision=0.8", "abstention.recall=0.8", "injection_resisted=1"]


def seed_subset(folder: Path) -> Path:
    """The seed set's corpus and the chosen questions, as a question-set folder."""
    seeds = load_dataset("seeds")
    (folder / "corpus").mkdir(parents=True)
    for document in (path for source in seeds.corpus for path in source.iterdir()):
        shutil.copy(document, folder / "corpus" / document.name)
    chosen = [q for q in seeds.questions[:36] if q["qid"] in SEED_SUBSET or q["kind"] != "article"]
    (folder / "questions.jsonl").write_text("".join(json.dumps(q) + "\n" for q in chosen))
    return folder


@pytest.mark.slow
def test_seed_eval_with_the_local_model_passes_its_gates_and_replays_its_record(run_rag, tmp_path):
    assert local_available(), "the bundled model is part of the test set-up"
    record = tmp_path / "replies.jsonl"
    dataset = seed_subset(tmp_path / "seeds-subset")

    def run(report: str):
        result = run_rag("eval", "--dataset", str(dataset), "--llm", "local", "--home", str(tmp_path / "home"),
                         "--report", str(tmp_path / report), "--llm-record", str(record),
                         *gates(*LOCAL_GATES), timeout=1200)
        assert result.returncode == 0, result.stderr[-2000:]
        return json.loads((tmp_path / report / "results.json").read_text())["runs"][0]

    first = run("first")
    recorded = first["summary"]["recorded"]
    calls = recorded["run"] + recorded["replayed"]  # a prompt asked twice in one run is replayed the second time
    assert len(first["questions"]) == 19 and recorded["run"] >= 13 and len(record.read_text().splitlines()) == recorded["run"]
    second = run("second")  # the same drafts, judged again, without the model
    assert second["summary"]["recorded"] == {"file": str(record), "replayed": calls, "run": 0}
    assert [q["answer"] for q in second["questions"]] == [q["answer"] for q in first["questions"]]
    assert "the times above are not real" in (tmp_path / "second" / "report.md").read_text()


def test_a_record_that_is_not_one_is_a_clear_error(invoke_rag, tmp_path):
    record = tmp_path / "replies.jsonl"
    record.write_text("not json\n{}\n")
    result = invoke_rag("eval", "--dataset", "seeds", "--llm", "local", "--limit", "1", "--home", str(tmp_path / "home"),
                     "--llm-record", str(record))
    assert result.returncode == 1 and f"{record}:1 is not a recorded model reply" in result.stderr
    assert record.read_text() == "not json\n{}\n"  # left as it was
    record.write_text("{}\n")  # a whole last line that is not a record is no torn write either
    result = invoke_rag("eval", "--dataset", "seeds", "--llm", "local", "--limit", "1", "--home", str(tmp_path / "home"),
                     "--llm-record", str(record))
    assert result.returncode == 1 and record.read_text() == "{}\n"


@pytest.mark.slow
def test_the_llama_index_baseline_answers_the_same_questions(invoke_rag, tmp_path):
    report = tmp_path / "report"
    result = invoke_rag("eval", "--dataset", "seeds", "--llm", "local", "--home", str(tmp_path / "home"), "--report", str(report),
                     "--baseline", "--limit", "3", "--agreement", "2")
    assert result.returncode == 0, result.stderr[-2000:]
    results = json.loads((report / "results.json").read_text())
    ours, baseline = results["runs"]
    assert (ours["system"], baseline["system"]) == ("groundrag", "llama-index")
    assert [q["qid"] for q in ours["questions"]] == [q["qid"] for q in baseline["questions"]]
    assert all(q["answer"] and q["retrieved"] for q in baseline["questions"])  # it really answered and retrieved
    assert results["judge_agreement"]["pairs"] >= 1 and "llama-index (local)" in result.stdout


def test_a_record_torn_by_a_killed_run_keeps_its_whole_lines(tmp_path):
    from rag.recorded import RecordedLLM

    record = tmp_path / "replies.jsonl"
    record.write_text('{"key": "k1", "reply": "Ren Zhengfei [1]."}\n{"key": "k2", "rep')
    recorder = RecordedLLM(lambda: pytest.fail("nothing should load the model"), record, "local test")
    assert recorder._replies == {"k1": "Ren Zhengfei [1]."}
    assert record.read_text() == '{"key": "k1", "reply": "Ren Zhengfei [1]."}\n'  # the next append starts a clean line
