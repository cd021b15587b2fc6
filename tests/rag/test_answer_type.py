"""What a question asks for, and whether an answer sentence gives it (rag/answer_type.py)."""

import pytest

from rag.answer_type import COMPARISON, COUNT, NAME, PLACE, TIME, asks_yes_no, expected, holds, leaves_unnamed


@pytest.mark.parametrize("question, kind", [
    ("How many containers did the harbour handle?", COUNT),
    ("How much did the new crane cost?", COUNT),
    ("What percentage of ships came from Hamburg?", COUNT),
    ("When did the crane arrive?", TIME),
    ("In what year was the quay built?", TIME),
    ("Which company built the crane?", NAME),
    ("Which European country sent most ships?", NAME),
    ("Which band announced a reunion tour?", NAME),
    ("Where was the crane installed?", PLACE),
    ("Which two major supermarkets plan to merge?", NAME),
    ("Which storm hit the harbour this week?", NAME),
    ("Who installed the crane?", None),                 # as often "the dock workers" as a name
    ("What is the state average growth rate?", None),   # "state" here is no named thing
    ("Which port is older, Hamburg or Rotterdam?", COMPARISON),  # the answer is in the question: the comparison must be said
    ("Which port is in Germany, Hamburg or Rotterdam?", None),  # ... and with none, only the judge can tell
    ("Which item can adults buy without first seeing a doctor or needing a prescription?", None),  # no named options
    ("When rich ports trade with poor ones, whose wages rise?", None),  # "when" as a conjunction
    ("What kind of state was it admitted as?", None),
    ("Why did the crane stop?", None),
])
def test_expected_kind(question, kind):
    assert expected(question) == kind


@pytest.mark.parametrize("sentence, question, kind, answer", [
    ("The harbour handled 4,200 containers.", "How many containers did the harbour handle?", COUNT, True),
    ("It lifted six loads.", "How many loads did it lift?", COUNT, True),
    ("The fine was $402 million.", "How much was the fine?", COUNT, True),
    ("He was a two-time champion.", "How many times did he win?", COUNT, True),
    ("The harbour handled many containers in the 17th century.", "How many containers did it handle?", COUNT, False),  # "many" echoes; "17th" counts nothing
    ("Huawei made dramatic investments in Russia.", "How much revenue did Huawei make in Russia in 2019?", COUNT, False),
    ("The harbour handled containers in 2019.", "How many containers did the harbour handle in 2019?", COUNT, False),
    ("Putin called up reservists on September 21, 2022.", "How many Russians could be conscripted?", COUNT, False),  # a date counts nothing
    ("Prices rose the most since May 1979.", "How much did prices rise?", COUNT, False),
    ("By 3 March, 40 ships had called.", "How many ships called by March?", COUNT, True),
    ("He was minister (1890-1892) and leader in 1896.", "How many times was he premier?", COUNT, False),  # years count nothing
    ("The war lasted from 1939 to 1945.", "How long did the war last?", COUNT, True),  # ... but say how long
    ("In 2019 the harbour handled 2000 containers.", "How many containers did it handle?", COUNT, True),
    ("The crane arrived in July.", "When did the crane arrive?", TIME, True),
    ("The crane arrived last week.", "When did the crane arrive?", TIME, True),
    ("The crane arrived from Hamburg.", "When did the crane arrive?", TIME, False),
    ("The plague reached England in the spring of 1349.", "In what month in 1349 did the plague reach England?", TIME, False),
    ("The manual was released in August 1992.", "In what month and year was the manual released?", TIME, True),
    ("The quay was built in the 1960s.", "In what year was the quay built?", TIME, False),  # a decade is no year
    ("The quay was built in 1968.", "In what year was the quay built?", TIME, True),
    ("The quay was built in the late 19th century.", "In what century was the quay built?", TIME, True),
    ("Restrictions were tightened in the spring.", "On what date were restrictions tightened?", TIME, False),
    ("Restrictions were tightened on May 15.", "On what date were restrictions tightened?", TIME, True),
    ("Liebherr built the crane.", "Which company built the crane?", NAME, True),
    ("The company is scaling back its orders.", "Which company is scaling back its orders?", NAME, False),
    ("They will release a single on Friday and tour in October.", "Which band announced a reunion tour?", NAME, False),
    ("Blink-182 will tour in October.", "Which band announced a reunion tour?", NAME, True),
    ("The crane was installed on the north quay.", "Where was the crane installed?", PLACE, True),
    ("The crane was installed in July.", "Where was the crane installed?", PLACE, False),  # a time is no place
    ("Whatever it says.", "Why?", None, True),
    ("Hamburg is the older port.", "Which port is older, Hamburg or Rotterdam?", COMPARISON, True),
    ("Rotterdam was founded later.", "Which port is older, Hamburg or Rotterdam?", COMPARISON, True),  # one group
    ("Hamburg is a port founded in 1189.", "Which port is older, Hamburg or Rotterdam?", COMPARISON, False),
    ("Richard Bach was more popular.", "What author was more popular in the 70's, Richard Wright or Richard Bach?",
     COMPARISON, True),
])
def test_holds(sentence, question, kind, answer):
    assert holds(sentence, kind, question) is answer


@pytest.mark.parametrize("question, answer", [
    ("Are Medici and Senet both board games?", True),
    ("The director Armando Iannucci has an OBE. Does the director Puneet Sira also have one?", True),
    ("Is Paris the capital of France?", True),
    ("Can a packet be lost and if so, then where does it go?", False),  # a wh-question within
    ("Is the output typically a simple or a complex answer?", False),  # a choice
    ("Which port is older, Hamburg or Rotterdam?", False),
    ("What did the crane lift?", False),
])
def test_asks_yes_no(question, answer):
    assert asks_yes_no(question) is answer


@pytest.mark.parametrize("sentence, question, thing", [
    ("Now the brand is adding a brand new character to the mix.", "Which new character did the brand add this week?", "character"),
    ("Ford unveiled a new truck on Monday.", "Which truck did Ford unveil?", "truck"),
    ("Ford unveiled the Ranger, a new truck.", "Which truck did Ford unveil?", None),  # named
    ("The cafe added a new dessert, lemon tart.", "Which new dessert did the cafe add?", None),  # named after it
    ("The cafe added a new dessert called lemon tart.", "Which new dessert did the cafe add?", None),
    ("The cafe added the lemon tart.", "Which new dessert did the cafe add?", None),
    ("Cotula is a genus of flowering plant.", "Which plant is larger, the Pterocarya or the Cotula?", None),  # a choice
    ("An early rise in respiratory viruses is filling hospitals.", "Which virus is filling hospitals?", "virus"),
    ("Respiratory viruses such as RSV are filling hospitals.", "Which virus is filling hospitals?", None),
    ("The animals escaped through a gate.", "Which animals slipped loose?", None),  # asked for several
    ("The 10 Senate seats most likely to flip in 2022.", "Which US Senate seat is most likely to flip?", "seat"),  # counted, dated
    ("The respiratory viruses seen in 12 states fill hospitals.", "Which virus fills hospitals?", None),  # any other number may name it
])
def test_leaves_unnamed(sentence, question, thing):
    assert leaves_unnamed(sentence, question) == thing
