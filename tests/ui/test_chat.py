"""The web chat, served for real on 127.0.0.1 and asked through gradio_client."""

import urllib.request

import pytest

from ui.app import serve


@pytest.fixture
def chat_url(seeded, free_port):
    port = free_port()
    app = serve(seeded, host="127.0.0.1", port=port, block=False)
    yield f"http://127.0.0.1:{port}/"
    app.close()


def test_chat_page_is_served_on_loopback(chat_url):
    page = urllib.request.urlopen(chat_url, timeout=30).read().decode()
    assert "<html" in page.lower()


def test_chat_answers_with_citations_and_sources(chat_url):
    from gradio_client import Client

    client = Client(chat_url, verbose=False)
    reply = client.predict("How many Huawei affiliates were added to the economic blacklist?", api_name="/chat")
    assert "38" in reply and "[1]" in reply
    assert "**Sources**" in reply and "huawei-moves-us-investments-to-russia.txt" in reply


def test_chat_abstains_on_off_corpus_questions(chat_url):
    from gradio_client import Client

    reply = Client(chat_url, verbose=False).predict("Who won the 2018 FIFA World Cup?", api_name="/chat")
    assert "The documents don't say." in reply


def test_chat_turns_an_empty_message_into_a_notice(chat_url):
    from gradio_client import Client

    reply = Client(chat_url, verbose=False).predict("   ", api_name="/chat")
    assert "Please ask a question" in reply
