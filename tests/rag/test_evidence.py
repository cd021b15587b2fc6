"""The sentences put in front of the model: the best ones, each once."""

import json
import shutil
from datetime import date

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


def _passage(text: str) -> Passage:
    return Passage(id="p", doc_id="p", source="p.txt", title="p", text=text, score=1.0, start=0, end=len(text))


def test_sentences_scoring_far_below_the_best_are_left_out():
    text = "Ferries leave at seven. The pier was rebuilt in 1990. Tickets cost four euros. Gulls nest on the roof."
    passage = _passage(text)
    sentences = [sentence + "." for sentence in text.rstrip(".").split(". ")]
    ranked = [extractive.Evidence(passage, text.index(sentence), text.index(sentence) + len(sentence), sentence, score=score)
              for sentence, score in zip(sentences, [0.8, 0.57, 0.55, 0.3])]
    chosen = generate.select_evidence(ranked)
    assert [e.text for e in chosen] == ["Ferries leave at seven.", "The pier was rebuilt in 1990."]  # 0.55 < 0.7 x 0.8


def test_a_sentence_is_read_with_the_one_before_it(monkeypatch):
    text = ("Regulators say the airline hid engine faults from its safety inspectors.\n"
            "The company has firmly denied the accusations. It flies to forty cities.")
    ranked = extractive.rank_sentences("How did the airline respond to the claims about engine faults?", [_passage(text)])
    by_text = {e.text: e for e in ranked}
    denial = by_text["The company has firmly denied the accusations."]
    assert denial.previous == "Regulators say the airline hid engine faults from its safety inspectors."
    first = by_text["Regulators say the airline hid engine faults from its safety inspectors."]
    assert first.previous == ""  # nothing before it
    by_hand = extractive.Evidence(first.passage, first.start, first.end, first.text)
    assert by_hand.previous == ""  # evidence made without its neighbour is read alone

    monkeypatch.setattr(extractive, "WINDOWED", 0)
    read_alone = {e.text: e for e in extractive.rank_sentences(
        "How did the airline respond to the claims about engine faults?", [_passage(text)])}
    assert denial.score > read_alone[denial.text].score + 0.02  # its predecessor says what was denied


def test_a_sentence_holding_the_kind_of_thing_asked_for_reaches_the_prompt_beside_a_closer_match():
    text = "About 300,000 reservists will be called up. Russia will call up reservists soon, the minister said."
    ranked = extractive.rank_sentences("How many reservists will Russia call up?", [_passage(text)])
    assert ranked[0].text.startswith("Russia will call up")  # it shares more of the question's words ...
    chosen = [e.text for e in generate.select_evidence(ranked)]
    assert "About 300,000 reservists will be called up." in chosen  # ... but only this one says how many


def _story(doc_id: str, text: str, published: str) -> Passage:
    return Passage(id=doc_id, doc_id=doc_id, source=f"{doc_id}.html", title=doc_id, text=text, score=1.0, start=0,
                   end=len(text), published=published)


def test_among_dated_documents_the_newest_telling_of_a_story_is_preferred():
    question = "How many customers in Florida lost power because of Hurricane Ian?"
    early = "More than 1.9 million customers in Florida lost power because of Hurricane Ian, officials said."
    later = "About 2.6 million customers in Florida were without power after Hurricane Ian."

    def best(early_date: str, later_date: str) -> str:
        passages = [_story("early", early, early_date), _story("later", later, later_date)]
        return extractive.rank_sentences(question, passages)[0].text

    assert best("", "") == early  # it shares more of the question's words ...
    assert best("2022-09-01", "2022-09-30") == later  # ... but a month later the story has moved on
    assert best("2022-09-28", "2022-09-30") == early  # two days apart, both are news
    assert best("2022-09-01", "") == early  # one date alone says nothing about which is newer


def test_recent_is_counted_back_from_the_date_asked_not_from_the_newest_document():
    question = "How many customers in Florida lost power because of Hurricane Ian?"
    early = "About 2.6 million customers in Florida were without power after Hurricane Ian."
    later = "More than 1.9 million customers in Florida lost power because of Hurricane Ian, officials said."
    # the later telling shares more of the question's words, and is the newest retrieved ...
    passages = [_story("early", early, "2022-09-29"), _story("later", later, "2022-11-20")]
    assert extractive.rank_sentences(question, passages)[0].text == later
    # ... but asked on 30 September, the story of that week is the recent one
    assert extractive.rank_sentences(question, passages, date(2022, 9, 30))[0].text == early


def test_the_date_a_corpus_gives_reaches_the_retrieved_passages(tmp_path):
    corpus = tmp_path / "news.jsonl"
    corpus.write_text("\n".join(json.dumps(r) for r in [
        {"doc_id": "a", "text": "The ferry to Elin leaves at seven every morning.", "published_at": "2022-09-30T08:00:00"},
        {"doc_id": "b", "text": "The ferry to Elin is cancelled on Sunday because of the storm."}]) + "\n")
    assistant = Assistant()
    assistant.ingest([corpus])
    published = {p.doc_id: p.published for p in assistant.retrieve("ferry to Elin", k=2)}
    assert published == {"a": "2022-09-30T08:00:00", "b": ""}
    answer = assistant.ask("When does the ferry to Elin leave?", llm="extractive")
    assert [c.published for c in answer.citations] == ["2022-09-30T08:00:00"]  # the citation says it too


def test_a_sentence_ending_in_a_colon_is_shown_with_the_one_it_announces(tmp_path):
    text = ("Velden harbour notes\n\nThe harbour office opens at eight.\n\nDamage to a berth should be reported to:\n\n"
            "    berths@velden.example\n\nThe office answers within a day.")
    ranked = extractive.rank_sentences("Where should damage to a berth be reported?", [_passage(text)])
    [shown] = [e for e in generate.select_evidence(ranked) if "reported" in e.text]
    assert shown.text == "Damage to a berth should be reported to:\n\n    berths@velden.example"
    assert text[shown.start:shown.end] == shown.text  # the quote is still the document's text at its offsets
    assert generate.select_evidence(extractive.rank_sentences("When does the office open?", [_passage(text)]))[0].text \
        == "The harbour office opens at eight."  # a sentence without a colon is shown alone

    (tmp_path / "notes.txt").write_text(text)
    assistant = Assistant()
    assistant.ingest([tmp_path / "notes.txt"])
    answer = assistant.ask("Where should damage to a berth be reported?", llm="extractive")
    assert answer.answer.startswith("Damage to a berth should be reported to: berths@velden.example [1]")
    assert answer.citations[0].quote == "Damage to a berth should be reported to:\n\n    berths@velden.example"


def test_a_sentence_ending_in_a_colon_is_shown_with_the_block_of_lines_it_announces(tmp_path):
    (tmp_path / "upgrade.md").write_text(
        "# Upgrading\n\nTo switch from a release to the development head of the tool, use:\n\n"
        "```sh\nbrew uninstall tool\nbrew install tool --head\n```\n\nThen upgrade it as usual. It takes a minute.\n")
    assistant = Assistant()
    assistant.ingest([tmp_path])
    question = "How do you switch from a release to the development head of the tool?"
    [shown] = [e for e in generate.select_evidence(extractive.rank_sentences(question, assistant.retrieve(question)))
               if "switch" in e.text]
    assert shown.text == ("To switch from a release to the development head of the tool, use:\n\n"
                          "brew uninstall tool\nbrew install tool --head")  # the block, not the prose after it
