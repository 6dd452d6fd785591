"""Generate docs/clinical-rules.md from the rule data, so the document cannot drift from the rules.

python -m acudesk.domain.rules_doc > docs/clinical-rules.md
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any

from acudesk.domain.conditions import Condition
from acudesk.domain.contraindications import RuleSet, load_ruleset
from acudesk.domain.flag_clearance import ClearancePolicy, load_clearance_policy
from acudesk.domain.outcomes import change_rule, load_outcome_config
from acudesk.domain.triage import TriageRules, load_triage_rules


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def describe(cond: Condition | None) -> str:
    """A condition in words: `a` AND (`b` OR `c`), at least 4 of (...)."""
    if cond is None:
        return "always (every patient)"
    if isinstance(cond, str):
        return f"`{cond.strip()}`"
    if "all" in cond:
        return " AND ".join(_nested(c) for c in cond["all"])
    if "any" in cond:
        return " OR ".join(_nested(c) for c in cond["any"])
    low, high = cond.get("count_at_least"), cond.get("count_at_most")
    if low is not None and high is not None:
        amount = f"exactly {low}" if low == high else f"{low} to {high}"
    elif low is not None:
        amount = f"at least {low}"
    else:
        amount = f"at most {high}"
    return f"{amount} of ({', '.join(describe(c) for c in cond['of'])})"


def _nested(cond: Condition) -> str:
    text = describe(cond)
    return f"({text})" if isinstance(cond, Mapping) else text


def _table(headers: list[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _triage(tr: TriageRules) -> list[str]:
    out = [
        f"## Red-flag triage (rules version {tr.version})",
        "",
        "Source: `resources/rules/triage.toml`.",
        "",
    ]
    out += ["### Action levels (highest first)", ""]
    out += _table(["Level", "Action"], [[name, text] for name, text in tr.level_texts.items()])
    out += ["", "### Red-flag rules", ""]
    out += _table(
        ["Rule", "Category", "Level", "When", "Text", "Source", "Version", "Note"],
        [
            [
                r.id + (" (weak)" if r.weak else ""),
                r.category,
                r.level.name,
                describe(r.when),
                r.text,
                r.source,
                r.version,
                r.note,
            ]
            for r in tr.rules
        ],
    )
    out += [
        "",
        "### Where each emergency and urgent rule sends the patient",
        "",
        "The action shown on screen and printed in the referral letter for a result is its level's text, "
        "then the destination of each rule that fired at that level. `Patient advice` is what the "
        "practitioner tells the patient (shown in the referral box).",
        "",
    ]
    out += _table(
        ["Rule", "Level", "Destination", "Patient advice", "Why this destination"],
        [[r.id, r.level.name, r.destination, r.patient_advice, r.destination_source]
         for r in tr.rules if r.destination],
    )
    net = tr.safety_netting
    out += [
        "",
        "### Safety-netting",
        "",
        f"When only weak flags fire ({net['id']}, {net['source']}): {_cell(net['text'])}",
        "",
    ]
    out += ["### Named conditions", ""]
    out += _table(
        ["Name", "When"], [[f"@{name}", describe(c)] for name, c in tr.questionnaire.named_conditions.items()]
    )
    out += ["", "### Risk factors (recorded, never escalate the level)", ""]
    out += _table(
        ["Id", "When", "Text", "Source"],
        [[r.id, describe(r.when), r.text, r.source] for r in tr.risk_factors],
    )
    out += ["", "### Intake questions", ""]
    rows = []
    for q in tr.questionnaire.questions:
        if q.required:
            required = "yes"
        elif q.required_if is not None:
            required = f"if {describe(q.required_if)}"
        elif q.required_unless:
            required = f"unless `{q.required_unless}` given"
        else:
            required = "no"
        kind = q.type + (f": {', '.join(q.choices)}" if q.choices else "")
        if q.minimum is not None or q.maximum is not None:
            kind += f" ({q.minimum:g}-{q.maximum:g})"
        rows.append([f"`{q.id}`", q.section, kind, required, q.text])
    out += _table(["Id", "Section", "Type", "Required", "Question"], rows)
    return out


def _targets(rule: Any) -> str:
    parts = []
    if rule.points:
        parts.append("points " + ", ".join(rule.points))
    if rule.regions:
        parts.append("regions " + ", ".join(rule.regions))
    if rule.regions_from:
        mapped = ""
        if rule.region_map:
            mapped = " (" + "; ".join(f"{k} = {', '.join(v)}" for k, v in rule.region_map.items()) + ")"
        parts.append(f"regions named in `{rule.regions_from}`{mapped}")
    if rule.safety:
        parts.append("points marked " + ", ".join(rule.safety))
    if rule.techniques:
        parts.append("techniques " + ", ".join(rule.techniques))
    return "; ".join(parts)


def _contraindications(rs: RuleSet) -> list[str]:
    out = [
        f"## Contraindications and plan safety (rules version {rs.version})",
        "",
        "Source: `resources/rules/contraindications.toml`. `block` needs an override with a recorded "
        "reason; `warn` is shown to the practitioner. Rules that apply *always* are checked on every plan.",
        "",
        f"Techniques: {', '.join(rs.techniques)}.",
        "",
    ]
    rows = []
    for r in rs.rules:
        note = r.note + (f" Supersedes {', '.join(r.supersedes)}." if r.supersedes else "")
        rows.append(
            [r.id, describe(r.when), r.severity, _targets(r), r.reason, r.source, r.version, note.strip()]
        )
    out += _table(["Rule", "When", "Severity", "Restricts", "Reason", "Source", "Version", "Note"], rows)
    return out


def _outcomes(cfg: Mapping[str, Any]) -> list[str]:
    odi, ndi, sb = cfg["odi"], cfg["ndi"], cfg["start_back"]
    out = [
        f"## Outcome measures (settings version {cfg['version']})",
        "",
        "Source: `resources/rules/outcomes.toml`. ODI and STarT Back: scoring only, item texts are not "
        "reproduced (licensed instruments). NDI: scoring only, item texts are not reproduced; its licence "
        "is below.",
        "",
    ]
    rows = [
        [
            cfg["nrs"]["id"],
            cfg["nrs"]["name"],
            f"whole number {cfg['nrs']['minimum']}-{cfg['nrs']['maximum']}",
            cfg["nrs"]["source"],
        ],
        [
            odi["id"],
            odi["name"],
            f"{odi['sections']} sections {odi['section_minimum']}-{odi['section_maximum']}; "
            "sum / (5 x answered) x 100; "
            f"at most {odi['max_skipped']} skipped. {odi.get('note', '')}",
            odi["source"],
        ],
        [
            ndi["id"],
            ndi["name"],
            f"{ndi['sections']} sections {ndi['section_minimum']}-{ndi['section_maximum']}; "
            f"points = sum (0-{ndi['sections'] * ndi['section_maximum']}), a skipped section replaced by the "
            f"mean of the others; at most {ndi['max_skipped']} skipped. {ndi.get('note', '')}",
            ndi["source"],
        ],
        [
            cfg["rmdq"]["id"],
            cfg["rmdq"]["name"],
            f"{cfg['rmdq']['items']} yes/no items, score = number of yes. " + cfg["rmdq"].get("note", ""),
            cfg["rmdq"]["source"],
        ],
        [
            cfg["psfs"]["id"],
            cfg["psfs"]["name"],
            f"{cfg['psfs']['min_activities']}-{cfg['psfs']['max_activities']} activities rated "
            f"{cfg['psfs']['minimum']}-{cfg['psfs']['maximum']}; score = mean",
            cfg["psfs"]["source"],
        ],
        [
            sb["id"],
            sb["name"],
            f"items 1-8 agree = 1; item 9 = 1 for {' / '.join(sb['item9_scoring'])}; "
            f"total <= {sb['low_total_at_most']}"
            f" low; else distress (items {', '.join(map(str, sb['distress_items']))}) >= "
            f"{sb['high_distress_at_least']} high; else medium",
            sb["source"],
        ],
    ]
    out += _table(["Id", "Measure", "Scoring", "Source"], rows)
    out += ["", "ODI bands (upper bound inclusive; a score between bands takes the higher band):", ""]
    lower = 0
    band_rows = []
    for band in odi["bands"]:
        band_rows.append([f"{'over ' if lower else ''}{lower}-{band['upper']} %", band["label"]])
        lower = band["upper"]
    out += _table(["Score", "Band"], band_rows)
    out += ["", "NDI bands (points out of 50, upper bound inclusive; a score between bands takes the higher band):",
            ""]
    lower = 0
    band_rows = []
    for band in ndi["bands"]:
        band_rows.append([f"{'over ' if lower else ''}{lower}-{band['upper']}", band["label"]])
        lower = band["upper"]
    out += _table(["Points", "Band"], band_rows)
    out += ["", f"NDI licence: {_cell(ndi['licence'])}"]
    out += ["", "Minimal important change:", ""]
    mic_rows = []
    for measure, spec in cfg["meaningful_change"].items():
        threshold = change_rule(measure, config=cfg)
        direction = "higher is better" if spec["higher_is_better"] else "lower is better"
        mic_rows.append([spec["id"], measure, threshold, direction, spec["source"], spec.get("note", "")])
    out += _table(["Id", "Measure", "Threshold", "Direction", "Source", "Note"], mic_rows)
    return out


def _clearance(policy: ClearancePolicy) -> list[str]:
    out = [
        f"### Lifting a red flag (version {policy.version})",
        "",
        "Data: `resources/rules/flag_clearance.toml`. A new intake that drops a flag the latest signed intake "
        f"raised at {' or '.join(policy.levels)} is signed only after a clearance records what changed, who saw the "
        "patient and when (docs/clinical-workflow.md).",
        "",
        f"Who saw the patient: {', '.join(c.label for c in policy.seen_by)}.",
        "",
        f"Source: {_cell(policy.source)}",
        "",
        f"Note: {_cell(policy.note)}",
    ]
    return out


def render() -> str:
    lines = [
        "# AcuDesk clinical rules",
        "",
        "<!-- Generated by `python -m acudesk.domain.rules_doc > docs/clinical-rules.md`; do not edit. -->",
        "",
        "Generated from the versioned rule data in `resources/rules/`. Every rule needs a clinician's review "
        "before a clinic relies on it. Where sources are silent or disagree, AcuDesk takes the safer "
        "behaviour and says so in the rule's note.",
        "",
    ]
    lines += _triage(load_triage_rules()) + [""]
    lines += _clearance(load_clearance_policy()) + [""]
    lines += _contraindications(load_ruleset()) + [""]
    lines += _outcomes(load_outcome_config())
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(render())
