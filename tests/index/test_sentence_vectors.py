"""Sentence vectors stored at ingest: answering embeds only the question; deleted text leaves the store."""

import numpy as np
import pytest

from index import embedder
from index.sentence_vectors import SentenceVectors, chunk_sentences
from rag import Assistant, extractive

HARBOUR = ("Harbour report\n\nThe harbour of Port Elin handled 4,200 containers in June. "
           "Most ships arrived from Rotterdam and Hamburg.\n\nA new crane was installed on the north quay in July.")
BAKERY = "# Bakery\n\nThe bakery on Mill Lane sells rye bread every Tuesday. It opens at six."


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    monkeypatch.setattr(embedder, "_sentences", type(embedder._sentences)())  # no vectors from other tests
    monkeypatch.setattr(embedder, "_stores", {})
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "harbour.txt").write_text(HARBOUR)
    (folder / "bakery.md").write_text(BAKERY)
    return folder


def store_of(assistant: Assistant) -> SentenceVectors:
    return SentenceVectors(assistant.retriever.chunks.sentence_vectors_file)


def test_answering_embeds_only_the_question_and_reads_the_vectors_ingest_stored(corpus, monkeypatch):
    assistant = Assistant()
    report = assistant.ingest([corpus])
    sentences = [s for text in assistant.retriever.chunks.all_texts()[1] for s in chunk_sentences(text)]
    assert report.sentences_embedded == len(set(sentences)) > 0
    stored = store_of(assistant).lookup(sentences)
    assert set(stored) == set(sentences)
    assert np.allclose(np.stack([stored[s] for s in sentences]), embedder.embed(sentences), atol=1e-5)

    embedded = []
    real_embed = embedder.embed
    monkeypatch.setattr(embedder, "embed", lambda texts, **kw: embedded.append(list(texts)) or real_embed(texts, **kw))
    question = "How many containers did the harbour of Port Elin handle?"
    ranked = extractive.rank_sentences(question, assistant.retrieve(question))
    assert ranked[0].text == "The harbour of Port Elin handled 4,200 containers in June."
    # the sentences, and each one's predecessor, came from the store
    assert [batch for batch in embedded if batch] == [[question]]


def test_a_deleted_document_takes_its_sentences_out_of_the_store(corpus):
    assistant = Assistant()
    assistant.ingest([corpus])
    (corpus / "bakery.md").unlink()
    assert assistant.ingest([corpus], sync=True).removed == 1
    store = store_of(assistant)
    assert store.lookup(chunk_sentences(BAKERY)) == {}
    assert "The harbour of Port Elin handled 4,200 containers in June." in store.lookup(chunk_sentences(HARBOUR))
    assert store.covered() == set(assistant.retriever.chunks.all_texts()[0])


def test_an_index_made_before_the_store_existed_gets_its_sentences_on_the_next_ingest(corpus):
    assistant = Assistant()
    assistant.ingest([corpus])
    store_of(assistant).path.unlink()
    upgrade = assistant.ingest([corpus])
    assert upgrade.chunks_embedded == 0 and upgrade.sentences_embedded > 0
    assert "nothing embedded" not in upgrade.summary() and "sentences" in upgrade.summary()
    settled = assistant.ingest([corpus])
    assert settled.sentences_embedded == 0 and "nothing embedded" in settled.summary()


def test_a_store_made_by_another_sentence_splitter_is_split_again_and_keeps_the_vectors_that_still_serve(corpus):
    import sqlite3

    assistant = Assistant()
    assistant.ingest([corpus])
    store = store_of(assistant)
    with sqlite3.connect(store.path) as connection:  # as an older splitter left it: one sentence cut in two
        connection.execute("UPDATE meta SET value = 'an older splitter'")
        connection.execute("INSERT INTO vectors VALUES (?, ?)", (b"old-fragment-key", np.zeros(384, np.float32).tobytes()))
        connection.execute("INSERT INTO refs VALUES (?, ?)", (sorted(store.covered())[0], b"old-fragment-key"))
    report = assistant.ingest([corpus])
    assert report.sentences_embedded == 0  # the text is unchanged, and so is every sentence of it
    with sqlite3.connect(store.path) as connection:
        assert connection.execute("SELECT count(*) FROM vectors WHERE key = ?", (b"old-fragment-key",)).fetchone() == (0,)
        assert connection.execute("SELECT value FROM meta").fetchone()[0] != "an older splitter"
    sentences = [s for text in assistant.retriever.chunks.all_texts()[1] for s in chunk_sentences(text)]
    assert set(store.lookup(sentences)) == set(sentences)
