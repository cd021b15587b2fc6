"""A second opinion from the generator: does the text the answer stands on answer the question?

The lexical check sees which words a sentence shares with a passage, not whether the passage is about
what was asked: "When did the Yuan begin using gold printing plates?" drafted from a passage about
*bronze* plates copies the question's premise into a well-covered sentence. No NLI model is
bundled, so we ask the generator itself, shown only the question and the quoted sentences, for a
yes or a no, and read the probability of "yes" from its next-token logits. A 1.5B model is a weak
judge (it ranks a right answer above an unanswerable one about three times in four on squad2), so
it can only veto: the answer abstains when the model more likely says no than yes.
"""

from __future__ import annotations

JUDGE_SYSTEM = "You are a careful fact checker. Reply with yes or no only."


def judge_messages(question: str, quotes: list[str]) -> list[dict]:
    # the answer itself is left out on purpose: shown it, the model agrees with a fluent restatement
    text = " ... ".join(dict.fromkeys(" ".join(quote.split()) for quote in quotes))
    return [
        {"role": "system", "content": JUDGE_SYSTEM},
        {"role": "user", "content": f"Text: {text}\n\nQuestion: {question}\n\n"
                                    "Does the text contain the answer to this question? Every detail of the question "
                                    "must match the text. Reply yes or no."},
    ]


def answer_probability(model, question: str, quotes: list[str]) -> float | None:
    """P(yes) that the quotes answer the question, by `model` (an LLM); None when it can't say."""
    if not quotes:
        return None
    return model.yes_probability(judge_messages(question, quotes))
