"""The sentence-vector cache: the same vectors as a fresh embedding, bounded, and no model call for a text it holds."""

import numpy as np

from index import embedder


def test_cached_vectors_are_the_embedders_and_known_texts_are_not_embedded_again(monkeypatch):
    monkeypatch.setattr(embedder, "_sentences", type(embedder._sentences)())
    texts = ["The ferry leaves at seven.", "Tickets cost four euros.", "The ferry leaves at seven."]
    first = embedder.embed_cached(texts)
    assert first.shape == (3, 384)
    assert np.allclose(first, embedder.embed(texts), atol=1e-5)

    embedded = []
    real_embed = embedder.embed
    monkeypatch.setattr(embedder, "embed", lambda batch, **kw: embedded.append(list(batch)) or real_embed(batch, **kw))
    again = embedder.embed_cached(["Tickets cost four euros.", "Gulls nest on the roof."])
    assert embedded == [["Gulls nest on the roof."]]  # only the text it had not seen
    assert np.array_equal(again[0], first[1])


def test_the_cache_keeps_only_the_most_recently_used_texts(monkeypatch):
    monkeypatch.setattr(embedder, "_sentences", type(embedder._sentences)())
    monkeypatch.setattr(embedder, "SENTENCE_CACHE_SIZE", 2)
    embedder.embed_cached(["one text here", "two text here"])
    embedder.embed_cached(["one text here"])  # used again: "two" is now the oldest
    embedder.embed_cached(["three text here"])
    assert list(embedder._sentences) == ["one text here", "three text here"]
    assert embedder.embed_cached([]).shape == (0, 384)
