"""Every test runs with its own RAG_HOME in a tmp dir; nothing touches the user's index or the network."""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

import index  # noqa: F401  (offline switches)
from rag import Assistant

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED_DOC_NAME = "huawei-moves-us-investments-to-russia.txt"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "rag-home"
    monkeypatch.setenv("RAG_HOME", str(home))
    for name in ("RAG_CHROMA_URL", "RAG_COLLECTION", "RAG_MODEL", "RAG_OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    # the test profile answers without an LLM; tests of the generated path ask for a backend by name
    monkeypatch.setenv("RAG_LLM", "extractive")
    return home


@pytest.fixture(scope="session")
def seeded_home(tmp_path_factory) -> Path:
    """An index of a copy of seeds/, built once per session (read-only for the tests that use it)."""
    base = tmp_path_factory.mktemp("seeded")
    corpus = base / "corpus"
    shutil.copytree(SEEDS, corpus)
    report = Assistant(home=base / "index").ingest([corpus])
    assert report.ok and report.chunks_embedded > 0
    return base / "index"


@pytest.fixture
def seeded(seeded_home) -> Assistant:
    return Assistant(home=seeded_home)


@pytest.fixture
def seed_text() -> str:
    return (SEEDS / SEED_DOC_NAME).read_text(encoding="utf-8")


def pick_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def free_port():
    return pick_port


@pytest.fixture(scope="session")
def start_server():
    """Start a real server process and wait until `ready_url` answers; all are stopped at session end.

    `command` is a function of the port it should listen on (on 127.0.0.1).
    """
    processes = []

    def start(command, ready_path: str = "/", timeout: float = 120) -> str:
        port = pick_port()
        process = subprocess.Popen(command(port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        processes.append(process)
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + timeout
        while True:
            try:
                urllib.request.urlopen(base + ready_path, timeout=2)
                return base
            except OSError:
                if time.time() > deadline or process.poll() is not None:
                    process.kill()
                    pytest.fail(f"{command(port)[:3]} did not come up on port {port}")
                time.sleep(0.3)

    yield start
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def run_rag(isolated_home):
    """Run the real `rag` command line in a subprocess (same interpreter, same isolated home): for what
    only a process shows (its stdout untouched by C libraries, `python -m rag`, a network namespace, two
    processes at once). Each call pays the ~8 s start-up of torch, the embedder and Chroma."""

    def run(*args: str, env: dict | None = None, prefix: tuple[str, ...] = (), timeout: int = 300):
        full_env = {**os.environ, **(env or {})}
        return subprocess.run(
            [*prefix, sys.executable, "-m", "rag", *args], capture_output=True, text=True,
            env=full_env, timeout=timeout, cwd=ROOT,
        )

    return run


@pytest.fixture
def invoke_rag(isolated_home, monkeypatch):
    """Run the real `rag` command line in this process, as llm's tests use click's CliRunner: the same
    `main(argv)`, exit status, stdout and stderr, with the start-up paid once per session, not per call."""
    from rag.cli import main

    def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
        out, err = io.StringIO(), io.StringIO()
        with monkeypatch.context() as patch, redirect_stdout(out), redirect_stderr(err):
            patch.chdir(ROOT)
            for name, value in (env or {}).items():
                patch.setenv(name, value)
            try:
                status = main(list(args))
            except SystemExit as exit:  # argparse's usage errors and --help
                status = exit.code if isinstance(exit.code, int) else int(exit.code is not None)
        return subprocess.CompletedProcess(["rag", *args], status, out.getvalue(), err.getvalue())

    return run
