"""A second opinion from the generator: does the text the answer stands on answer the question?

The lexical check sees which words a sentence shares with a passage, not whether the passage is about
what was asked: "When did the Yuan begin using gold printing plates?" drafted from a passage about
*bronze* plates copies the question's premise into a well-covered sentence. No NLI model is
bundled, so we ask the generator itself, shown the question and the quoted sentences, for a yes or a
no, and read the probability of "yes" from its next-token logits. It is a weak judge, so it can only
veto: the answer abstains when P(yes) is below `min_judged_yes`.

Framed as a reading-comprehension check in which some questions change a detail of the text, the
1.5B model ranks a right answer above an answered unanswerable one 8 times in 10 on squad2 (0.81,
against 0.76 when asked after the answer prompt's own opening, which also left P(yes) bunched
between 0.6 and 0.9). The local backend runs the judge in a second context (llm.py; follow-up
rewrites share it), so this prompt's fixed opening and the answer prompt's both stay cached.
"""

from __future__ import annotations

SYSTEM = (
    "You check reading-comprehension questions. Some questions cannot be answered from the text: they ask "
    "about something the text does not say, or change a detail of it. Answer no unless the text states the "
    "answer to exactly this question."
)


def judge_opening() -> list[dict]:
    """The messages every judge prompt starts with."""
    return [{"role": "system", "content": SYSTEM}]


def judge_messages(question: str, quotes: list[str]) -> list[dict]:
    # the answer itself is left out on purpose: shown it, the model agrees with a fluent restatement
    text = " ... ".join(dict.fromkeys(" ".join(quote.split()) for quote in quotes))
    return [
        *judge_opening(),
        {"role": "user", "content": f"Text: {text}\n\nQuestion: {question}\n\n"
                                    "Can the question be answered from the text? Reply yes or no."},
    ]


def answer_probability(model, question: str, quotes: list[str]) -> float | None:
    """P(yes) that the quotes answer the question, by `model` (an LLM); None when it can't say."""
    if not quotes:
        return None
    return model.yes_probability(judge_messages(question, quotes))
