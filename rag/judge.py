"""A second opinion from the generator: does the text the answer stands on answer the question?

The lexical check sees which words a sentence shares with a passage, not whether the passage is about
what was asked: "When did the Yuan begin using gold printing plates?" drafted from a passage about
*bronze* plates copies the question's premise into a well-covered sentence. No NLI model is
bundled, so we ask the generator itself, shown the question and the quoted sentences, for a yes or a
no, and read the probability of "yes" from its next-token logits. A 1.5B model is a weak judge (it
ranks a right answer above an answered unanswerable one 7 times in 10 on squad2), so it can only
veto: the answer abstains when P(yes) is below 0.6. Asked after the answer prompt's own opening
(which keeps llama.cpp's prompt cache warm) the model leans to yes, so the bar sits above even.
"""

from __future__ import annotations

from . import generate

def judge_messages(question: str, quotes: list[str]) -> list[dict]:
    """The answer prompt's own opening (system message and worked example), then the yes/no question.

    Sharing that opening lets llama.cpp reuse its cached tokens for the judge and, afterwards, for the
    next question's prompt; a prompt of its own would evict them and add a second to every answer.
    """
    # the answer itself is left out on purpose: shown it, the model agrees with a fluent restatement
    text = " ... ".join(dict.fromkeys(" ".join(quote.split()) for quote in quotes))
    return generate.answer_messages("", [])[:3] + [
        {"role": "user", "content": f"Text: {text}\n\nQuestion: {question}\n\n"
                                    "Does the text contain the answer to this question? Every detail of the question "
                                    "must match the text. Reply yes or no."},
    ]


def answer_probability(model, question: str, quotes: list[str]) -> float | None:
    """P(yes) that the quotes answer the question, by `model` (an LLM); None when it can't say."""
    if not quotes:
        return None
    return model.yes_probability(judge_messages(question, quotes))
