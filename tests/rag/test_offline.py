"""Ingest and ask with the network cut: nothing may reach for a hub, a tokenizer file or telemetry."""

import shutil
import socket
import subprocess

import pytest

from rag import Assistant


def can_unshare() -> bool:
    if not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


@pytest.mark.skipif(not can_unshare(), reason="needs `unshare -n` (root or user namespaces)")
def test_ingest_and_ask_in_a_network_namespace_with_no_network(run_rag, tmp_path):
    (tmp_path / "doc.txt").write_text("The Arden bridge was repainted green in 2021.")
    cut = ("unshare", "-n")
    ingest = run_rag("ingest", str(tmp_path), prefix=cut)
    assert ingest.returncode == 0, ingest.stderr
    ask = run_rag("ask", "What colour was the Arden bridge repainted?", prefix=cut)
    assert ask.returncode == 0, ask.stderr
    assert "green" in ask.stdout and "[1]" in ask.stdout


def test_no_outbound_connection_is_even_attempted(monkeypatch, tmp_path):
    attempts = []
    real_connect = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else str(address)
        if not (host.startswith("127.") or host in ("::1", "localhost") or self.family == socket.AF_UNIX):
            attempts.append(address)
            raise OSError(f"test guard: outbound connection to {address} refused")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    (tmp_path / "doc.txt").write_text("Ostra station has four platforms and a clock tower.")
    assistant = Assistant(home=tmp_path / "home")
    assistant.ingest([tmp_path / "doc.txt"])
    answer = assistant.ask("How many platforms does Ostra station have?")
    assert "four platforms" in answer.answer
    assert attempts == []


CHAT_IN_NAMESPACE = r"""
import json, sys, urllib.request
from pathlib import Path
from rag import Settings
from rag.library import Library
from ui.server import serve
from gradio_client import Client

home, doc = Path(sys.argv[1]), Path(sys.argv[2])
library = Library(Settings(home=home, llm="extractive"))
library.default.ingest([doc])
server = serve(library, port=7861, block=False)
page = urllib.request.urlopen(server.url, timeout=60).read().decode()
request = urllib.request.Request(server.url.rstrip("/") + "/api/ask", data=json.dumps({"question": "What colour is the Arden bridge?"}).encode(),
                                 headers={"Content-Type": "application/json"})
api = json.loads(urllib.request.urlopen(request, timeout=60).read())
chat = Client(server.url, verbose=False).predict("What colour is the Arden bridge?", api_name="/chat")
server.close()
print(json.dumps({"page": "<html" in page.lower(), "api": api["answer"], "chat": chat}))
"""


@pytest.mark.skipif(not can_unshare(), reason="needs `unshare -n` (root or user namespaces)")
def test_eval_and_the_chat_server_in_a_network_namespace_with_only_loopback(tmp_path):
    import json
    import sys

    from tests.conftest import ROOT

    (tmp_path / "doc.txt").write_text("The Arden bridge was repainted green in 2021.")
    lo_up = "ip link set lo up && "
    evaluated = subprocess.run(
        ["unshare", "-n", "sh", "-c", lo_up + f"{sys.executable} -m rag eval --dataset seeds --llm extractive "
         f"--limit 6 --json --quiet --home {tmp_path / 'evals'} --report {tmp_path / 'report'}"],
        capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert evaluated.returncode == 0, evaluated.stderr[-2000:]
    assert json.loads(evaluated.stdout.splitlines()[-1])["groundrag"]["counts"]["questions"] == 6

    (tmp_path / "chat.py").write_text(CHAT_IN_NAMESPACE)
    served = subprocess.run(
        ["unshare", "-n", "sh", "-c", lo_up + f"{sys.executable} {tmp_path / 'chat.py'} {tmp_path / 'home'} {tmp_path / 'doc.txt'}"],
        capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert served.returncode == 0, served.stderr[-3000:]
    result = json.loads(served.stdout.splitlines()[-1])
    assert result["page"] and "green" in result["api"] and "green" in result["chat"]
