"""A running assistant (the chat) and a separate `rag ingest` share one embedded index: each sees what
the other wrote, and neither writes a stale copy over the other's chunks."""

from rag import Assistant


def write(folder, name, text):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def sources(assistant, question):
    return [p.source.rsplit("/", 1)[-1] for p in assistant.retrieve(question, k=3)]


def test_a_running_assistant_sees_another_process_ingest_and_keeps_it(isolated_home, tmp_path, run_rag):
    corpus, uploads = tmp_path / "corpus", tmp_path / "uploads"
    write(corpus, "river.txt", "The Zorblax river flows through the town of Quentaro and floods every April.")
    running = Assistant()
    assert running.ingest([corpus], progress=False).added == 1
    assert sources(running, "Where does the Zorblax river flow?")[0] == "river.txt"

    write(corpus, "glacier.txt", "The Pelmoria glacier north of Quentaro has shrunk by forty metres since 1990.")
    result = run_rag("ingest", str(corpus))
    assert result.returncode == 0, result.stderr
    # before: Chroma's "Error finding id" (the running process kept its old vectors in memory)
    assert sources(running, "How much has the Pelmoria glacier shrunk?")[0] == "glacier.txt"
    answer = running.ask("How much has the Pelmoria glacier shrunk?")
    assert "forty metres" in answer.answer and answer.citations[0].source.endswith("glacier.txt")

    # the running process writes next (an upload in the chat): the other process's chunks survive it
    write(uploads, "harbour.txt", "Quentaro's harbour was dredged in 2011 so that ferries could dock at low tide.")
    assert running.ingest([uploads], progress=False).added == 1
    result = run_rag("ask", "How much has the Pelmoria glacier shrunk?", "--json")
    assert result.returncode == 0, result.stderr
    assert "forty metres" in result.stdout
    result = run_rag("ask", "When was Quentaro's harbour dredged?", "--json")
    assert "2011" in result.stdout

    # and a removal elsewhere leaves the running process's answers too
    (corpus / "glacier.txt").unlink()
    result = run_rag("ingest", str(corpus), "--sync")
    assert result.returncode == 0, result.stderr
    assert "glacier.txt" not in sources(running, "How much has the Pelmoria glacier shrunk?")
    assert sources(running, "When was Quentaro's harbour dredged?")[0] == "harbour.txt"
