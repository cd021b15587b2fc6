"""The default judge on statements it must accept and must reject; agreement arithmetic."""

import pytest

from evals.harness import from_answer
from evals.judges import AlignmentJudge, agreement
from rag.types import Answer, Citation, Passage, Sentence

PASSAGE = ("The United States Commerce Department tightened restrictions on Huawei’s access to American technology "
           "on August 17, adding 38 of the company’s affiliates in 21 countries to its economic blacklist.")


@pytest.mark.parametrize("statement, supported", [
    ("The Commerce Department added 38 of Huawei's affiliates to its economic blacklist.", True),
    ("The affiliates were in 21 countries.", True),
    ("The Commerce Department added 45 affiliates to its blacklist.", False),  # invented number
    ("The affiliates were located in 38 countries.", False),  # a number attached to something else
    ("The Commerce Department met Microsoft executives.", False),  # an invented name
    ("Bananas are rich in potassium.", False),
])
def test_alignment_judge(statement, supported):
    assert AlignmentJudge()(statement, [PASSAGE]) is supported


def test_alignment_judge_needs_passages():
    assert AlignmentJudge()("Anything at all.", []) is False


def test_the_judges_read_a_given_headline_as_the_answer_check_did():
    text = "Netflix announced Sunday that the wildly popular South Korean show is green lit for a second season."
    passage = Passage("n#0", "n", "https://news.test/1", "'Squid Game': Netflix green lights season 2", text, 1.0,
                      0, len(text), titled=True)
    statement = "Squid Game was green lit for a second season."
    citation = Citation(1, passage.id, "n", passage.source, passage.title, text, text, 0, len(text))
    answer = Answer("Which show?", statement + " [1]", False, [Sentence(statement, [1], True)], [citation], "local",
                    passages=[passage])
    response = from_answer(answer)
    assert AlignmentJudge()(statement, response.context) and AlignmentJudge()(statement, [response.cited[1]["text"]])
    assert not AlignmentJudge()(statement, [text])  # the sentence alone doesn't name the show


def test_agreement_and_kappa():
    def yes(statement, passages):
        return True

    def by_length(statement, passages):
        return len(statement) > 3

    pairs = [("long one", ["p"]), ("no", ["p"]), ("long two", ["p"]), ("x", ["p"])]
    result = agreement(yes, by_length, pairs)
    assert result["pairs"] == 4 and result["agreement"] == 0.5 and result["kappa"] == 0.0
    assert agreement(by_length, by_length, pairs)["kappa"] == 1.0
