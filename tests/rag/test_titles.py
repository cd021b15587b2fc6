"""A headline the source gives (a jsonl title, an html <title>) is read with its document's sentences.

News sentences say "the wildly popular show" where the headline says "Squid Game": the prompt shows
each sentence under its headline, and the check accepts a name the headline holds.
"""

import hashlib
import importlib
import json

import pytest

from index.chunking import CHUNKER_VERSION
from index.ingest import content_hash
from index.loaders import load_file
from rag import Assistant, extractive, generate
from rag.types import Passage
from rag.verify import candidate_spans, check

ingest_module = importlib.import_module("index.ingest")  # `index.ingest` is also the function's name
HEADLINE = "Squid Game renewed: Netflix green lights season 2"
TEXT = "Netflix announced Sunday that the wildly popular South Korean show is green lit for a second season."
QUESTION = "Which show was green lit for a second season?"


def news(titled: bool) -> Passage:
    return Passage("n", "n", "https://news.test/1", HEADLINE if titled else TEXT[:40], TEXT, 1.0, 0, len(TEXT),
                   titled=titled)


def test_a_name_only_the_headline_holds_is_supported_under_a_given_title():
    answer = "Squid Game was green lit for a second season."
    assert check(answer, [1], QUESTION, candidate_spans([news(titled=True)])).supported
    verdict = check(answer, [1], QUESTION, candidate_spans([news(titled=False)]))
    assert not verdict.supported and any("Game" in reason for reason in verdict.reasons)


def test_a_name_only_the_headline_holds_is_read_with_each_sentence():
    # the headline names the team, the text says what "the Rovers" did: the prompt showed them together
    headline, text = "Lindqvist Rovers end 21-year wait", "The Rovers won the 2022 league unbeaten at home."
    story = Passage("r", "r", "https://news.test/2", headline, text, 1.0, 0, len(text), titled=True)
    answer, question = "The Lindqvist Rovers won the 2022 league.", "Which team won the 2022 league?"
    assert check(answer, [1], question, candidate_spans([story])).supported
    story.titled = False
    assert not check(answer, [1], question, candidate_spans([story])).supported


def test_the_prompt_shows_each_sentence_under_its_given_title_only():
    for titled in (True, False):
        ranked = extractive.rank_sentences(QUESTION, [news(titled)])
        prompt = generate.answer_messages(QUESTION, generate.select_evidence(ranked))[-1]["content"]
        assert (f"[1] ({HEADLINE}) {TEXT}" in prompt) is titled
        assert f"[1] {TEXT}" in prompt or titled


def test_only_a_question_asking_for_a_name_gets_the_example_of_a_name_taken_from_a_headline():
    ranked = extractive.rank_sentences(QUESTION, [news(titled=True)])
    for question, naming in ((QUESTION, True), ("What NFL star announced his retirement?", True),
                             ("When was the show green lit?", False), ("Which year was the show green lit?", False),
                             ("What did Netflix announce on Sunday?", False)):
        messages = generate.answer_messages(question, generate.select_evidence(ranked))
        assert messages[:3] == generate.answer_opening()  # the opening the model keeps cached comes first
        assert (generate.NAME_EXAMPLE_ANSWER in [m["content"] for m in messages]) is naming, question
        assert len(messages) == 6 if naming else 4


@pytest.fixture
def corpus(tmp_path):
    records = [{"doc_id": "squid", "title": HEADLINE, "text": TEXT},
               {"doc_id": "plain", "text": "The ferry to Elin leaves at seven every morning."}]
    path = tmp_path / "news.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    return path


def titled_passages(assistant: Assistant) -> dict:
    return {p.doc_id: p.titled for p in assistant.retrieve("Netflix show second season ferry", k=2)}


def test_titles_given_by_a_corpus_reach_the_retrieved_passages(corpus):
    assistant = Assistant()
    assistant.ingest([corpus])
    assert titled_passages(assistant) == {"squid": True, "plain": False}


def test_an_index_from_before_the_titled_flag_re_embeds_only_the_titled_documents(corpus, monkeypatch):
    with monkeypatch.context() as before:  # the hashes and file stamps ingest wrote until now
        before.setattr(ingest_module, "content_hash", lambda d: hashlib.sha256(
            f"{CHUNKER_VERSION}\n{d.title}\n{d.text}".encode()).hexdigest())
        before.setattr(ingest_module, "file_stamp", ingest_module.file_sha256)
        Assistant().ingest([corpus])
    report = Assistant().ingest([corpus])  # the file's bytes are unchanged, but its stamp is old
    assert (report.updated, report.unchanged) == (1, 1)
    assert titled_passages(Assistant()) == {"squid": True, "plain": False}
    assert Assistant().ingest([corpus]).chunks_embedded == 0


def test_documents_without_a_given_title_keep_their_content_hash(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text("Ferry times\n\nThe ferry leaves at seven.\n")
    [document], _ = load_file(path)
    # the hash indexes built before titles were flagged hold, so they re-embed nothing
    before = hashlib.sha256(f"{CHUNKER_VERSION}\n{document.title}\n{document.text}".encode()).hexdigest()
    assert content_hash(document) == before
    document.titled = True  # the same text under a given title is another version: re-embedded once
    assert content_hash(document) != before
