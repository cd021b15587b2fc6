"""Cutting a name the model added to a list, so the rest of the list can stand.

Small models pad lists. Asked which US tech companies complained about losing Huawei's business,
the 1.5B model wrote "… including Google, Microsoft, and the US Commerce Department [1]" where the
passage names only the first two. The check rightly rejects the sentence for the one name, and the
whole answer abstains although two of its three items are true. Here the item holding the name
nothing supports is cut from its list ("including Google and Microsoft"), and the shorter sentence
goes through the whole check again: text is only taken away, never added, so what stands is still
only what the passages hold. Only an item of a list of names is cut; a name anywhere else carries
the claim, and the sentence falls with it. No bundled parser reads coordination, hence the patterns.

A two-document question ("Are Medici and Senet both board games?") is answered by a sentence that says
one thing of a pair ("Yes, Medici and Senet are both board games"), which no one passage holds:
`each_of_pair` gives it once per name, with the question about that name alone, to be checked apart.
"""

from __future__ import annotations

import re
from itertools import permutations

from .text import terms

_WORD = r"[A-Z](?:[\w'’&-]|\.(?=\w))*"  # "U.S.-based" but not the sentence's full stop
# a name of one or more capitalised words ("US Commerce Department", "Bank of America"), maybe after "the"
_NAME_RUN = rf"(?:[Tt]he\s+)?{_WORD}(?:\s+(?:of\s+(?=[A-Z]))?{_WORD})*"
_RUN = re.compile(_NAME_RUN)
# what joins two items: ", ", ", and ", " and " (or "or")
_JOIN = r"(?:\s*,\s*(?:and|or)\s+|\s*,\s*|\s+(?:and|or)\s+)"
_ITEM_BEFORE = re.compile(rf"({_NAME_RUN}){_JOIN}$")
_ITEM_AFTER = re.compile(rf"^{_JOIN}({_NAME_RUN})")
# "In March, Google and Apple": what follows a preposition opens the sentence; it is no item
_PREPOSITION = re.compile(r"(?:^|\s)(?:in|on|at|by|since|during|after|before|until|from|for|to|of)\s*$", re.IGNORECASE)
# "between Russia and Ukraine", "both Google and Apple": a list that is one claim, not several
_PAIRED = re.compile(r"(?:^|(?<=\s))(?:between|both|either|neither|among)\s+$", re.IGNORECASE)
_PAIRED_FIRST = re.compile(r"^(?:Between|Both|Either|Neither|Among)\s")
_OPENS_WITH_PREPOSITION = re.compile(r"^(?:In|On|At|By|Since|During|After|Before|Until|From|For)\s")


_CAPITAL = r"[A-ZÀ-ÖØ-Þ][\w'’-]*"
# a name as the question writes it: "Christopher Nolan", "Géza von Cziffra", "Pick Me Up", "Big Hero 6"
_PHRASE = re.compile(rf"{_CAPITAL}(?:\s+(?:(?:of|the|from|in|on|at|to|for|with|a|an|von|van|der|den|de|da|del|di|du|la|le|bin|al)\s+)*{_CAPITAL})*(?:\s+\d+\b)?")
_APART = re.compile(r"(?:^|\s)(?:between|either|neither|among)\s+$", re.IGNORECASE)  # one claim about the pair ...
_JOINT = re.compile(r"\b(?:same|together|each other|one another|different|common|alike)\b", re.IGNORECASE)  # ... or of both at once


def each_of_pair(sentence: str, question: str) -> list[tuple[str, str]] | None:
    """For a sentence that joins two names of the question as the question joins them ("X and Y"), the
    sentence and the question with the pair cut to each name in turn; None when there is no such pair, or
    what it says holds of the two at once ("in the same province", "between X and Y")."""
    if _JOINT.search(sentence):
        return None
    for first, second in permutations(_names(question), 2):
        said, asked = _pair(sentence, first, second), _pair(question, first, second) or _pair(question, second, first)
        if said and asked and not _APART.search(sentence[: said.start()]) and not _APART.search(question[: asked.start()]):
            return [(_cut(sentence, said, name), _cut(question, asked, name)) for name in (first, second)]
    return None


def _names(question: str) -> list[str]:
    """The question's names, less an opening word that is none ("Are", "Did", "Both")."""
    found = []
    for match in _PHRASE.finditer(question):
        name = match.group()
        if match.start() == 0 and not terms(name.split()[0]):
            name = " ".join(name.split()[1:])
        if name:
            found.append(name)
    return list(dict.fromkeys(found))


def _pair(text: str, first: str, second: str) -> re.Match | None:
    return re.search(rf"(?<![\w-])(?:[Tt]he\s+)?{re.escape(first)}{_JOIN}(?:[Tt]he\s+)?{re.escape(second)}(?![\w-])", text)


def _cut(text: str, pair: re.Match, name: str) -> str:
    return text[: pair.start()] + name + text[pair.end() :]


def drop_names(sentence: str, names: list[str]) -> str | None:
    """The sentence without the list items that hold `names`; None when any of them is not in a list."""
    for name in names:
        if _find(sentence, name) is None:
            continue  # already cut with an item that held it ("Commerce" went with "Department")
        sentence = _drop_item(sentence, name)
        if sentence is None:
            return None
    return sentence


def _find(sentence: str, name: str) -> re.Match | None:
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", sentence)


def _drop_item(sentence: str, name: str) -> str | None:
    where = _find(sentence, name).start()
    target = next((run for run in _RUN.finditer(sentence) if run.start() <= where < run.end()), None)
    if target is None:
        return None
    items, start, end = [target.group()], target.start(), target.end()
    conjunction, oxford = "and", False
    while (match := _ITEM_BEFORE.search(sentence[:start])) and _is_item(sentence, match):
        items.insert(0, match.group(1))
        start = match.start(1)
    while match := _ITEM_AFTER.match(sentence[end:]):
        items.append(match.group(1))
        end += match.end()
    for joined in re.findall(_JOIN, sentence[start:end]):  # the list's last "and" or "or" joins what is left
        if said := re.search(r"\b(and|or)\b", joined):
            conjunction, oxford = said.group(), "," in joined
    if len(items) < 2 or _PAIRED.search(sentence[:start]) or _PAIRED_FIRST.match(items[0]):
        return None
    kept = [item for item in items if item != target.group()]
    rest = _listed(kept, conjunction, oxford)
    if start == 0:
        rest = rest[:1].upper() + rest[1:]
    return sentence[:start] + rest + sentence[end:]


def _is_item(sentence: str, match: re.Match) -> bool:
    """Whether the name before a join is a list item, not an opening "In March, "."""
    if re.search(r"\b(?:and|or)\b", match.group()[match.end(1) - match.start():]):
        return True
    return not _PREPOSITION.search(sentence[: match.start(1)]) and not _OPENS_WITH_PREPOSITION.match(match.group(1))


def _listed(items: list[str], conjunction: str, oxford: bool) -> str:
    if len(items) < 3:
        return f" {conjunction} ".join(items)
    return f"{', '.join(items[:-1])}{',' if oxford else ''} {conjunction} {items[-1]}"
