"""The web chat, served for real on 127.0.0.1 and asked through gradio_client (its `/chat` endpoint)."""

import urllib.request

import pytest

from rag import Settings
from rag.library import Library
from rag.types import Answer, Citation, Passage, Sentence
from ui.app import render
from ui.server import serve


@pytest.fixture(scope="module")
def chat_url(seeded_home):
    from tests.conftest import pick_port

    server = serve(Library(Settings(home=seeded_home, llm="extractive")), port=pick_port(), block=False)
    yield server.url
    server.close()


def test_chat_page_is_served_on_loopback(chat_url):
    assert chat_url.startswith("http://127.0.0.1:")
    page = urllib.request.urlopen(chat_url, timeout=30).read().decode()
    assert "<html" in page.lower() and "rag-cite" in page  # the citation script is in the page head


def test_chat_answers_with_citations_and_sources(chat_url):
    from gradio_client import Client

    client = Client(chat_url, verbose=False)
    reply = client.predict("How many Huawei affiliates were added to the economic blacklist?", api_name="/chat")
    assert "38" in reply and "[1]" in reply
    assert "Sources:" in reply and "huawei-moves-us-investments-to-russia.txt" in reply


def test_chat_abstains_on_off_corpus_questions(chat_url):
    from gradio_client import Client

    reply = Client(chat_url, verbose=False).predict("Who won the 2018 FIFA World Cup?", api_name="/chat")
    assert "The documents don't say." in reply


def test_chat_turns_an_empty_message_into_a_notice(chat_url):
    from gradio_client import Client

    reply = Client(chat_url, verbose=False).predict("   ", api_name="/chat")
    assert "Please ask a question" in reply


def _answer(sentences, citations, passages) -> Answer:
    return Answer("q", "a", False, sentences, citations, "local", passages=passages)


def test_render_links_each_citation_to_its_highlighted_passage():
    text = "Alpha beta. The CFO is <Meng>. Gamma."
    passage = Passage("p1", "d1", "doc.txt", "Doc & co", text, 1.0, start=100, end=100 + len(text))
    quote = "The CFO is <Meng>."
    citation = Citation(1, "p1", "d1", "doc.txt", "Doc & co", text, quote, 100 + 12, 100 + 12 + len(quote))
    html = render(_answer([Sentence("The CFO is <Meng>.", [1], True), Sentence("Invented.", [], False)],
                          [citation], [passage]), uid="u1")
    assert '<a class="rag-cite" href="#rag-u1-1">[1]</a>' in html and 'id="rag-u1-1"' in html
    assert "<mark>The CFO is &lt;Meng&gt;.</mark>" in html  # highlighted, and escaped
    assert "Doc &amp; co" in html and "characters 112–130" in html
    assert 'class="rag-unsupported"' in html and "Invented." in html
    assert "\n" not in html  # one HTML block: a blank line would end it inside Markdown
    assert " · 20" not in html  # an undated source shows no date ...


def test_render_shows_the_date_a_source_gives():
    passage = Passage("p1", "d1", "news.jsonl#L1", "Dartmouth ends loans", "Dartmouth ends loans.", 1.0, 0, 21,
                      published="2022-06-21T09:30:00")
    citation = Citation(1, "p1", "d1", passage.source, passage.title, passage.text, passage.text, 0, 21,
                        published=passage.published)
    html = render(_answer([Sentence("Dartmouth ends loans.", [1], True)], [citation], [passage]), uid="u2")
    assert "Dartmouth ends loans · 2022-06-21 — " in html  # ... a dated one its day
    abstained = render(Answer("q", "The documents don't say.", True, [], [], "local", passages=[passage]))
    assert "Dartmouth ends loans · 2022-06-21 — " in abstained


def test_render_abstention_offers_the_closest_passages():
    passage = Passage("p1", "d1", "doc.txt", "Doc", "Nearby text.", 0.5, 0, 12)
    html = render(Answer("q", "The documents don't say.", True, [], [], "local", passages=[passage]))
    assert 'class="rag-abstain"' in html and "Closest passages" in html and "Nearby text." in html
