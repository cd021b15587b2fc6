"""The sentences put in front of the model: the best ones, each once."""

import shutil

from rag import Assistant, extractive, generate
from tests.conftest import SEEDS


def test_copies_of_one_file_in_two_folders_give_each_sentence_once(tmp_path):
    for folder in ("a", "b"):
        shutil.copytree(SEEDS, tmp_path / folder)
    assistant = Assistant()
    assistant.ingest([tmp_path / "a", tmp_path / "b"])
    question = "Which US tech companies complained about losing Huawei's business?"
    passages = assistant.retrieve(question, k=6)
    assert len({p.doc_id for p in passages}) == 2  # both copies are retrieved ...

    chosen = generate.select_evidence(extractive.rank_sentences(question, passages))
    texts = [" ".join(e.text.split()) for e in chosen]
    assert len(chosen) == generate.MAX_SOURCES and len(set(texts)) == len(texts)  # ... but shown once
    assert "Google and Microsoft" in texts[0]
