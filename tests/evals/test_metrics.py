"""Each metric on hand-made cases whose values are known, including ALCE's precision corner cases."""

import pytest

from evals import metrics


def test_retrieval_metrics_on_a_known_ranking():
    ranked = [False, True, False, True, False]  # relevant at ranks 2 and 4, three relevant in all
    assert metrics.hit_at(ranked, 1) == 0 and metrics.hit_at(ranked, 2) == 1
    assert metrics.recall_at(ranked, 5, 3) == pytest.approx(2 / 3)
    assert metrics.mrr_at(ranked, 10) == 0.5 and metrics.mrr_at([False] * 5, 10) == 0
    dcg = 1 / 1.5849625 + 1 / 2.3219281  # log2(3), log2(5)
    ideal = 1 + 1 / 1.5849625 + 1 / 2
    assert metrics.ndcg_at(ranked, 10, 3) == pytest.approx(dcg / ideal, rel=1e-6)
    assert metrics.ndcg_at([True], 10, 1) == 1.0


def test_answer_metrics_follow_squad():
    assert metrics.exact_match("The Eiffel Tower!", ["eiffel tower"]) == 1
    assert metrics.token_f1("in Paris, France", ["Paris"]) == pytest.approx(2 * (1 / 3) * 1 / (1 / 3 + 1))  # P 1/3, R 1
    assert metrics.token_f1("London", ["Paris"]) == 0
    assert metrics.answer_in_text("It opened in 1998 after six years.", ["1998"]) == 1
    assert metrics.answer_in_text("It’s “Squid Game”.", ["\u201cSquid Game\u201d"]) == 1
    assert metrics.answer_in_text("The detention was extended by six months.", ["6"]) == 1
    assert metrics.answer_in_text("She is due to serve a nine-year sentence.", ["9"]) == 1
    assert metrics.answer_in_text("Brazil's election goes to a run-off.", ["Brazil"]) == 1
    assert metrics.answer_in_text("It opened in 2016.", ["6"]) == 0  # whole words, not a substring
    assert metrics.answer_in_text("New Jersey and Oregon ban it.", ["New Jersey & Oregon"]) == 1
    assert metrics.answer_in_text("China and Russia are closer.", ["Russia and China"]) == 1  # a pair, either way round
    assert metrics.answer_in_text("It was updated on October 2, 2018.", ["2 October 2018"]) == 1  # a date, either order
    assert metrics.answer_in_text("It was updated on 2 October 2018.", ["October 2, 2018"]) == 1
    assert metrics.answer_in_text("It was updated on October 20, 2018.", ["2 October 2018"]) == 0
    assert metrics.answer_in_text("China and India are closer.", ["Russia and China"]) == 0
    assert metrics.answer_in_text("Russia is closer.", ["Russia and China"]) == 0  # half a pair is not the answer
    assert metrics.answer_in_text("Liz Cheney lost her seat.", ["Rep. Liz Cheney"]) == 1  # a title is no part of a name
    assert metrics.answer_in_text("Boris Johnson resigned.", ["UK Prime Minister Boris Johnson"]) == 1
    assert metrics.answer_in_text("Joe Biden tested positive.", ["First lady Dr. Jill Biden"]) == 0
    assert metrics.answer_in_text("Biden tested positive.", ["President Joe Biden"]) == 0  # a surname alone is not the name
    assert metrics.answer_in_text("He won the Open.", ["US Open"]) == 0


def test_a_choice_named_best_counts_for_answers_right_in_other_words():
    tires = ["Fire risks", "Seatbelt malfunctions", "Defective tires", "Faulty airbags"]
    assert metrics.choice_picked("They were recalled due to a fire risk while parked. [1]", tires, ["Fire risks"]) == 1
    assert metrics.choice_picked("They were recalled due to faulty airbags. [1]", tires, ["Fire risks"]) == 0
    swings = ["30,000", "350,000", "500,000", "2 million"]
    assert metrics.choice_picked("4moms recalled millions of baby swings. [1]", swings, ["2 million"]) == 0  # not its number
    assert metrics.choice_picked("About 2 million swings were recalled. [2]", swings, ["2 million"]) == 1
    fines = ["$19,000", "$100,000", "$1 million", "$19 million"]
    assert metrics.choice_picked("The bidder paid $19 million. [1]", fines, ["$19 million"]) == 1  # "[1]" is no "$1 million"
    cities = ["Hong Kong", "Mexico City", "London", "Montreal"]
    assert metrics.choice_picked("Most come from New York City. [1]", cities, ["Mexico City"]) == 0  # half a name
    pairs = ["Russia and Finland", "Ukraine and North Korea", "Russia and China", "Ukraine and China"]
    assert metrics.choice_picked("China and Russia grew closer after the war in Ukraine began.", pairs, ["Russia and China"]) == 0  # a tie
    assert metrics.choice_picked("Anything at all.", [], ["x"]) is None


def test_abstention_scores():
    abstained = [True, True, False, False, True]
    answerable = [False, True, False, True, True]  # TP=1, FP=2, FN=1
    scores = metrics.abstention_scores(abstained, answerable)
    assert scores["precision"] == pytest.approx(1 / 3) and scores["recall"] == pytest.approx(1 / 2)
    assert scores["f1"] == pytest.approx(0.4) and scores["false_abstain_rate"] == pytest.approx(2 / 3)


def keyword_judge(statement: str, passages: list[str]) -> bool:
    """Supported when every word of the statement is in the passages together (a transparent judge)."""
    text = " ".join(passages).lower()
    return all(word in text for word in statement.lower().rstrip(".").split())


PASSAGES = {1: "alpha beta", 2: "gamma", 3: "delta", 4: "alpha beta gamma"}


@pytest.mark.parametrize("statements, recall, precision", [
    ([("alpha beta.", [1])], 1.0, 1.0),  # one citation that supports
    ([("alpha gamma.", [1])], 0.0, 0.0),  # one citation that doesn't
    ([("alpha beta.", [])], 0.0, 0.0),  # no citation: recall 0, no citations to be precise
    ([("alpha beta.", [1, 3])], 1.0, 0.5),  # [3] alone fails while [1] supports: [3] is irrelevant
    ([("alpha gamma.", [1, 2])], 1.0, 1.0),  # each needed, neither alone suffices: both precise
    ([("alpha beta.", [1, 4])], 1.0, 1.0),  # both support alone: both precise
    ([("alpha gamma.", [1, 3])], 0.0, 0.0),  # not jointly supported: no citation is precise
    ([("alpha beta.", [9])], 0.0, 0.0),  # a citation to no passage
    ([("alpha beta.", [1]), ("delta.", [2])], 0.5, 0.5),
])
def test_alce_citation_recall_and_precision(statements, recall, precision):
    scores = metrics.alce_citation_scores(statements, PASSAGES, keyword_judge)
    assert scores["recall"] == pytest.approx(recall) and scores["precision"] == pytest.approx(precision)


def test_faithfulness_and_gold_sentence_citations():
    assert metrics.faithfulness(["alpha.", "zeta."], ["alpha beta"], keyword_judge) == 0.5
    assert metrics.faithfulness([], ["alpha"], keyword_judge) is None
    scores = metrics.sentence_citation_scores(
        ["Lilu is a spirit.", "Unrelated text."], ["A lilu or lilû is a masculine word. Lilu is a spirit.", "Other gold."])
    assert scores == {"precision": 0.5, "recall": 0.5}


def test_intervals():
    low, high = metrics.wilson(8, 10)
    assert low == pytest.approx(0.490, abs=0.002) and high == pytest.approx(0.943, abs=0.002)
    assert metrics.wilson(0, 0) is None
    summary = metrics.mean_with_interval([1, 0, None, 1, 1], binary=True)
    assert summary["mean"] == 0.75 and summary["n"] == 4 and summary["low"] < 0.75 < summary["high"]
    assert metrics.mean_with_interval([None]) is None
    assert metrics.bootstrap([0.5, 0.5, 0.5]) == (0.5, 0.5)


def test_a_right_answer_quoting_another_article_that_states_it_is_right_and_quoted_not_cited_gold():
    from evals.datasets import normalise
    from evals.harness import Response, score_question

    question = normalise({"question": "Which country was shaken by a 7.0-magnitude earthquake this week?",
                          "answers": ["Philippines"], "gold_doc_ids": ["gold-article"]}, 1)

    def scored(quote: str) -> dict:
        cited = {1: {"doc_id": "same-story-elsewhere", "source": "", "text": f"(CNN) {quote} More later.", "quote": quote}}
        response = Response("The Philippines was shaken by the earthquake [1].", False,
                            [("The Philippines was shaken by the earthquake.", [1])], cited, [cited[1]["text"]])
        return score_question(question, None, response, lambda statement, passages: True)

    states = scored("A 7.0-magnitude earthquake shook parts of the Philippines today.")
    assert states["answer_in_text"] == 1 and states["right_and_cited"] == 0 and states["right_and_quoted"] == 1
    elsewhere = scored("The quake was felt across the region.")  # the passage is cited, but its quote names no answer
    assert elsewhere["right_and_quoted"] == 0


def test_a_multiple_choice_question_scores_the_choice_its_answer_names():
    from evals.datasets import normalise
    from evals.harness import Response, score_question

    row = {"question": "Why were some SUVs recalled this week?", "answers": ["Fire risks"], "gold_doc_ids": ["gold"],
           "choices": ["Fire risks", "Seatbelt malfunctions", "Defective tires", "Faulty airbags"]}
    cited = {1: {"doc_id": "gold", "source": "", "text": "They risk a fire while parked.", "quote": "They risk a fire while parked."}}
    response = Response("They were recalled due to a fire risk [1].", False,
                        [("They were recalled due to a fire risk.", [1])], cited, [cited[1]["text"]])
    scores = score_question(normalise(row, 1), None, response, lambda statement, passages: True)
    assert scores["answer_in_text"] == 0 and scores["right_and_cited"] == 0  # not the gold's words
    assert scores["answer_or_choice"] == 1 and scores["answer_or_choice_cited"] == 1
    without_choices = score_question(normalise({**row, "choices": []}, 1), None, response, lambda s, p: True)
    assert "answer_or_choice" not in without_choices
