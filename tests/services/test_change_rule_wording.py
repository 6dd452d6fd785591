"""One wording for the meaningful-change rule (issue 13): the outcomes tab's caption said "2 points or 30 %",
its list "2 points and 30 %". Ostelo et al. (Spine 2008), cited as MIC-NRS in outcomes.toml and in
clinical-reference.md section 4, count EITHER criterion; every text now comes from outcomes.change_rule."""

from __future__ import annotations

from datetime import date

from acudesk.domain import outcomes as scoring
from acudesk.domain.patients import PatientDetails
from acudesk.domain.rules_doc import render
from acudesk.domain.scheduling.tapering import default_taper_rules, improved, load_taper_rules
from acudesk.services import documents, outcomes, patients

NRS_RULE = "at least 2 points or at least 30 % better than the baseline (either is enough)"


def test_the_nrs_rule_reads_either_criterion_from_outcomes_toml() -> None:
    assert scoring.change_rule("nrs") == NRS_RULE
    assert scoring.change_rule("nrs", 8) == NRS_RULE.replace("baseline", "baseline of 8")
    assert scoring.change_rule("odi") == "at least 10 points better than the baseline"
    assert " and " not in scoring.change_rule("nrs")


def test_either_criterion_alone_is_a_meaningful_improvement() -> None:
    points_only = scoring.meaningful_change("nrs", 10, 8)  # 2 points, 20 %
    percent_only = scoring.meaningful_change("nrs", 3, 2)  # 1 point, 33 %
    both = scoring.meaningful_change("nrs", 8, 5)  # 3 points, 38 %
    assert (points_only.criterion, percent_only.criterion, both.criterion) == ("2 points", "30 %", "both")
    assert points_only.meaningful and percent_only.meaningful and both.meaningful
    assert both.summary == f"meaningful improvement: 3 points (38 %) better; rule MIC-NRS: {NRS_RULE}"
    assert scoring.meaningful_change("nrs", 8, 7).summary.startswith("no meaningful change: 1 point (12 %) better")


def test_the_course_proposals_and_the_chart_line_use_the_same_rule() -> None:
    rules = load_taper_rules()
    assert (rules.min_points, rules.min_percent) == (2, 30)  # from outcomes.toml MIC-NRS, not a second copy
    assert default_taper_rules().threshold_text(8) == scoring.change_rule("nrs", 8)
    for baseline in range(11):
        for score in range(11):
            assert improved(baseline, score, rules) == scoring.meaningful_change("nrs", baseline, score).meaningful
    assert outcomes.meaningful_line(8) == 6 and outcomes.meaningful_line(3) == 2 and outcomes.meaningful_line(0) == -1


def test_a_changed_threshold_changes_every_text() -> None:
    config = dict(scoring.load_outcome_config())
    config["meaningful_change"] = {**config["meaningful_change"],
                                   "nrs": {**config["meaningful_change"]["nrs"], "points": 3, "percent": 40}}
    assert scoring.change_rule("nrs", config=config) == NRS_RULE.replace("2 points", "3 points").replace("30", "40")
    assert scoring.meaningful_change("nrs", 8, 6, config=config).threshold == scoring.change_rule("nrs", config=config)


def test_caption_list_care_summary_and_docs_say_the_same(database, admin) -> None:
    pid = patients.register_patient(database, admin, PatientDetails(
        family_name="Haddad", given_name="Samir", date_of_birth=date(1978, 1, 20))).id
    outcomes.record_outcome(database, admin, pid, "NRS", 8)
    outcomes.record_outcome(database, admin, pid, "NRS", 5)
    summary = outcomes.outcome_summary(database, admin, pid)
    listed = summary.measurements[0].change  # the outcomes tab's list: "… — vs first: <change>"
    assert listed == f"meaningful improvement: 3 points (38 %) better; rule MIC-NRS: {NRS_RULE}"
    assert "and 30 %" not in listed
    assert documents._nrs_rule().startswith(NRS_RULE)  # the care summary's chart caption
    assert f"| MIC-NRS | nrs | {NRS_RULE} |" in render()  # docs/clinical-rules.md
