"""Content terms: what every overlap check in rag/ compares."""

from rag.text import parted_words, raw_words, terms


def test_number_words_are_digits_and_function_words_are_dropped():
    assert terms("The detention was extended by six months") == terms("detention extended 6 months")
    assert terms("what was it that they did") == set()
    assert terms("his third son") == terms("his 3rd son") and terms("the first") == terms("the 1st")


def test_content_words_of_sklearns_stopword_list_are_terms():
    # sklearn's list holds "fire", "system", "take", "give", "last": answers, not glue
    assert {"fire", "system", "last"} <= terms("recalled over a fire risk in the braking system, the last one")
    assert terms("take") and terms("gave")


def test_irregular_forms_share_their_lemma_but_names_and_acronyms_are_left_alone():
    assert terms("took") == terms("take") and terms("gave") == terms("give") and terms("men") == terms("man")
    assert terms("the company was founded") == terms("founding company")
    assert terms("US") != terms("we") and terms("US")  # an acronym is a country, not a pronoun
    assert terms("children") == terms("child") and terms("Children") == {"children"}  # a capital: maybe a name
    assert terms("moscow on monday") == terms("Moscow on Monday")  # a name written in lowercase is still that name


def test_each_word_comes_with_what_parts_it_from_the_word_before():
    text = "Oxygen-16, at 54.36 K; the U.S. isn't"
    assert parted_words(text) == [("", "Oxygen"), ("-", "16"), (", ", "at"), (" ", "54.36"), (" ", "K"), ("; ", "the"),
                                  (" ", "U.S"), (". ", "isn't")]
    assert [word for _, word in parted_words(text)] == raw_words(text)
