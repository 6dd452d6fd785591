"""Lifting a red flag needs a recorded clearance: which flags a new intake drops, and what a clearance must say."""

from __future__ import annotations

from datetime import date

import pytest

from acudesk.domain.errors import ValidationErrors
from acudesk.domain.flag_clearance import (
    LEVEL_ONLY,
    ClearanceDraft,
    Flag,
    check_clearance,
    dropped_flags,
    load_clearance_policy,
    policy_from_data,
    uncleared,
)
from acudesk.domain.triage import Level, load_triage_rules

CES = Flag("RF-CES-04", "EMERGENCY", "Saddle numbness")
CANCER = Flag("RF-CA-01", "URGENT_REFERRAL", "History of cancer")
REVIEW = Flag("RF-X-01", "REFER_BEFORE_TREATMENT", "Needs review")
CAUTION = Flag("CI-01", "CAUTION", "Anticoagulants")


def test_the_guarded_levels_are_emergency_and_urgent_referral_and_every_rule_level_is_known() -> None:
    policy = load_clearance_policy()
    assert policy.levels == ("EMERGENCY", "URGENT_REFERRAL")
    assert policy.source and "safer" in policy.note  # the choices the sources do not make are said
    rule_levels = {rule.level.name for rule in load_triage_rules().rules}
    assert set(policy.levels) <= rule_levels <= set(Level.__members__)
    assert [c.id for c in policy.seen_by] == ["gp", "emergency_department", "spinal_team", "hospital_specialist",
                                               "other"]
    assert [c.id for c in policy.seen_by if c.name_required] == ["other"]


def test_unticking_an_emergency_drops_it() -> None:
    assert dropped_flags("EMERGENCY", [CES, CAUTION], "CAUTION", [CAUTION]) == (CES,)


def test_a_flag_that_fires_again_is_not_dropped() -> None:
    assert dropped_flags("EMERGENCY", [CES, CANCER], "EMERGENCY", [CES, CANCER]) == ()


def test_an_emergency_dropped_while_another_remains_still_needs_clearing() -> None:
    other = Flag("RF-CES-01", "EMERGENCY", "Urinary retention")
    assert dropped_flags("EMERGENCY", [CES, CANCER], "EMERGENCY", [other, CANCER]) == (CES,)


def test_a_flag_that_fires_at_a_lower_level_counts_as_dropped() -> None:
    lowered = Flag(CES.rule, "REFER_BEFORE_TREATMENT")
    assert dropped_flags("EMERGENCY", [CES], "REFER_BEFORE_TREATMENT", [lowered]) == (CES,)


def test_a_flag_that_fires_higher_is_kept() -> None:
    raised = Flag(CANCER.rule, "EMERGENCY")
    assert dropped_flags("URGENT_REFERRAL", [CANCER], "EMERGENCY", [raised]) == ()


def test_lower_levels_drop_freely() -> None:
    assert dropped_flags("REFER_BEFORE_TREATMENT", [REVIEW, CAUTION], "CLEAR", []) == ()


def test_a_guarded_result_stored_without_reasons_is_guarded_by_its_level() -> None:
    dropped = dropped_flags("EMERGENCY", [], "CLEAR", [])
    assert [(f.rule, f.level) for f in dropped] == [(LEVEL_ONLY, "EMERGENCY")]
    assert dropped_flags("EMERGENCY", [], "EMERGENCY", [Flag("RF-CES-01", "EMERGENCY")]) == ()


def test_clearances_cover_flags_by_rule() -> None:
    dropped = (CES, CANCER)
    assert uncleared(dropped, []) == dropped
    assert uncleared(dropped, [CES.rule]) == (CANCER,)
    assert uncleared(dropped, [CES.rule, CANCER.rule]) == ()


FLAGGED_ON = date(2026, 3, 2)
TODAY = date(2026, 3, 10)


def _fields(error: ValidationErrors) -> list[str | None]:
    return [e.field for e in error.errors]


def test_a_complete_clearance_is_accepted_and_trimmed() -> None:
    draft = ClearanceDraft("  MRI clear, symptoms resolved. ", "spinal_team", " Mr A. Okonjo ", date(2026, 3, 5))
    checked = check_clearance(draft, flagged_on=FLAGGED_ON, today=TODAY)
    assert checked == ClearanceDraft("MRI clear, symptoms resolved.", "spinal_team", "Mr A. Okonjo", date(2026, 3, 5))


@pytest.mark.parametrize("seen_on", [FLAGGED_ON, TODAY])
def test_the_date_may_be_the_flag_day_or_today(seen_on: date) -> None:
    check_clearance(ClearanceDraft("Seen.", "gp", "", seen_on), flagged_on=FLAGGED_ON, today=TODAY)


def test_a_date_in_the_future_is_refused() -> None:
    with pytest.raises(ValidationErrors) as caught:
        check_clearance(ClearanceDraft("Seen.", "gp", "", date(2026, 3, 11)), flagged_on=FLAGGED_ON, today=TODAY)
    assert _fields(caught.value) == ["seen_on"]
    assert "future" in caught.value.message


def test_a_date_before_the_flagged_intake_is_refused() -> None:
    with pytest.raises(ValidationErrors) as caught:
        check_clearance(ClearanceDraft("Seen.", "gp", "", date(2026, 3, 1)), flagged_on=FLAGGED_ON, today=TODAY)
    assert _fields(caught.value) == ["seen_on"]
    assert "before the flagged intake" in caught.value.message


def test_every_missing_field_is_named_at_once() -> None:
    with pytest.raises(ValidationErrors) as caught:
        check_clearance(ClearanceDraft("   ", "someone", "", None), flagged_on=FLAGGED_ON, today=TODAY)
    assert _fields(caught.value) == ["what_changed", "seen_by", "seen_on"]


def test_other_needs_a_name() -> None:
    with pytest.raises(ValidationErrors) as caught:
        check_clearance(ClearanceDraft("Seen.", "other", "  ", TODAY), flagged_on=FLAGGED_ON, today=TODAY)
    assert _fields(caught.value) == ["seen_by_name"]
    check_clearance(ClearanceDraft("Seen.", "other", "Out-of-hours doctor", TODAY), flagged_on=FLAGGED_ON,
                    today=TODAY)


def test_too_long_texts_are_refused() -> None:
    with pytest.raises(ValidationErrors) as caught:
        check_clearance(ClearanceDraft("x" * 4001, "gp", "y" * 201, TODAY), flagged_on=FLAGGED_ON, today=TODAY)
    assert _fields(caught.value) == ["what_changed", "seen_by_name"]


def test_policy_data_is_checked() -> None:
    with pytest.raises(ValueError, match="unknown level"):
        policy_from_data({"version": 1, "source": "s", "levels": ["RED"], "seen_by": [{"id": "gp", "label": "GP"}]})
    with pytest.raises(ValueError, match="distinct"):
        policy_from_data({"version": 1, "source": "s", "levels": ["EMERGENCY"],
                          "seen_by": [{"id": "gp", "label": "GP"}, {"id": "gp", "label": "GP"}]})
