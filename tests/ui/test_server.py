"""The server's security: loopback by default, a token for anything else, the token enforced."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from rag import Settings
from rag.library import Library
from ui.server import ServeError, is_loopback, serve

TOKEN = "test-token-5f1c"


def status_of(url: str, headers: dict | None = None, data: bytes | None = None) -> int:
    request = urllib.request.Request(url, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture(scope="module")
def guarded(seeded_home):
    from tests.conftest import pick_port

    server = serve(Library(Settings(home=seeded_home, llm="extractive")), port=pick_port(), auth_token=TOKEN, block=False)
    yield server
    server.close()


def test_loopback_addresses():
    assert all(map(is_loopback, ["127.0.0.1", "127.0.0.5", "::1", "localhost"]))
    assert not any(map(is_loopback, ["0.0.0.0", "192.168.1.4", "::", "example.com"]))


def test_refuses_a_public_address_without_a_token(isolated_home):
    with pytest.raises(ServeError, match="without a token"):
        serve(Library(Settings(home=isolated_home)), host="0.0.0.0", port=1, block=False)


def test_cli_refuses_a_public_address_without_a_token(run_rag):
    result = run_rag("chat", "--host", "0.0.0.0", "--port", "1")
    assert result.returncode == 1 and "without a token" in result.stderr and "Traceback" not in result.stderr


def test_api_wants_the_token(guarded):
    url = guarded.url + "api/documents"
    assert status_of(url) == 401
    assert status_of(url, {"Authorization": "Bearer wrong"}) == 401
    assert status_of(url, {"Authorization": f"Bearer {TOKEN}"}) == 200
    assert status_of(guarded.url + "v1/models") == 401
    assert status_of(guarded.url + "api/health") == 200  # liveness checks need no secret


def test_chat_page_wants_a_login(guarded):
    assert status_of(guarded.url + "config") == 401
    assert status_of(guarded.url + "gradio_api/info") == 401
    from gradio_client import Client

    reply = Client(guarded.url, auth=("anyone", TOKEN), verbose=False).predict(
        "How many Huawei affiliates were added to the economic blacklist?", api_name="/chat")
    assert "38" in reply


def test_a_wrong_login_is_refused(guarded):
    data = "username=anyone&password=wrong".encode()
    request = urllib.request.Request(guarded.url + "login", data=data,
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        urllib.request.urlopen(request, timeout=30)
        status = 200
    except urllib.error.HTTPError as error:
        status = error.code
        assert "Incorrect" in json.loads(error.read())["detail"]
    assert status == 400
