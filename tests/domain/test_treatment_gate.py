"""The treatment-stop rule, decided without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from acudesk.domain.treatment_gate import ScreenedIntake, TreatmentBlockedError, treatment_gate

DAY = datetime(2025, 3, 3, 10, tzinfo=UTC)


def intake(number: int, level: str, referral: str = "", days: int = 0) -> ScreenedIntake:
    return ScreenedIntake(number, level, DAY + timedelta(days=days), referral)


def test_an_unscreened_patient_cannot_be_treated() -> None:
    decision = treatment_gate([])
    assert not decision.allowed and decision.needs_new_intake
    assert "sign an intake" in decision.message


@pytest.mark.parametrize("level", ["CLEAR", "CAUTION"])
def test_a_clear_or_caution_intake_allows_treatment(level: str) -> None:
    assert treatment_gate([intake(1, level)]).allowed


@pytest.mark.parametrize("level", ["EMERGENCY", "URGENT_REFERRAL"])
def test_a_blocking_intake_stops_treatment_even_with_a_referral_recorded(level: str) -> None:
    without = treatment_gate([intake(1, level)])
    assert not without.allowed and without.needs_referral and without.needs_new_intake
    assert without.blocking_intake_id == 1
    with_referral = treatment_gate([intake(1, level, "Sent to A&E same day")])
    assert not with_referral.allowed and not with_referral.needs_referral and with_referral.needs_new_intake
    with pytest.raises(TreatmentBlockedError, match="Treatment is stopped"):
        with_referral.require()


def test_a_later_clear_intake_without_a_recorded_referral_still_stops_treatment() -> None:
    decision = treatment_gate([intake(2, "CLEAR", days=3), intake(1, "EMERGENCY")])
    assert not decision.allowed and decision.needs_referral and not decision.needs_new_intake
    assert decision.blocking_intake_id == 1


def test_referral_recorded_and_a_later_clear_intake_lift_the_stop() -> None:
    decision = treatment_gate([intake(1, "EMERGENCY", "A&E: MRI normal, discharged"), intake(2, "CAUTION", days=5)])
    assert decision.allowed
    assert "cleared" in decision.message


def test_a_new_blocking_intake_after_a_clear_one_stops_treatment_again() -> None:
    decision = treatment_gate([intake(1, "CLEAR"), intake(2, "URGENT_REFERRAL", days=10)])
    assert not decision.allowed and decision.blocking_intake_id == 2


def test_refer_before_treatment_needs_the_review_recorded() -> None:
    assert not treatment_gate([intake(1, "REFER_BEFORE_TREATMENT")]).allowed
    assert treatment_gate([intake(1, "REFER_BEFORE_TREATMENT", "GP reviewed: cleared to treat")]).allowed


def test_order_of_the_input_does_not_matter() -> None:
    items = [intake(1, "EMERGENCY", "done"), intake(2, "CLEAR", days=1), intake(3, "CLEAR", days=2)]
    assert treatment_gate(items).allowed == treatment_gate(list(reversed(items))).allowed is True
