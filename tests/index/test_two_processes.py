"""A running assistant (the chat) and a separate `rag ingest` share one embedded index: each sees what
the other wrote, and neither writes a stale copy over the other's chunks; two ingests at once take
turns."""

import subprocess
import sys
import time
from pathlib import Path

import chromadb
from chromadb.config import Settings

from index import ChunkStore
from rag import Assistant

ROOT = Path(__file__).resolve().parents[2]

# The real `rag ingest`, in rounds of 10 chunks; it loads the embedder, then waits for the go file,
# so that two of them start writing at the same moment.
INGEST_ON_GO = r"""
import importlib, os, sys, time
ingest_module = importlib.import_module("index.ingest")
ingest_module.WRITE_BATCH = 10
from index import embedder
from rag.cli import main
embedder.embed(["warm up"])
open(sys.argv[2], "w").close()
while not os.path.exists(sys.argv[1]):
    time.sleep(0.02)
sys.exit(main(["ingest", *sys.argv[3:]]))
"""

# A new process (as `rag ask` would be): the best passage's file for each question.
FRESH_SOURCES = r"""
import sys
from rag import Assistant
assistant = Assistant()
for question in sys.argv[1:]:
    print(assistant.retrieve(question, k=1)[0].source.rsplit("/", 1)[-1])
"""


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
    fresh = subprocess.run([sys.executable, "-c", FRESH_SOURCES, "How much has the Pelmoria glacier shrunk?",
                            "When was Quentaro's harbour dredged?"], cwd=ROOT, capture_output=True, text=True)
    assert fresh.stdout.split() == ["glacier.txt", "harbour.txt"], fresh.stderr

    # and a removal elsewhere leaves the running process's answers too
    (corpus / "glacier.txt").unlink()
    result = run_rag("ingest", str(corpus), "--sync")
    assert result.returncode == 0, result.stderr
    assert "glacier.txt" not in sources(running, "How much has the Pelmoria glacier shrunk?")
    assert sources(running, "When was Quentaro's harbour dredged?")[0] == "harbour.txt"


# The real `rag ingest`, in rounds of 10 chunks, stopping twice until told to go on: once its first
# round is written, once every chunk is (the closing revision bump still to come).
PAUSING_INGEST = r"""
import importlib, os, sys, time
ingest_module = importlib.import_module("index.ingest")
ingest_module.WRITE_BATCH = 10
from index import embedder
from rag.cli import main
control = sys.argv[1]

def pause(name):
    open(os.path.join(control, name + ".paused"), "w").close()
    while not os.path.exists(os.path.join(control, name + ".go")):
        time.sleep(0.02)

real_embed, calls = embedder.embed, []
def embed(texts, *args, **kwargs):
    calls.append(len(texts))
    if len(calls) == 2:
        pause("midway")
    return real_embed(texts, *args, **kwargs)
embedder.embed = embed
real_drop_stale = ingest_module._drop_stale
def drop_stale(*args):
    pause("written")
    return real_drop_stale(*args)
ingest_module._drop_stale = drop_stale
sys.exit(main(["ingest", *sys.argv[2:]]))
"""


def wait_for(path, process, seconds=120):
    deadline = time.time() + seconds
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.time() < deadline, f"no {path.name}"
        time.sleep(0.05)


def test_questions_while_another_process_ingests(isolated_home, tmp_path):
    corpus, control = tmp_path / "corpus", tmp_path / "control"
    control.mkdir()
    write(corpus, "river.txt", "The Zorblax river flows through the town of Quentaro and floods every April.")
    running = Assistant()
    running.ingest([corpus], progress=False)
    names = [a + b for a in ("Kel", "Mor", "Tav", "Pru", "Sil") for b in ("dane", "worth", "brook", "mere", "gate", "holt", "ridge", "fell")]
    for name in names:
        write(corpus, f"{name}.txt", f"The {name} weather station near Quentaro logged {len(name)} storms in May.")
    ingest = subprocess.Popen([sys.executable, "-c", PAUSING_INGEST, str(control), str(corpus)],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(control / "midway.paused", ingest)
        assert sources(running, "Where does the Zorblax river flow?")[0] == "river.txt"
        (control / "midway.go").touch()
        wait_for(control / "written.paused", ingest)
        # the revision is as it was midway, only the count has moved: before, "Error finding id" here
        assert sources(running, "How many storms did the Silfell weather station log?")[0] == "Silfell.txt"
        (control / "written.go").touch()
        out, err = ingest.communicate(timeout=300)
    finally:
        ingest.kill()
    assert ingest.returncode == 0, err
    assert "40 added" in out
    assert sources(running, "How many storms did the Silridge weather station log?")[0] == "Silridge.txt"


def test_two_ingests_at_once_take_turns_and_lose_no_vector(isolated_home, tmp_path):
    # A low sync threshold makes Chroma save its vector index every 20 rows, as a big corpus does every
    # 1,000: two writers at once then left an index whose vectors no process could read ("Error
    # getting embedding"), while every count still looked right.
    client = chromadb.PersistentClient(path=str(isolated_home / "chroma"), settings=Settings(anonymized_telemetry=False))
    client.create_collection("default", embedding_function=None,
                             metadata={"hnsw:space": "cosine", "revision": "empty", "hnsw:sync_threshold": 20})
    go = tmp_path / "go"
    runs = []
    for name in ("north", "south"):
        for i in range(150):
            write(tmp_path / name, f"{name}-{i}.txt", f"Report {i} from the {name} station: {i * 7 % 13} storms.")
        command = [sys.executable, "-c", INGEST_ON_GO, str(go), str(tmp_path / f"{name}.ready"), str(tmp_path / name)]
        runs.append(subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    deadline = time.time() + 120
    while not all((tmp_path / f"{name}.ready").exists() for name in ("north", "south")) and time.time() < deadline:
        time.sleep(0.05)
    go.touch()
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert "150 added" in outputs[0][0] and "150 added" in outputs[1][0]
    assert any("another process is writing" in err for _, err in outputs)

    chunks = ChunkStore(isolated_home)  # this process opens the folder only now, as a new `rag ask` would
    rows = chunks.all_rows(["embeddings"])
    assert len(rows["ids"]) == 300
    for chunk_id, vector in list(zip(rows["ids"], rows["embeddings"]))[::15]:
        assert chunks.collection.query(query_embeddings=[list(vector)], n_results=1)["ids"][0] == [chunk_id]
