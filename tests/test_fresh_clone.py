"""The README's promise: on a clone with nothing installed, `make chat` sets up, indexes seeds/ and serves.

Clones the committed HEAD into a tmp dir, lets `make setup` build a fresh .venv there (pip's cache
makes it minutes, not the first-install quarter hour), then runs the README's `make chat` and asks
the served chat one question with the default backend.
"""

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def clean_env() -> dict:
    """The environment of a user's shell: no venv of ours, no RAG_* settings from the test profile."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAG_", "VIRTUAL_ENV", "PYTEST"))}
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if not p.startswith(str(ROOT)))
    return env


@pytest.mark.skipif(not (ROOT / ".git").exists() or not shutil.which("make"), reason="needs a git checkout and make")
def test_fresh_clone_make_chat_serves_a_cited_answer(tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, timeout=120)
    env = clean_env()
    setup = subprocess.run(["make", "setup"], cwd=clone, env=env, capture_output=True, text=True, timeout=3000)
    assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    chat = subprocess.Popen(["make", "chat", f"PORT={port}"], cwd=clone, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.time() + 300
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                if chat.poll() is not None or time.time() > deadline:
                    pytest.fail("make chat did not serve the page:\n" + (chat.stdout.read() if chat.poll() is not None else ""))
                time.sleep(1)
        from gradio_client import Client

        reply = Client(url, verbose=False).predict("Where was Meng Wanzhou detained?", api_name="/chat")
        assert "Vancouver" in reply and "[1]" in reply and "Sources:" in reply, reply
        assert (clone / ".rag" / "chroma").is_dir()  # make chat indexed seeds/ into the clone's own home
    finally:
        os.killpg(chat.pid, signal.SIGTERM)
        chat.wait(timeout=30)
