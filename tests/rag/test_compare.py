"""Which came first: a comparison the answer makes, checked on the years of the two documents."""

import pytest

from rag.compare import misordered, options
from rag.types import Passage
from rag.verify import candidate_spans, check, require_true_order


@pytest.mark.parametrize("question, named", [
    ("Which magazine was published first, Harbour Weekly or Crane News?", ("Harbour Weekly", "Crane News")),
    ("Which band was formed first The Tides or Port Elin Brass ?", ("Tides", "Port Elin Brass")),
    ("Which came first the forming of The Tides or the birth of Ada Brenner?", ("Tides", "Ada Brenner")),
    ("Is the crane red or blue?", None),  # no names to choose between
])
def test_options(question, named):
    assert options(question) == named


def titled(title: str, text: str) -> Passage:
    return Passage(id=title, doc_id=title, source=f"{title}.txt", title=title, text=text, score=1.0, start=0,
                   end=len(text), titled=True)


MAGAZINES = [
    titled("Harbour Weekly", "Harbour Weekly is a magazine about shipping, published since July 1980. It is sold in Port Elin."),
    titled("Crane News", "Crane News is a trade magazine published since 1922. Its first editor was Ada Brenner."),
]
QUESTION = "Which magazine was published first, Harbour Weekly or Crane News?"


def checked(sentence: str) -> list:
    spans = candidate_spans(MAGAZINES)
    judgements = [check(sentence, [1], QUESTION, spans)]
    assert judgements[0].supported, judgements[0].reasons  # every word of it is in a passage
    require_true_order(judgements, QUESTION, spans)
    return judgements


def test_a_choice_the_other_document_dates_earlier_is_withdrawn():
    [wrong] = checked("Harbour Weekly was published first, in July 1980.")
    assert not wrong.supported
    assert wrong.reasons == ["says Harbour Weekly came earlier, but its year is 1980 and Crane News's document gives 1922"]


def test_a_choice_the_years_agree_with_stands():
    assert checked("Crane News was published first, since 1922.")[0].supported
    assert checked("Harbour Weekly was published later, since July 1980.")[0].supported  # said the other way round


def test_an_order_that_cannot_be_told_is_left_to_the_other_rules():
    documents = {"Harbour Weekly": MAGAZINES[0].text}  # the other magazine's document was not retrieved
    assert misordered("Harbour Weekly was published first.", QUESTION, "", documents) is None
    both = {"Harbour Weekly": MAGAZINES[0].text, "Crane News": "Crane News is a trade magazine."}  # it has no year
    assert misordered("Harbour Weekly was published first.", QUESTION, "", both) is None
