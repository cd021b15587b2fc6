"""The sentences put in front of the model: the best ones, each once."""

import shutil

from rag import Assistant, extractive, generate
from rag.types import Passage
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


def test_sentences_scoring_far_below_the_best_are_left_out():
    text = "Ferries leave at seven. The pier was rebuilt in 1990. Tickets cost four euros. Gulls nest on the roof."
    passage = Passage(id="p", doc_id="p", source="p.txt", title="p", text=text, score=1.0, start=0, end=len(text))
    sentences = [sentence + "." for sentence in text.rstrip(".").split(". ")]
    ranked = [extractive.Evidence(passage, text.index(sentence), text.index(sentence) + len(sentence), sentence, score=score)
              for sentence, score in zip(sentences, [0.8, 0.5, 0.47, 0.3])]
    chosen = generate.select_evidence(ranked)
    assert [e.text for e in chosen] == ["Ferries leave at seven.", "The pier was rebuilt in 1990."]  # 0.47 < 0.6 x 0.8
