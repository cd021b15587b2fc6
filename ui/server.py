"""One server on one port: the HTTP API (FastAPI) with the Gradio chat mounted at `/`.

It binds 127.0.0.1 unless told otherwise, and refuses any other address without a token: the API
then wants `Authorization: Bearer TOKEN` and the page shows Gradio's login (any user name, the
token as password). Models and indexes are loaded before the port opens, so the first user doesn't
pay for them.
"""

from __future__ import annotations

import ipaddress
import secrets
import threading
import time

import index  # noqa: F401  (offline switches before gradio is imported)
from rag.api import build_api
from rag.library import Library

from .app import CONCURRENCY, CSS, HEAD, build_app


class ServeError(ValueError):
    """The server can't start as asked; the message says why."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def build_server_app(library: Library, auth_token: str | None = None):
    import gradio as gr

    api = build_api(library, auth_token)
    chat = build_app(library)
    chat.queue(default_concurrency_limit=CONCURRENCY)
    login = None
    if auth_token:
        login = lambda _user, password: secrets.compare_digest(str(password).encode(), auth_token.encode())  # noqa: E731
    return gr.mount_gradio_app(
        api, chat, path="/", auth=login, auth_message="Sign in with any user name and the server's token.",
        head=HEAD, css=CSS, max_file_size=f"{library.settings.max_upload_mb}mb", footer_links=["api"],
    )


class Server:
    """A running server; `url` to reach it, `close()` to stop it (when started with block=False)."""

    def __init__(self, app, host: str, port: int, library: Library):
        import uvicorn

        self.library = library
        self.url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
        self._server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=5))
        self._thread: threading.Thread | None = None

    def run(self) -> None:
        self._server.run()

    def start(self, timeout: float = 60) -> "Server":
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.time() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.time() > deadline:
                raise ServeError(f"the server did not start on {self.url}")
            time.sleep(0.05)
        return self

    def close(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=15)


def serve(library: Library, host: str = "127.0.0.1", port: int = 7860, auth_token: str | None = None,
          block: bool = True) -> Server:
    if not is_loopback(host) and not auth_token:
        raise ServeError(f"refusing to listen on {host} without a token: pass --auth TOKEN (or set RAG_AUTH_TOKEN), "
                         "or keep the default 127.0.0.1")
    library.default.warm_up()  # models and indexes load before anyone waits on them
    server = Server(build_server_app(library, auth_token), host, port, library)
    if block:
        print(f"groundrag chat on {server.url} (API under {server.url}api/, OpenAI-compatible under {server.url}v1/)", flush=True)
        server.run()
        return server
    return server.start()
