"""Load on a real server on 127.0.0.1: 20 concurrent clients x 5 questions through the HTTP API and
through gradio_client (extractive backend), and a smaller run with the local model. Zero errors;
p50/p95 are printed (run with -s) and, with RAG_LOAD_REPORT=FILE, appended to FILE as JSON lines;
in the chat, the queue is visible (clients see their place) instead of timing out."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from rag import Settings
from rag.library import Library
from tests.conftest import SEED_DOC_NAME, SEEDS, pick_port
from tests.rag.test_api import call
from ui.server import serve

QUESTIONS = [
    "How many Huawei affiliates were added to the economic blacklist?",
    "Where is Huawei moving its US investments?",
    "Who is Huawei's chief financial officer?",
    "What did the US Commerce Department do?",
    "Who won the 2018 FIFA World Cup?",  # off-corpus: an abstention is a correct answer, not an error
]


def serve_seeds(tmp_path, llm: str):
    shutil.copy(SEEDS / SEED_DOC_NAME, tmp_path / SEED_DOC_NAME)
    library = Library(Settings(home=tmp_path / "home", llm=llm))
    assert library.default.ingest([tmp_path / SEED_DOC_NAME]).ok
    return serve(library, port=pick_port(), block=False)


def record(name: str, latencies: list[float], errors: list, extra: dict | None = None) -> dict:
    figures = {"run": name, "requests": len(latencies) + len(errors), "errors": len(errors),
               "p50_ms": round(float(np.percentile(latencies, 50)) * 1000),
               "p95_ms": round(float(np.percentile(latencies, 95)) * 1000), **(extra or {})}
    print(json.dumps(figures))
    if os.environ.get("RAG_LOAD_REPORT"):
        with open(os.environ["RAG_LOAD_REPORT"], "a") as handle:
            handle.write(json.dumps(figures) + "\n")
    return figures


class Tally:
    """Latencies of answered questions and the failures, from many client threads."""

    def __init__(self):
        self.latencies, self.errors, self._lock = [], [], threading.Lock()

    def time(self, question: str, ask) -> None:
        """Run ask(question) -> (ok, detail); a raised exception (timeout, reset) counts as a failure."""
        started = time.perf_counter()
        try:
            ok, detail = ask(question)
        except Exception as error:
            ok, detail = False, repr(error)
        with self._lock:
            (self.latencies.append(time.perf_counter() - started) if ok else self.errors.append((question, detail)))


def http_clients(server, clients: int, questions: int) -> tuple[list[float], list]:
    tally = Tally()

    def ask(question: str):
        status, reply = call(server, "POST", "/api/ask", {"question": question})
        return status == 200 and isinstance(reply, dict) and bool(reply.get("answer")), status

    def client(n: int):
        for i in range(questions):
            tally.time(QUESTIONS[(n + i) % len(QUESTIONS)], ask)

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    return tally.latencies, tally.errors


@pytest.mark.parametrize("llm, clients, questions", [
    ("extractive", 20, 5),
    pytest.param("local", 4, 1, marks=pytest.mark.slow),  # the real model: four at once, each asking once
])
def test_concurrent_http_clients(tmp_path, llm, clients, questions):
    server = serve_seeds(tmp_path, llm)
    try:
        latencies, errors = http_clients(server, clients=clients, questions=questions)
    finally:
        server.close()
    figures = record(f"http {llm} {clients}x{questions}", latencies, errors)
    assert errors == [] and figures["requests"] == clients * questions


def test_20_gradio_clients_x_5_questions_see_the_queue(tmp_path):
    from gradio_client import Client

    server = serve_seeds(tmp_path, "extractive")
    tally, ranks = Tally(), []
    start = threading.Barrier(20)

    def client(n: int):
        chat = Client(server.url, verbose=False)
        start.wait()  # all 20 submit at once, so the queue really fills

        def ask(question: str):
            job = chat.submit(question, api_name="/chat")
            while not job.done():
                rank = job.status().rank
                if rank is not None:
                    ranks.append(rank)  # list.append is atomic
                time.sleep(0.02)
            reply = job.result(timeout=300)
            return isinstance(reply, str) and bool(reply.strip()), reply

        for i in range(5):
            tally.time(QUESTIONS[(n + i) % len(QUESTIONS)], ask)

    try:
        with ThreadPoolExecutor(20) as pool:
            list(pool.map(client, range(20)))
    finally:
        server.close()
    figures = record("gradio_client extractive 20x5", tally.latencies, tally.errors,
                     {"max_queue_rank_seen": max(ranks, default=None)})
    assert tally.errors == [] and figures["requests"] == 100
    assert max(ranks, default=0) >= 2  # clients were told their place in the queue while they waited
