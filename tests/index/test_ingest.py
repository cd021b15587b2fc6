import shutil

import pytest

from index import ChunkStore, StoreError
from rag import Assistant

ARTICLE = (
    "Harbour report\n\n"
    "The harbour of Port Elin handled 4,200 containers in June. "
    "Most ships arrived from Rotterdam and Hamburg.\n\n"
    "A new crane, named Big Martha, was installed on the north quay in July."
)


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    (folder / "sub").mkdir(parents=True)
    (folder / "harbour.txt").write_text(ARTICLE)
    (folder / "sub" / "bakery.md").write_text("# Bakery\n\nThe bakery on Mill Lane sells rye bread every Tuesday.\n")
    return folder


def chunk_count(assistant: Assistant) -> int:
    return assistant.retriever.chunks.collection.count()


def test_reingesting_an_unchanged_corpus_embeds_nothing(corpus):
    assistant = Assistant()
    first = assistant.ingest([corpus])
    assert (first.documents, first.added, first.chunks_embedded) == (2, 2, chunk_count(assistant))
    again = assistant.ingest([corpus])
    assert (again.documents, again.unchanged, again.chunks_embedded, again.added) == (2, 2, 0, 0)
    assert "nothing embedded" in again.summary()


def test_a_changed_file_replaces_its_old_chunks(corpus):
    assistant = Assistant()
    assistant.ingest([corpus])
    (corpus / "harbour.txt").write_text(ARTICLE.replace("4,200", "5,900"))
    report = assistant.ingest([corpus])
    assert (report.updated, report.unchanged) == (1, 1)
    texts = assistant.retriever.chunks.all_texts()[1]
    assert any("5,900" in t for t in texts) and not any("4,200" in t for t in texts)
    assert assistant.retrieve("How many containers did Port Elin handle?")[0].text.count("5,900") == 1


def test_same_text_with_new_bytes_is_not_reembedded(corpus):
    assistant = Assistant()
    assistant.ingest([corpus])
    path = corpus / "harbour.txt"
    path.write_bytes(b"\xef\xbb\xbf" + ARTICLE.encode())  # a BOM: new bytes, same text
    assert assistant.ingest([corpus]).chunks_embedded == 0
    assert assistant.ingest([corpus]).chunks_embedded == 0


def test_sync_removes_documents_no_longer_in_the_folder(corpus):
    assistant = Assistant()
    assistant.ingest([corpus])
    (corpus / "sub" / "bakery.md").unlink()
    kept = assistant.ingest([corpus])
    assert kept.removed == 0 and len(assistant.documents()) == 2  # without --sync nothing is removed
    synced = assistant.ingest([corpus], sync=True)
    assert synced.removed == 1
    assert [d["title"] for d in assistant.documents()] == ["Harbour report"]
    assert not any("rye" in p.text for p in assistant.retrieve("rye bread bakery", k=5))


@pytest.fixture
def other(tmp_path):
    """A second folder, outside the corpus."""
    folder = tmp_path / "other"
    folder.mkdir()
    (folder / "x.txt").write_text("A lighthouse keeper logs the weather hourly.")
    return folder


def test_sync_leaves_documents_from_other_folders(corpus, other):
    assistant = Assistant()
    assistant.ingest([corpus, other])
    shutil.rmtree(corpus / "sub")
    assert assistant.ingest([corpus], sync=True).removed == 1
    assert {d["title"] for d in assistant.documents()} == {"Harbour report", "A lighthouse keeper logs the weather hourly."}


def test_exclusive_leaves_only_the_given_paths_documents(corpus, other):
    assistant = Assistant()
    assistant.ingest([corpus, other])
    (corpus / "sub" / "bakery.md").unlink()
    report = assistant.ingest([corpus], exclusive=True)
    assert (report.removed, report.removed_elsewhere) == (1, 1)  # a vanished file, and a stranger
    assert "removed 1 documents indexed from outside these paths" in report.summary()
    assert [d["title"] for d in assistant.documents()] == ["Harbour report"]
    assert not any("lighthouse" in p.text for p in assistant.retrieve("lighthouse keeper weather", k=5))


def test_bad_files_are_skipped_with_reasons_and_the_rest_is_ingested(corpus):
    (corpus / "empty.txt").write_text("")
    (corpus / "blob.txt").write_bytes(bytes(range(256)))
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    (corpus / "photo.png").write_bytes(b"\x89PNG")
    assistant = Assistant()
    report = assistant.ingest([corpus])
    assert report.added == 2 and not report.ok
    reasons = {name.rsplit("/", 1)[-1]: reason for name, reason in report.skipped}
    assert set(reasons) == {"empty.txt", "blob.txt", "broken.pdf"}
    assert "binary" in reasons["blob.txt"] and "PDF" in reasons["broken.pdf"]
    assert len(report.ignored) == 1  # unsupported types inside a folder are ignored, not errors
    assert "3 skipped" in report.summary()


def test_collections_are_separate(corpus):
    Assistant(collection="harbour").ingest([corpus / "harbour.txt"])
    Assistant(collection="bakery").ingest([corpus / "sub"])
    assert [d["title"] for d in Assistant(collection="harbour").documents()] == ["Harbour report"]
    assert [d["title"] for d in Assistant(collection="bakery").documents()] == ["Bakery"]


def test_chunk_metadata_carries_offsets_hashes_and_source(corpus):
    assistant = Assistant()
    assistant.ingest([corpus])
    rows = assistant.retriever.chunks.collection.get(include=["documents", "metadatas"])
    text = (corpus / "harbour.txt").read_text()
    for chunk, meta in zip(rows["documents"], rows["metadatas"]):
        assert {"doc_id", "source", "title", "path", "chunk_index", "start", "end", "content_hash"} <= set(meta)
        if meta["path"].endswith("harbour.txt"):
            assert text[meta["start"] : meta["end"]] == chunk


def test_invalid_collection_name_is_a_clear_error():
    with pytest.raises(StoreError, match="invalid collection name"):
        ChunkStore(Assistant().settings.home, "../escape")
