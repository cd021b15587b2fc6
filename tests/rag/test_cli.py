import json

from rag.cli import build_parser, settings_from

ASK_KEYS = ["question", "answer", "abstained", "sentences", "citations", "backend", "timings_ms"]


def test_ingest_then_reingest_says_nothing_was_embedded(invoke_rag, tmp_path):
    (tmp_path / "doc.txt").write_text("The canal lock at Brindle raises boats by 3 metres.")
    first = invoke_rag("ingest", str(tmp_path))
    assert first.returncode == 0, first.stderr
    assert "1 added" in first.stdout
    second = invoke_rag("ingest", str(tmp_path))
    assert second.returncode == 0
    assert "0 chunks embedded" in second.stdout and "nothing embedded" in second.stdout


def test_ingest_exit_status_is_nonzero_when_a_file_was_skipped(invoke_rag, tmp_path):
    (tmp_path / "good.txt").write_text("Good text about lanterns.")
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01\x02binary")
    result = invoke_rag("ingest", str(tmp_path))
    assert result.returncode == 1
    assert "skipped" in result.stderr and "bad.txt: binary content" in result.stderr
    assert "1 added" in result.stdout


def test_retrieve_and_ask_json(invoke_rag, run_rag, tmp_path):
    (tmp_path / "doc.txt").write_text(
        "Opening hours\n\nThe Fenwick library opens at 9 am on weekdays. It closes at noon on Saturdays."
    )
    assert invoke_rag("ingest", str(tmp_path), "--collection", "lib").returncode == 0
    # what a script reads: a real process's whole stdout is the JSON
    retrieved = json.loads(run_rag("retrieve", "When does the library open?", "--json", "--k", "3",
                                   "--collection", "lib").stdout)
    assert list(retrieved) == ["question", "passages"] and retrieved["passages"]
    asked = run_rag("ask", "When does the Fenwick library open on weekdays?", "--json", "--collection", "lib")
    answer = json.loads(asked.stdout)
    assert list(answer) == ASK_KEYS
    assert "9 am" in answer["answer"] and answer["citations"][0]["n"] == 1


def test_plain_ask_prints_answer_and_sources(invoke_rag, tmp_path):
    (tmp_path / "doc.txt").write_text("The ferry to Skellig leaves at 7:15 every morning.")
    invoke_rag("ingest", str(tmp_path))
    out = invoke_rag("ask", "When does the ferry to Skellig leave?").stdout
    assert "7:15" in out and "[1]" in out and "“The ferry to Skellig leaves at 7:15 every morning.”" in out


def test_empty_question_and_bad_k_are_usage_errors(invoke_rag):
    empty = invoke_rag("ask", "   ")
    assert empty.returncode == 2 and "the question is empty" in empty.stderr
    bad_k = invoke_rag("retrieve", "x", "--k", "0")
    assert bad_k.returncode == 2 and "--k" in bad_k.stderr
    bad_p = invoke_rag("ask", "x", "--min-judged-yes", "1.5")
    assert bad_p.returncode == 2 and "'1.5' is not a probability" in bad_p.stderr
    bad_confidence = invoke_rag("ask", "x", "--min-draft-confidence", "-0.1")
    assert bad_confidence.returncode == 2 and "'-0.1' is not a probability" in bad_confidence.stderr
    bad_date = invoke_rag("ask", "x", "--as-of", "last week")
    assert bad_date.returncode == 2 and "as_of must be a date" in bad_date.stderr


def test_the_answering_bars_given_on_the_command_line_reach_the_settings():
    args = build_parser().parse_args(["ask", "x", "--min-draft-confidence", "0.3", "--min-judged-yes", "0"])
    settings = settings_from(args)
    assert settings.min_draft_confidence == 0.3 and settings.min_judged_yes == 0


def test_python_dash_m_and_help(run_rag):
    result = run_rag("--help")
    assert result.returncode == 0
    for command in ("ingest", "retrieve", "ask", "chat"):
        assert command in result.stdout
