"""The default judge on statements it must accept and must reject; agreement arithmetic."""

import pytest

from evals.judges import AlignmentJudge, agreement

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


def test_agreement_and_kappa():
    def yes(statement, passages):
        return True

    def by_length(statement, passages):
        return len(statement) > 3

    pairs = [("long one", ["p"]), ("no", ["p"]), ("long two", ["p"]), ("x", ["p"])]
    result = agreement(yes, by_length, pairs)
    assert result["pairs"] == 4 and result["agreement"] == 0.5 and result["kappa"] == 0.0
    assert agreement(by_length, by_length, pairs)["kappa"] == 1.0
