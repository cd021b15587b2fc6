from pathlib import Path

import numpy as np
import pytest

from evals import seed_questions
from index import embedder
from index.loaders import load_file
from rag import Assistant
from rag.settings import Settings


@pytest.fixture(params=[20_000, 0], ids=["exact-dense", "hnsw-dense"])
def mixed_corpus(tmp_path, request):
    docs = {
        "cats.txt": "Cats sleep for up to sixteen hours a day. Domestic felines are crepuscular hunters.",
        "parts.txt": "Replacement part XK-4471-B fits the 2019 pump housing. Order it from the spares desk.",
        "rain.txt": "Heavy precipitation flooded the valley roads overnight, and the council closed the bridge.",
        "notes/tea.md": "# Tea\n\nGreen tea should steep for two minutes at 80 degrees.",
    }
    for name, text in docs.items():
        path = tmp_path / "corpus" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assistant = Assistant(settings=Settings(exact_search_limit=request.param))
    assistant.ingest([tmp_path / "corpus"])
    return assistant, tmp_path / "corpus"


def test_dense_side_finds_paraphrases_that_share_no_words(mixed_corpus):
    assistant, _ = mixed_corpus
    [hit] = assistant.retriever.retrieve("How long do kitties nap?", k=1, mode="dense")
    assert hit.text.startswith("Cats sleep")


def test_bm25_side_finds_exact_codes_that_embeddings_blur(mixed_corpus):
    assistant, _ = mixed_corpus
    [hit] = assistant.retriever.retrieve("XK-4471-B", k=1, mode="bm25")
    assert "XK-4471-B" in hit.text
    assert assistant.retrieve("XK-4471-B", k=1)[0].text == hit.text  # and hybrid keeps it first


def test_hybrid_fuses_both_and_respects_k(mixed_corpus):
    assistant, _ = mixed_corpus
    passages = assistant.retrieve("storm flooding closed a bridge", k=2)
    assert len(passages) == 2
    assert "bridge" in passages[0].text
    assert passages[0].score >= passages[1].score > 0


def test_source_filter_keeps_only_matching_documents(mixed_corpus):
    assistant, corpus = mixed_corpus
    passages = assistant.retrieve("how long", k=5, source=str(corpus / "notes"))
    assert passages and all(p.source.startswith(str(corpus / "notes")) for p in passages)
    assert assistant.retrieve("cats", k=5, source=str(corpus / "nothing-here")) == []


def test_passages_point_at_their_text_in_the_document(mixed_corpus):
    assistant, corpus = mixed_corpus
    for passage in assistant.retrieve("green tea steeping", k=4):
        [document], _ = load_file(Path(passage.source))  # the document's text as read: Markdown's without its markup
        assert document.text[passage.start : passage.end] == passage.text
        if passage.source.endswith(".txt"):  # plain text is read as it is: offsets index the file itself
            assert open(passage.source).read()[passage.start : passage.end] == passage.text


def test_empty_index_retrieves_nothing():
    assert Assistant().retrieve("anything at all") == []


def test_every_seed_question_has_its_evidence_in_the_top_5(seeded):
    for question in seed_questions(kinds=("article",)):
        if question["answerable"]:
            passages = seeded.retrieve(question["question"], k=5)
            assert any(question["evidence"] in p.text for p in passages), question["question"]


def test_dense_search_ranks_every_chunk_by_its_true_cosine_and_sees_new_documents(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(40):
        (corpus / f"note{n}.txt").write_text(f"Note {n}: the harbour crane number {n} lifted {n * 7} containers on day {n % 5}.")
    assistant = Assistant()
    assistant.ingest([corpus])
    question = "Which crane lifted the most containers?"
    rows = assistant.retriever.chunks.all_rows(["embeddings"])
    cosine = np.asarray(rows["embeddings"]) @ embedder.embed_one(question)
    truth = [rows["ids"][i] for i in np.argsort(-cosine)[:10]]
    assert [p.id for p in assistant.retriever.retrieve(question, k=10, mode="dense")] == truth

    (corpus / "barge.txt").write_text("The barge Heron carried the most containers of any vessel in the port.")
    assistant.ingest([corpus])  # a new revision: the vectors held in memory must be read again
    assert assistant.retriever.retrieve("Which vessel carried the most containers?", k=1, mode="dense")[0].source.endswith("barge.txt")
