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
