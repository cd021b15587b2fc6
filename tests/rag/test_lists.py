"""Cutting a name the model added to a list: the text rules, then the check on hand-made passages."""

import pytest

from rag.lists import drop_names, each_of_pair
from rag.types import Passage
from rag.verify import candidate_spans, check, each_of_pair as check_each_of_pair, without_listed_names

DOC = ("Huawei moves its investments\n\nThe US formally cut off Huawei’s access to US components and technology "
       "in May 2019, but was forced to issue exemptions to the restrictions amid complaints by US tech companies "
       "including Google and Microsoft that the loss of Huawei’s business threatened to deprive them of billions "
       "of dollars in earnings.\n\nThe United States Commerce Department tightened restrictions on Huawei in August.")
QUESTION = "Which US tech companies complained about losing Huawei's business?"


@pytest.fixture
def spans():
    return candidate_spans([Passage(id="p", doc_id="d", source="huawei.txt", title="huawei", text=DOC,
                                    score=1.0, start=0, end=len(DOC))])


@pytest.mark.parametrize("sentence, names, shorter", [
    ("Companies including Google, Microsoft, and the US Commerce Department complained.", ["Commerce", "Department"],
     "Companies including Google and Microsoft complained."),
    ("Google, Apple, and Microsoft complained.", ["Apple"], "Google and Microsoft complained."),
    ("Apple, Google and Microsoft complained.", ["Apple"], "Google and Microsoft complained."),
    ("Ships came from Rotterdam and Antwerp.", ["Antwerp"], "Ships came from Rotterdam."),
    ("It was built by the Bank of America and Goldman Sachs.", ["Bank"], "It was built by Goldman Sachs."),
    # an opening is not an item: "In March" stays, and keeps its comma
    ("In March, Google and Apple complained.", ["Apple"], "In March, Google complained."),
    # a "both" earlier in the sentence is not the list's own
    ("Both firms said Google, Microsoft and Apple complained.", ["Apple"], "Both firms said Google and Microsoft complained."),
])
def test_the_item_holding_the_name_is_cut_and_the_list_rejoined(sentence, names, shorter):
    assert drop_names(sentence, names) == shorter


@pytest.mark.parametrize("sentence, names", [
    ("Apple complained about Google.", ["Apple"]),  # not in a list: the name carries the claim
    ("The company moved to Moscow in 2019.", ["Moscow"]),
    ("A war between Russia and Ukraine began.", ["Ukraine"]),  # a pair that is one claim
    ("Both Google and Apple complained.", ["Apple"]),
    ("It is shared by both Google and Apple.", ["Apple"]),
])
def test_a_name_outside_a_list_of_separate_items_is_not_cut(sentence, names):
    assert drop_names(sentence, names) is None


def test_a_padded_list_keeps_its_true_items_and_the_check_cites_them(spans):
    draft = "US tech companies including Google, Microsoft, and the US Commerce Department complained."
    failed = check(draft, [1], QUESTION, spans)
    assert not failed.supported  # the department is in the passage, but it complained of nothing

    kept = without_listed_names(failed, QUESTION, spans)
    assert kept.supported and kept.text == "US tech companies including Google and Microsoft complained."
    assert "Google and Microsoft" in kept.span.text


def test_a_list_padded_so_far_that_too_few_of_its_words_are_in_the_passage_is_cut_too(spans):
    # the bundled model's draft for the seed question: the department's three words thin its coverage
    failed = check("Google, Microsoft, and the US Commerce Department complained about losing Huawei's business.",
                   [1], QUESTION, spans)
    assert any("of its terms are in any passage" in reason for reason in failed.reasons)
    kept = without_listed_names(failed, QUESTION, spans)
    assert kept.supported and kept.text == "Google and Microsoft complained about losing Huawei's business."


def test_a_sentence_wrong_beyond_its_list_still_falls(spans):
    # cutting Apple leaves "Google sued Huawei in 2017", which the passage doesn't say either
    failed = check("Google and Apple sued Huawei in 2017.", [1], "Who sued Huawei?", spans)
    assert without_listed_names(failed, "Who sued Huawei?", spans) is failed
    assert not failed.supported


@pytest.mark.parametrize("sentence, question, parts", [
    ("Yes, Tarrow and Brindle are both board games.", "Are Tarrow and Brindle both board games?",
     [("Yes, Tarrow are both board games.", "Are Tarrow both board games?"),
      ("Yes, Brindle are both board games.", "Are Brindle both board games?")]),
    # the question's order need not be the sentence's; a name of several words, "the", lowercase particles
    ("Both the Port Elin Gazette and Ada von Brenner's Weekly are British.",
     "Are Ada von Brenner's Weekly and the Port Elin Gazette both British?",
     [("Both Port Elin Gazette are British.", "Are Port Elin Gazette both British?"),
      ("Both Ada von Brenner's Weekly are British.", "Are Ada von Brenner's Weekly both British?")]),
    ("Both Harbour Nights and Big Crane 6 were released by Norland Pictures.",  # a name may end in a number
     "Both Harbour Nights and Big Crane 6 were released by what studio?",
     [("Both Harbour Nights were released by Norland Pictures.", "Both Harbour Nights were released by what studio?"),
      ("Both Big Crane 6 were released by Norland Pictures.", "Both Big Crane 6 were released by what studio?")]),
])
def test_a_pair_the_question_names_is_cut_to_each_name(sentence, question, parts):
    assert each_of_pair(sentence, question) == parts


@pytest.mark.parametrize("sentence, question", [
    ("Yes, Tarrow and Brindle are sold in the same shops.", "Are Tarrow and Brindle sold in the same shops?"),
    ("The match between Tarrow and Brindle was drawn.", "Was the match between Tarrow and Brindle drawn?"),
    ("Yes, Tarrow and Brindle are both board games.", "Is Tarrow a board game?"),  # the question pairs nothing
])
def test_a_pair_said_of_at_once_or_not_asked_about_is_not_cut(sentence, question):
    assert each_of_pair(sentence, question) is None


GAMES = [Passage(id=name.lower(), doc_id=name.lower(), source=f"{name}.txt", title=name, text=text, score=1.0,
                 start=0, end=len(text)) for name, text in [
    ("Tarrow", "Tarrow is a board game for two players. It was first sold in Port Elin in 1931."),
    ("Brindle", "Brindle is a board game from the Nile delta, played with sticks instead of dice."),
    ("Quell", "Quell is a card game played with a French deck."),
]]


def test_a_yes_to_a_question_about_two_documents_stands_when_each_holds_its_part():
    spans = candidate_spans(GAMES)
    question = "Are Tarrow and Brindle both board games?"
    failed = check("Yes, Tarrow and Brindle are both board games.", [1], question, spans)
    assert not failed.supported  # no one passage names both
    kept = check_each_of_pair(failed, question, spans)
    assert kept.supported and [span.passage.doc_id for span in kept.spans] == ["tarrow", "brindle"]
    assert kept.span.text == "Tarrow is a board game for two players."

    wrong = "Yes, Tarrow and Quell are both board games."
    asked = "Are Tarrow and Quell both board games?"
    assert not check_each_of_pair(check(wrong, [1], asked, spans), asked, spans).supported


def test_a_yes_stands_only_on_the_whole_premise():
    spans = candidate_spans(GAMES)
    # Brindle's document holds three of the five terms: enough for a statement, not for a yes
    question = "Are Tarrow and Brindle both board games for two players?"
    draft = check("Yes, Tarrow and Brindle are both board games for two players.", [1], question, spans)
    assert not check_each_of_pair(draft, question, spans).supported
    assert check("Yes, Tarrow is a board game for two players.", [1], "Is Tarrow a board game for two players?", spans).supported
    verdict = check("Yes, Quell is a board game.", [1], "Is Quell a board game?", spans)
    assert not verdict.supported and "only 67%" in verdict.reasons[0]
