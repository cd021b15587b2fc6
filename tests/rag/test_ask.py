import pytest

from evals import seed_questions
from rag import ABSTAIN_TEXT, QuestionError

PASSAGE_KEYS = ["id", "doc_id", "source", "title", "text", "score", "start", "end", "published"]
ANSWER_KEYS = ["question", "answer", "abstained", "sentences", "citations", "backend", "timings_ms"]
CITATION_KEYS = ["n", "passage_id", "doc_id", "source", "title", "text", "quote", "start", "end", "published"]


def test_answer_json_contract(seeded, seed_text):
    data = seeded.ask("How many Huawei affiliates were added to the economic blacklist?").to_dict()
    assert list(data) == ANSWER_KEYS
    assert data["backend"] == "extractive" and data["abstained"] is False
    assert "38" in data["answer"] and "[1]" in data["answer"]
    for sentence in data["sentences"]:
        assert list(sentence) == ["text", "citations", "supported"] and sentence["supported"] is True
    for citation in data["citations"]:
        assert list(citation) == CITATION_KEYS
        assert seed_text[citation["start"] : citation["end"]] == citation["quote"]
        assert citation["quote"] in citation["text"]
    assert {"retrieve", "answer", "total"} <= set(data["timings_ms"])


def test_passage_json_contract(seeded, seed_text):
    [passage] = seeded.retrieve("Meng Wanzhou", k=1)
    data = passage.to_dict()
    assert list(data) == PASSAGE_KEYS
    assert seed_text[data["start"] : data["end"]] == data["text"]


def test_seed_questions_cite_a_passage_holding_the_evidence(seeded):
    answerable = seed_questions(kinds=("article",))
    cited = [q for q in answerable if any(q["evidence"] in c.text for c in seeded.ask(q["question"]).citations)]
    # measured 42/47 with the extractive backend (22/25 on the first 25); the bar sits just under
    assert len(cited) >= 41, sorted(set(q["question"] for q in answerable) - set(q["question"] for q in cited))


def test_off_corpus_questions_abstain(seeded):
    for question in seed_questions(kinds=("off-corpus",)):
        if not question["answerable"]:
            answer = seeded.ask(question["question"])
            assert answer.abstained and answer.answer == ABSTAIN_TEXT, question["question"]
            assert answer.citations == [] and answer.sentences == []


def test_a_question_whose_best_sentence_is_a_long_quote_is_still_answered(seeded):
    # the sentence that answers ranks first on "Ren" and "recent speech", but as a whole it is a long
    # quote, and its meaning alone is below the relevance bar
    answer = seeded.ask("Who did Ren give his recent speech to?")
    assert not answer.abstained and "Chinese universities" in answer.answer
    # nor by the second sentence's meaning (0.21): by the question's words it holds
    answer = seeded.ask("Who published Ren's comments on Sunday?")
    assert not answer.abstained and "Shanghai Jiao Tong University" in answer.answer


@pytest.mark.parametrize("question, message", [("", "empty"), ("  \n\t ", "empty"), ("x" * 5000, "limit")])
def test_bad_questions_are_clear_errors(seeded, question, message):
    with pytest.raises(QuestionError, match=message):
        seeded.ask(question)


def test_control_characters_are_ignored(seeded):
    answer = seeded.ask("Who is Huawei's\x00 CFO?\x1b")
    assert answer.question == "Who is Huawei's CFO?" and "Meng Wanzhou" in answer.answer


def test_unknown_backend_is_a_clear_error(seeded):
    with pytest.raises(ValueError, match="unknown answer backend 'gpt-9'"):
        seeded.ask("Who is Huawei's CFO?", llm="gpt-9")
