"""The waitlist's rules: which entries a freed slot suits, and in which order they are offered it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time

from hypothesis import given
from hypothesis import strategies as st

from acudesk.domain.waitlist import URGENCIES, FreedSlot, Wish, ranked_offers, suits, validate

TODAY = date(2026, 12, 7)  # a Monday
SLOT = FreedSlot(practitioner_id=2, local_start=datetime(2026, 12, 8, 17, 30), minutes=45)  # Tue 17:30


def wish(entry_id: int = 1, **changes) -> Wish:
    base = Wish(entry_id=entry_id, patient_id=100 + entry_id, practitioner_id=2, visit_minutes=45,
                weekdays=frozenset({1, 3}), earliest=time(17), latest=None, until=date(2026, 12, 31),
                urgency="routine", waiting_since=datetime(2026, 11, 1, 9))
    return replace(base, **changes)


def test_a_tuesday_after_five_suits_a_patient_who_asked_for_tuesdays_after_five() -> None:
    assert suits(wish(), SLOT, TODAY)


def test_the_wrong_day_time_practitioner_or_length_does_not_suit() -> None:
    assert not suits(wish(weekdays=frozenset({3})), SLOT, TODAY)  # Thursdays only
    assert not suits(wish(earliest=time(18)), SLOT, TODAY)  # after 18:00 only
    assert not suits(wish(latest=time(18)), SLOT, TODAY)  # would end 18:15
    assert not suits(wish(practitioner_id=3), SLOT, TODAY)
    assert not suits(wish(visit_minutes=60), SLOT, TODAY)  # a 60-minute visit does not fit 45 minutes
    assert suits(wish(practitioner_id=None, weekdays=frozenset(), earliest=None), SLOT, TODAY)  # anyone, any time


def test_an_entry_past_its_date_or_a_slot_after_it_is_not_offered() -> None:
    assert not suits(wish(until=date(2026, 12, 6)), SLOT, TODAY)
    assert not suits(wish(until=date(2026, 12, 7)), SLOT, TODAY)  # the slot is after the last wanted day
    assert not suits(wish(), replace(SLOT, local_start=datetime(2026, 12, 1, 17, 30)), TODAY)  # in the past


def test_offers_go_to_the_most_urgent_then_the_longest_waiting() -> None:
    entries = [
        wish(1, urgency="routine", waiting_since=datetime(2026, 10, 1)),
        wish(2, urgency="urgent", waiting_since=datetime(2026, 11, 20)),
        wish(3, urgency="soon", waiting_since=datetime(2026, 11, 2)),
        wish(4, urgency="soon", waiting_since=datetime(2026, 10, 15)),
        wish(5, urgency="urgent", weekdays=frozenset({4})),  # Fridays only: not offered
    ]
    assert [w.entry_id for w in ranked_offers(entries, SLOT, TODAY)] == [2, 4, 3, 1]


def test_whoever_freed_the_slot_is_not_offered_it_back() -> None:
    assert ranked_offers([wish(1)], SLOT, TODAY, exclude_patient=101) == []


def test_validation_names_each_problem() -> None:
    bad = wish(urgency="whenever", until=date(2026, 12, 1), earliest=time(18), latest=time(17), visit_minutes=0)
    assert len(validate(bad, TODAY)) == 4
    assert validate(wish(), TODAY) == []


@given(
    start=st.datetimes(min_value=datetime(2026, 12, 1), max_value=datetime(2027, 2, 1)),
    minutes=st.integers(10, 120),
    practitioner=st.integers(1, 3),
    entries=st.lists(st.builds(
        Wish, entry_id=st.integers(1, 10_000), patient_id=st.integers(1, 50),
        practitioner_id=st.none() | st.integers(1, 3), visit_minutes=st.integers(10, 120),
        weekdays=st.frozensets(st.integers(0, 6)), earliest=st.none() | st.times(),
        latest=st.none() | st.times(), until=st.dates(date(2026, 11, 1), date(2027, 3, 1)),
        urgency=st.sampled_from(URGENCIES), waiting_since=st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 7)),
    ), max_size=20),
)
def test_every_offer_suits_the_slot_and_the_ranking_never_puts_less_urgent_first(
        start: datetime, minutes: int, practitioner: int, entries: list[Wish]) -> None:
    slot = FreedSlot(practitioner, start, minutes)
    offers = ranked_offers(entries, slot, TODAY)
    for offer in offers:
        assert offer.until >= start.date() >= TODAY
        assert offer.practitioner_id in (None, practitioner) and offer.visit_minutes <= minutes
        assert not offer.weekdays or start.weekday() in offer.weekdays
    ranks = [(URGENCIES.index(o.urgency), o.waiting_since) for o in offers]
    assert ranks == sorted(ranks)
    assert len(offers) == sum(1 for e in entries if suits(e, slot, TODAY))
