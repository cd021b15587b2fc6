"""What kind of thing a question asks for, and whether an answer sentence holds one.

A sentence can be fully supported by the passages and still not answer: "How much revenue did Huawei
make in Russia?" drafted as "Huawei made dramatic investments in Russia [1]" is true and cited, and
is no answer. The wh-word says what an answer must carry: "how many" a number, "when" a time ("what
month" a month, "what year" a year), "which company" a name, "where" anything but a time ("who" says
nothing: its answer is as often a group as a name), "Which is older, X or Y?" a comparison. This is a lexical test (no NLI model is
bundled): it can only notice that the kind of thing asked for is missing, never that a number or
name present is the right one.
Anything the question itself contains does not count, so an echo of the question is no answer.
"""

from __future__ import annotations

import re

from .text import NUMBER, NUMBER_WORDS, terms

COUNT, TIME, NAME, PLACE = "a number", "a time", "a name", "a place"
COMPARISON = "a comparison"

_ASKS_COUNT = re.compile(
    r"\bhow (many|much)\b|\bwhat (percentage|percent|proportion|fraction|share|number|amount)\b"
    r"|\bhow (long|old|far|big|large|tall|high|deep|wide|heavy|fast)\b", re.IGNORECASE)
_ASKS_TIME = re.compile(
    r"\bwhen (did|was|were|is|are|will|does|do|has|have|had|can|could|should|would)\b"
    r"|\b(what|which|in what|on what) (year|month|day|date|time|century|decade|season)\b"
    r"|\bhow soon\b|\bhow long ago\b", re.IGNORECASE)
_NAMED_THINGS = (
    "country|countries|nation|state|states|city|cities|town|province|county|region|continent|island|river|"
    "company|companies|firm|brand|airline|bank|network|newspaper|magazine|agency|organi[sz]ation|party|"
    "team|club|university|college|school|president|leader|senator|governor|minister|ceo|player|singer|"
    "actor|actress|artist|author|writer|director|king|queen|emperor|pope|person|celebrity|politician|"
    "band|musician|rapper|star|athlete|quarterback|comedian|billionaire|automaker|carmaker|retailer|"
    "supermarkets?|chain|startup|platform|app|website|league|show|series|film|movie|album|song|"
    "storm|hurricane|typhoon|airport|stadium|festival"
)
# "where" asks for anything but a time: "Where did the arrest happen?" is not answered by "in July"
_ASKS_PLACE = re.compile(r"\bwhere (did|was|were|is|are|will|does|do|has|have|had|can|could|should|would)\b", re.IGNORECASE)
# "who" is left out: its answer is as often a group ("international students") as a name
_ASKS_NAME = re.compile(rf"\b(which|what) (?!kind|type|sort|is\b|was\b|are\b|were\b)((\w+ ){{0,2}})({_NAMED_THINGS})\b", re.IGNORECASE)
_CHOICE = re.compile(r"\b\w+ or \w+|\bbetween\b.+\band\b", re.IGNORECASE)  # "Guitar World or Science News?": the answer is in the question
# "Which magazine was published first, Guitar World or Science News?" is a choice by a comparison: a
# sentence about one of them ("Guitar World … published since July 1980") makes no choice. Words of one
# group answer each other ("Which came first?" … "was formed earlier").
EARLIER = set("first earlier earliest before prior older oldest".split())  # an order in time (compare.py checks it)
LATER = set("last later latest after newer newest younger youngest".split())
_COMPARED = [EARLIER | LATER] + [set(group.split()) for group in (
    "larger largest bigger biggest smaller smallest",
    "taller tallest higher highest shorter shortest lower lowest longer longest",
    "more most less least fewer fewest",
    "better best worse worst",
)]
_COMPARISON_WORD = re.compile(rf"\b({'|'.join(sorted(set().union(*_COMPARED)))})\b", re.IGNORECASE)
_NAMED_OPTION = re.compile(r"\bor (?:the )?[A-Z]")  # "… or Science News?", not "… or needing a prescription?"

# "In what month …?" is not answered by "in the spring of 1349", nor "In what year …?" by "in July"
_TIME_UNIT = re.compile(r"\b(?:what|which) (year|month|day|date|century|decade)\b", re.IGNORECASE)
_ORDINALS = set("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
                "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split())
_DECADE_WORDS = set("twenties thirties forties fifties sixties seventies eighties nineties".split())
_WEEKDAYS = set("monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow".split())

_MONTHS = ("january february march april may june july august september october november december "
           "jan feb mar apr jun jul aug sep sept oct nov dec").split()
_TIME_WORDS = set(_MONTHS) | set(
    "monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow tonight week weeks "
    "weekend month months year years decade decades century centuries ago spring summer autumn fall winter "
    "morning afternoon evening night midnight noon dawn era age period season annually daily weekly later "
    "earlier soon recently currently now then until since during before after".split())
_COUNT_WORDS = set(NUMBER_WORDS) | {"hundred", "hundreds", "thousand", "thousands", "million", "millions",
                                    "billion", "billions", "trillion", "dozen", "dozens", "half", "quarter",
                                    "third", "percent", "none", "several", "few", "many", "once", "twice", "thrice"}


# "Are Medici and Senet both board games?", "… has an OBE. Does Puneet Sira also have one?": its last
# sentence opens with a verb; not a choice ("Is X or Y older?") nor a wh-question within it
_YES_NO = re.compile(r"(?:^|[.!?]\s+)(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should|may|might|must)"
                     r"\b(?![^.!?]*\b(?:what|which|who|whom|whose|where|when|why|how)\b)[^.!?]*\?\s*$", re.IGNORECASE)


# "Which new character did M&M's add …?": the thing asked for is the noun before the verb
_ASKED_THING = re.compile(r"\b(?:which|what)\s+(?:[\w-]+\s+){0,3}?([\w-]+)\s+"
                          r"(?:did|does|do|is|was|are|were|has|have|had|will|would|can|could)\b", re.IGNORECASE)
_STOP_THINGS = {"of", "kind", "type", "sort", "the", "a", "an"}  # "What kind of … is": no thing named
_NAMING = re.compile(r"\s*(?:[,:(—–-]|called\b|named\b|dubbed\b|known as\b|including\b|such as\b)", re.IGNORECASE)
# "How many Russians could be conscripted?" is not answered by "… called up reservists on September 21"
_MONTH_NAME = rf"(?:{'|'.join(m.capitalize() for m in _MONTHS)})\.?"
_DAY = re.compile(rf"\b{_MONTH_NAME}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}}\b)?"
                  rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_NAME}(?:,?\s+\d{{4}}\b)?|\b{_MONTH_NAME}\s+\d{{4}}\b")
_ASKS_AMOUNT = re.compile(r"\bhow (many|much)\b|\bwhat (percentage|percent|proportion|fraction|share|number|amount)\b", re.IGNORECASE)
_A_YEAR = r"(?:1[5-9]\d\d|20\d\d)"
# "How many times was he premier?" is not answered by "… Minister (1892-1893) … in 1896"
_YEAR_SAID = re.compile(rf"\(?\b{_A_YEAR}\s*[–-]\s*(?:{_A_YEAR}|\d\d)\b"
                        rf"|(?:\b(?:in|since|from|until|till|by|during|before|after)\s+|\()(?:the\s+)?{_A_YEAR}s?\b", re.IGNORECASE)
_YEAR = re.compile(rf"\b{_A_YEAR}\b")
_PLURAL = re.compile(r"(?<![su])s$", re.IGNORECASE)  # "features", not "virus" nor "class"


def leaves_unnamed(sentence: str, question: str) -> str | None:
    """The thing asked for, when the sentence only says there is one: "… it's adding a brand new
    character" for "Which new character did M&M's add?", or that there are such things: "an early rise
    in respiratory viruses" for "Which virus is spreading …?". An indefinite "a … character" or a plural
    says that, not which; one followed by its name ("a new dessert, lemon tart", "… called …",
    "… including …") or a sentence holding a name or number the question lacks is left alone."""
    asked = None if _CHOICE.search(question) else _ASKED_THING.search(question)
    if not asked or asked.group(1).lower() in _STOP_THINGS:
        return None
    thing = asked.group(1)
    mentions = rf"\b(?:a|an|another)\s+(?:[\w-]+\s+){{0,3}}?{re.escape(thing)}s?\b"
    if not _PLURAL.search(thing):
        mentions += rf"|\b{re.escape(thing)}(?:s|es)\b"
    unnamed = any(not _NAMING.match(sentence, m.end()) for m in re.finditer(mentions, sentence, re.IGNORECASE))
    # "The 10 Senate seats most likely to flip in 2022" counts and dates them; neither number says which
    counted = re.compile(rf"(?:\d[\d,]*|{'|'.join(NUMBER_WORDS)})\s+(?:[\w-]+\s+){{0,3}}?{re.escape(thing)}(?:s|es)?\b", re.IGNORECASE)
    numbers_left = _YEAR.sub(" ", counted.sub(" ", sentence))
    return thing if unnamed and not holds(sentence, NAME, question) and not holds(numbers_left, COUNT, question) else None


def asks_yes_no(question: str) -> bool:
    """Whether a yes or a no answers the question."""
    return bool(_YES_NO.search(question)) and not _CHOICE.search(question)


def expected(question: str) -> str | None:
    """The kind of answer the question asks for, or None when its form doesn't say."""
    if _CHOICE.search(question):
        compared = _COMPARISON_WORD.search(question)
        return COMPARISON if compared and _NAMED_OPTION.search(question, compared.end()) else None
    if _ASKS_COUNT.search(question):
        return COUNT
    if _ASKS_TIME.search(question):
        return TIME
    if _ASKS_PLACE.search(question):
        return PLACE
    if _ASKS_NAME.search(question):
        return NAME
    return None


def _gives(unit: str, token: str) -> bool:
    """Whether one word of an answer names the unit of time asked for ("1349" a year, "July" a month)."""
    if unit == "year":
        return bool(re.fullmatch(r"\d{3,4}", token))
    if unit == "month":
        return token in _MONTHS
    if unit == "century":
        return bool(re.fullmatch(r"\d{1,2}(st|nd|rd|th)|\d{1,2}00s", token)) or token.split("-")[0] in _ORDINALS
    if unit == "decade":
        return bool(re.fullmatch(r"(\d{2})?\d0s|['’]\d0s", token)) or token in _DECADE_WORDS
    return bool(re.search(r"\d", token)) or token in _MONTHS or token in _WEEKDAYS  # a day or a date


def holds(sentence: str, kind: str | None, question: str) -> bool:
    """Whether the sentence carries, beyond what the question says, the kind of thing asked for."""
    if kind is None:
        return True
    if kind == COMPARISON:  # the options are the question's own words: here the comparison must be said
        said = {w.lower() for w in re.findall(r"\w+", sentence)}
        return any(said & group for word in _COMPARISON_WORD.findall(question)
                   for group in _COMPARED if word.lower() in group)
    if kind == COUNT:
        sentence = _DAY.sub(" ", sentence)
        if _ASKS_AMOUNT.search(question):  # "How long did it last?" may be answered "from 1939 to 1945"
            sentence = _YEAR_SAID.sub(" ", sentence)
    question_terms = terms(question)
    asked = {w.lower() for w in re.findall(r"[\w'’.,%$-]+", question)} | question_terms
    tokens = [t.strip(".,;:()\"“”'’") for t in re.findall(r"[^\s]+", sentence)]
    new = [t for t in tokens if t and t.lower() not in asked and t.lower().strip("$€£") not in asked]
    if kind == COUNT:
        parts = [p for t in new for p in t.split("-")]  # "two-time", "$5-million"
        return any(NUMBER.match(p.lstrip("$€£").rstrip("%")) or p.lower() in _COUNT_WORDS for p in parts)
    if kind == TIME:
        unit = _TIME_UNIT.search(question)
        if unit:
            return any(_gives(unit.group(1).lower(), t.lower()) for t in new)
        return any(re.search(r"\d", t) or t.lower() in _TIME_WORDS for t in new)
    if kind == PLACE:
        return any(terms(t) and t.lower() not in _TIME_WORDS and not re.search(r"\d", t) for t in new)
    # "Monday" or "October" is capitalised, but names a time, not the thing asked for
    return any(t[:1].isupper() and terms(t) and not terms(t) <= question_terms and t.lower() not in _TIME_WORDS
               for t in new)
