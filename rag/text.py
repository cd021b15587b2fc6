"""Content terms of a text: lowercased words and numbers, stopwords out, lemmatized, Snowball-stemmed.

The same terms serve BM25-style overlap checks everywhere in rag/ (which sentence answers the
question, whether an answer sentence is backed by a passage), so "supported" means one thing.
A stemmer cuts suffixes, so "took" stayed apart from "take" and "men" from "man": a draft restating
"When did the government take land?" as "… took land" added a word, and the check could not see that
the passage says "gave" where the question says "take". Lowercase words are lemmatized first
(simplemma's English dictionary, a lookup); a capitalized word is a name, and "US" is not "we".
"""

from __future__ import annotations

import re
from functools import lru_cache

WORD = r"[^\W_]+(?:[.,'’][^\W_]+)*"
_WORD = re.compile(WORD, re.UNICODE)
_PARTED_WORD = re.compile(rf"(\W*?)({WORD})", re.UNICODE)
NUMBER = re.compile(r"^\d+(?:[.,]\d+)*$")  # a word that is a number: "38", "4,200", "3.5"


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS  # 318 words, question words included

    # number words carry answers ("extended by six months"), so they are terms, not stopwords; so do the
    # content words sklearn's list holds (its docs call the list flawed): "recalled due to a fire risk",
    # "the British government gave land", "the last emperor"
    return frozenset((ENGLISH_STOP_WORDS | {"did", "does", "doing", "according", "article", "say", "said"})
                     - set(NUMBER_WORDS) - set(ORDINAL_WORDS) - {"hundred"} - CONTENT_WORDS)


CONTENT_WORDS = frozenset(
    "amount back bill bottom call cry describe detail empty fill find fire former found front full give interest "
    "keep last latter made mill move name next part put serious show side sincere system take thick thin top".split())


# spelled-out numbers become digits, so "six months" and "6 months" are the same terms
NUMBER_WORDS = {w: str(n) for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())}
NUMBER_WORDS.update(thirty="30", forty="40", fifty="50", sixty="60", seventy="70", eighty="80", ninety="90")
# ordinals too, for terms only (a count is no ordinal): "Genghis's 3rd son" is his "third son"; not
# "second", which is as often a unit of time
ORDINAL_WORDS = {"first": "1st", "third": "3rd", "fourth": "4th", "fifth": "5th", "sixth": "6th", "seventh": "7th",
                 "eighth": "8th", "ninth": "9th", "tenth": "10th"}


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def _lemma(word: str) -> str:
    import simplemma

    # its dictionary gives a name its capital ("moscow" -> "Moscow"), which the stemmer would keep
    return simplemma.lemmatize(word, lang="en").lower()


def words(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in raw_words(text)]


def raw_words(text: str) -> list[str]:
    """The words as written, one for each of `words`: `terms` reads a capital as a name."""
    return _WORD.findall(text)


def parted_words(text: str) -> list[tuple[str, str]]:
    """Each of `raw_words` with what parts it from the word before: ("-", "16") in "oxygen-16"."""
    return _PARTED_WORD.findall(text)


def terms(text: str) -> set[str]:
    stop = _stopwords()
    kept = []
    for raw in _WORD.findall(text):
        word = raw.lower().replace("’", "'")
        word = word[:-2] if word.endswith("'s") else word
        # an acronym is never a stopword: "US" is a country, "IT" a trade
        if word and (word not in stop or (raw.isupper() and len(raw) > 1)):
            kept.append(NUMBER_WORDS.get(word) or ORDINAL_WORDS.get(word) or (_lemma(word) if raw.islower() else word))
    return set(_stemmer().stemWords(kept))


def plain_number(word: str) -> str:
    """A number without its thousands commas: "4,200" and "4200" are one number."""
    return word.replace(",", "")


def same_number(a: str, b: str) -> bool:
    return plain_number(a) == plain_number(b)


def overlap(question_terms: set[str], text: str) -> float:
    """Share of the question's terms that occur in text (0 when the question has none)."""
    if not question_terms:
        return 0.0
    return len(question_terms & terms(text)) / len(question_terms)
