"""A question asked on a given date (`as_of`): later documents are not retrieved, "recent" counts back
from it, a question about "this week" draws on that week's documents only, and any other puts them first."""

import json
from datetime import date

import pytest

from rag import Assistant, dates


def test_as_of_reads_dates_and_refuses_anything_else_clearly():
    assert dates.as_of_date("2022-06-16") == date(2022, 6, 16)
    assert dates.as_of_date("2022/06/16") == date(2022, 6, 16)  # realtimeqa writes some dates so
    assert dates.as_of_date("2022-06-16T08:00:00Z") == date(2022, 6, 16)
    assert dates.as_of_date(date(2022, 6, 16)) == date(2022, 6, 16)
    assert dates.as_of_date(None) is None and dates.as_of_date("") is None
    for bad in ("last week", "2022-13-01", 20220616):
        with pytest.raises(dates.DateError, match="as_of must be a date like 2022-06-16"):
            dates.as_of_date(bad)


STORIES = [
    {"doc_id": "june", "title": "Storm Alba", "published_at": "2022-06-02T09:00:00",
     "text": "Storm Alba cut power to 40,000 homes in the valley, the utility said on Thursday."},
    {"doc_id": "september", "title": "Storm Brea", "published_at": "2022-09-29T09:00:00",
     "text": "Storm Brea cut power to 90,000 homes in the valley, the utility said on Thursday."},
    {"doc_id": "guide", "title": "Outage guide",
     "text": "When a storm cuts power to homes in the valley, the utility restores hospitals first."},
]


@pytest.fixture
def news(tmp_path) -> Assistant:
    corpus = tmp_path / "news.jsonl"
    corpus.write_text("\n".join(json.dumps(story) for story in STORIES) + "\n")
    assistant = Assistant()
    assistant.ingest([corpus])
    return assistant


def test_documents_published_after_the_question_was_asked_are_not_retrieved(news):
    question = "How many homes did the storm cut power to in the valley?"
    assert {p.doc_id for p in news.retrieve(question, k=5)} == {"june", "september", "guide"}
    in_june = {p.doc_id for p in news.retrieve(question, k=5, as_of="2022-06-05")}
    assert in_june == {"june", "guide"}  # the undated guide is always kept
    assert {p.doc_id for p in news.retrieve(question, k=5, as_of="2022-01-01")} == {"guide"}


def test_asked_in_june_the_answer_is_junes_story_though_septembers_is_newer(news):
    question = "How many homes did the storm cut power to in the valley this week?"
    assert news.ask(question, llm="extractive").citations[0].doc_id == "september"  # no date: the newest
    answer = news.ask(question, llm="extractive", as_of="2022-06-05")
    assert "40,000" in answer.answer and answer.citations[0].doc_id == "june"


@pytest.mark.parametrize("question, names_its_week", [
    ("How many homes lost power this week?", True),
    ("Which storm hit the valley on Thursday?", True),
    ("What did the utility say today?", True),
    ("How many homes did Storm Brea cut power to?", False),
    ("Which storm recently cut power to the valley?", False),  # "recently" can mean a month: only a tilt
])
def test_a_question_that_names_its_week_is_about_the_two_weeks_before_it_was_asked(question, names_its_week):
    asked = date(2022, 10, 1)
    assert dates.window_start(question, asked) == (date(2022, 9, 17) if names_its_week else None)
    assert dates.window_start(question, None) is None  # no day of asking: no week to read it in


def test_this_weeks_question_is_not_answered_from_an_older_story(news):
    question = "How many homes did the storm cut power to in the valley this week?"
    assert {p.doc_id for p in news.retrieve(question, k=5, as_of="2022-10-01")} == {"september", "guide"}
    assert {p.doc_id for p in news.retrieve(question.replace(" this week", ""), k=5, as_of="2022-10-01")} == {
        "june", "september", "guide"}
    # asked when no story is that week's, the window would leave only the undated guide: it is not applied
    assert {p.doc_id for p in news.retrieve(question, k=5, as_of="2022-08-01")} == {"june", "guide"}


def test_the_command_line_takes_the_date_asked(invoke_rag, tmp_path):
    corpus = tmp_path / "news.jsonl"
    corpus.write_text("\n".join(json.dumps(story) for story in STORIES) + "\n")
    invoke_rag("ingest", str(corpus))
    asked = invoke_rag("retrieve", "storm power homes valley", "--as-of", "2022-06-05", "--json")
    assert {p["doc_id"] for p in json.loads(asked.stdout)["passages"]} == {"june", "guide"}


def test_any_other_dated_question_ranks_its_two_weeks_news_first_and_keeps_older_news(tmp_path):
    stories = [
        {"doc_id": "june", "title": "Heatwave", "published_at": "2022-06-02T09:00:00",
         "text": "The heatwave closed 12 schools in the river valley district, officials said on Thursday."},
        {"doc_id": "september", "title": "Heatwave returns", "published_at": "2022-09-29T09:00:00",
         "text": "The heatwave shut 30 schools in the valley."},
    ]
    corpus = tmp_path / "news.jsonl"
    corpus.write_text("\n".join(json.dumps(story) for story in stories) + "\n")
    news = Assistant()
    news.ingest([corpus])
    question = "How many schools did the heatwave close in the river valley district?"
    assert [p.doc_id for p in news.retrieve(question, k=2)] == ["june", "september"]  # the closer match
    assert [p.doc_id for p in news.retrieve(question, k=2, as_of="2022-10-01")] == ["september", "june"]
    # older news is still retrieved, and answers what only it tells
    answer = news.ask("Which officials said the heatwave closed schools in the river valley district?",
                      llm="extractive", as_of="2022-10-01")
    assert "district" in answer.answer and answer.citations[0].doc_id == "june"


def test_a_question_without_the_words_naming_its_week():
    assert dates.without_its_week("Which storm cut power to the valley this week?") == "Which storm cut power to the valley?"
    assert dates.without_its_week("This week, which storm cut power?") == "Which storm cut power?"
    assert dates.without_its_week("Which storm hit on Thursday, the utility said?") == "Which storm hit the utility said?"
    assert dates.without_its_week("Which storm recently cut power?") == "Which storm recently cut power?"


@pytest.mark.slow
def test_the_judge_reads_the_question_without_its_week_when_the_day_asked_is_known(news, monkeypatch):
    from rag import assistant as answering, judge

    asked, real = [], judge.answer_probability

    def noting(model, question, quotes):
        asked.append(question)
        return real(model, question, quotes)

    monkeypatch.setattr(answering.judge, "answer_probability", noting)
    monkeypatch.setattr(news, "settings", news.settings.model_copy(update={"min_draft_confidence": 0.0}))
    question = "How many homes did the storm cut power to in the valley this week?"
    news.ask(question, llm="local", as_of="2022-06-05")
    news.ask(question, llm="local")  # no day given: the week is the judge's to read too
    assert asked == ["How many homes did the storm cut power to in the valley?", question], asked
