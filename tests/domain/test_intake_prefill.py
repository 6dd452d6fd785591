"""What a new intake starts with, and which questions it must still answer (issue 13)."""

from __future__ import annotations

from datetime import date

import pytest

from acudesk.domain.errors import ValidationError
from acudesk.domain.intake import Intake, load_questionnaire
from acudesk.domain.intake_answers import parse_intake, prefilled_answers, unanswered_questions


def test_a_new_intake_starts_with_the_registry_and_today_only() -> None:
    assert prefilled_answers(date(1990, 6, 15), date(2026, 6, 14)) == {
        "assessed_on": "2026-06-14", "date_of_birth": "1990-06-15", "age": 35}  # the day before the birthday
    assert prefilled_answers(date(1990, 6, 15), date(2026, 6, 15))["age"] == 36
    assert prefilled_answers(None, date(2026, 6, 15)) == {"assessed_on": "2026-06-15"}


def test_the_pre_fill_answers_no_screening_question() -> None:
    required = [q for q in load_questionnaire().questions if q.required]
    answers = prefilled_answers(date(1958, 2, 1), date(2026, 12, 3))
    with pytest.raises(ValidationError) as refused:
        parse_intake({"answers": answers})
    assert f"{len(required)} required questions are unanswered" in refused.value.message
    assert refused.value.field == f"answers.{required[0].id}"
    assert [q.id for q in unanswered_questions(Intake({"age": 68}))] == [q.id for q in required]


def test_an_answer_can_make_another_question_required() -> None:
    base = {q.id: False for q in load_questionnaire().questions if q.required and q.type == "bool"}
    base.update(age=40, leg_radiation="none", pain_duration_weeks=3)
    assert unanswered_questions(Intake(base)) == ()
    assert [q.id for q in unanswered_questions(Intake({**base, "skin_lesion": True}))] == ["skin_lesion_regions"]
    assert [q.id for q in unanswered_questions(Intake({k: v for k, v in base.items() if k != "age"}))] == ["age"]
