"""Loaders: the seed set, the benchmark formats (rebuilt here in miniature), any folder, and bad input."""

import json

import pytest

from evals import DatasetError, load_dataset, seed_questions


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_seed_set_has_every_kind_of_question():
    questions = seed_questions()
    kinds = {q["kind"] for q in questions}
    assert len(questions) >= 30 and kinds == {"article", "follow-up", "injection", "near-topic", "off-corpus"}
    assert all(q["history"] for q in questions if q["kind"] == "follow-up")
    assert all(q["must_not_contain"] for q in questions if q["kind"] == "injection")
    dataset = load_dataset("seeds")
    assert [p.name for p in dataset.corpus] == ["seeds", "corpus"] and all(p.exists() for p in dataset.corpus)


@pytest.mark.parametrize("row, check", [
    ({"qid": "r1", "question": "Which show?", "answers": ["“Squid Game”"], "gold_doc_ids": ["rtqa-1"], "choices": ["a"],
      "evidence": "Netflix announced...", "question_date": "2022/09/16"},
     lambda q: q["answerable"] and q["gold_doc_ids"] == ["rtqa-1"] and q["as_of"] == "2022/09/16"),
    ({"qid": "h1", "question": "If Gallu is a demon Lilu is what?", "answers": ["a spirit"], "gold_doc_ids": ["Alû"],
      "gold_sentences": [{"doc_id": "Alû", "sent_idx": 3, "text": "Lilu."}]}, lambda q: q["gold_sentences"][0]["text"] == "Lilu."),
    ({"qid": "s1", "question": "What?", "answerable": False, "answers": [], "gold_doc_ids": ["sq-1"]},
     lambda q: not q["answerable"] and q["answers"] == [] and q["as_of"] is None),
])
def test_benchmark_formats(tmp_path, row, check):
    write_jsonl(tmp_path / "questions.jsonl", [row])
    write_jsonl(tmp_path / "corpus.jsonl", [{"doc_id": "d", "text": "t"}])
    dataset = load_dataset(str(tmp_path))
    assert dataset.corpus == [tmp_path / "corpus.jsonl"] and check(dataset.questions[0])


def test_benchmark_by_name_reads_the_benchmarks_folder(tmp_path):
    folder = tmp_path / "squad2-500"
    folder.mkdir()
    write_jsonl(folder / "questions.jsonl", [{"question": "Q?"}])
    (folder / "corpus").mkdir()
    dataset = load_dataset("squad2-500", tmp_path)
    assert dataset.name == "squad2-500" and dataset.questions[0]["qid"] == "1"


@pytest.mark.parametrize("files, message", [
    ({}, "no questions.jsonl"),
    ({"questions.jsonl": '{"question": "Q?"}\n'}, "no corpus.jsonl or corpus/"),
    ({"questions.jsonl": '{"question": "Q?"}\n{oops\n', "corpus.jsonl": ""}, "questions.jsonl:2: not JSON"),
    ({"questions.jsonl": '{"answers": ["x"]}\n', "corpus.jsonl": ""}, "no 'question' text"),
])
def test_bad_sets_are_clear_errors(tmp_path, files, message):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    with pytest.raises(DatasetError, match=message):
        load_dataset(str(tmp_path))


def test_a_missing_benchmark_says_where_it_looked(tmp_path):
    with pytest.raises(DatasetError, match="pass --benchmarks"):
        load_dataset("hotpotqa-100", tmp_path)
