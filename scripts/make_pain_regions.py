"""Write resources/pain_regions.json: the named body regions a pain drawing marks (issue 13).

Run once by hand when the regions change (``python scripts/make_pain_regions.py``); the JSON is the
data AcuDesk reads. Each region's ``cut`` is a polygon in the body chart's coordinates
(resources/acupoints/body_chart.json: x 0..1 left to right of the image, y 0..1 top to bottom); the
region is the part of the view's outline inside its cut, so cuts may reach past the silhouette.
Front and back regions are written for the image's right half and mirrored to x -> 1 - x.

Weights are the adult Lund and Browder chart (Lund CC, Browder NC. The estimation of areas of burns.
Surg Gynecol Obstet 1944;79:352-358), each part split equally between front and back, as pain
drawing area ratings do (Margolis RB, Tait RC, Krause SJ. A rating system for use with patient pain
drawings. Pain 1986;24:57-65). Front and back regions add up to 100 % of the body surface; a side
region counts as the front or back region named in ``counts_as``, so no skin is counted twice.
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "resources" / "pain_regions.json"

# Arm/trunk border below the armpit and the arm's cuts, image-right half (x >= 0.5).
ARMPIT, ELBOW_LINE, WAIST_LINE, WRIST_LINE, HIP_LINE = (0.677, 0.245), (0.684, 0.36), (0.7053, 0.45), \
    (0.712, 0.495), (0.714, 0.53)


def rect(x0: float, y0: float, x1: float, y1: float) -> list[list[float]]:
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


# name, segment, limb ("arm" | "leg" | ""), level (distance down the limb: 0 root ... 3 hand/foot), cut
HALF_FRONT = [
    ("shoulder", "the front of the {side} shoulder", "shoulder", "arm", 1, rect(0.62, 0.15, 0.98, ARMPIT[1])),
    ("chest", "the {side} chest", "chest", "", 0,
     [[0.5, 0.19], [0.58, 0.19], [0.58, 0.15], [0.62, 0.15], [0.62, ARMPIT[1]], list(ARMPIT), [0.680, 0.30],
      [0.5, 0.30]]),
    ("upper_arm", "the front of the {side} upper arm", "upper arm", "arm", 2,
     [list(ARMPIT), [0.98, ARMPIT[1]], [0.98, 0.36], list(ELBOW_LINE)]),
    ("forearm", "the front of the {side} forearm", "forearm", "arm", 3,
     [list(ELBOW_LINE), [0.98, 0.36], [0.98, WRIST_LINE[1]], list(WRIST_LINE), [0.71, 0.47]]),
    ("hand", "the {side} palm and fingers", "hand", "arm", 4,
     [list(WRIST_LINE), [0.98, WRIST_LINE[1]], [0.98, 0.66], [0.716, 0.66], list(HIP_LINE)]),
    ("abdomen", "the {side} side of the abdomen", "abdomen", "", 0,
     [[0.5, 0.30], [0.680, 0.30], list(ELBOW_LINE), list(WAIST_LINE), [0.5, 0.45]]),
    ("groin", "the {side} groin and front of the hip", "groin", "leg", 1,
     [[0.5, 0.45], list(WAIST_LINE), [0.71, 0.47], list(WRIST_LINE), list(HIP_LINE), [0.5, 0.53]]),
    ("thigh", "the front of the {side} thigh", "thigh", "leg", 2, [[0.5, 0.53], list(HIP_LINE), [0.716, 0.66],
                                                                    [0.75, 0.66], [0.75, 0.68], [0.5, 0.68]]),
    ("knee", "the {side} knee", "knee", "leg", 3, rect(0.5, 0.68, 0.8, 0.77)),
    ("lower_leg", "the {side} shin", "lower leg", "leg", 4, rect(0.5, 0.77, 0.8, 0.93)),
    ("foot", "the top of the {side} foot and ankle", "foot", "leg", 5, rect(0.5, 0.93, 0.8, 1.0)),
]
HALF_BACK = [
    ("shoulder", "the back of the {side} shoulder", "shoulder", "arm", 1, HALF_FRONT[0][5]),
    ("upper_back", "the {side} upper back and shoulder blade", "upper back", "", 0, HALF_FRONT[1][5]),
    ("upper_arm", "the back of the {side} upper arm", "upper arm", "arm", 2, HALF_FRONT[2][5]),
    ("forearm", "the back of the {side} forearm", "forearm", "arm", 3, HALF_FRONT[3][5]),
    ("hand", "the back of the {side} hand", "hand", "arm", 4, HALF_FRONT[4][5]),
    ("mid_back", "the {side} mid back", "mid back", "", 0,
     [[0.5, 0.30], [0.680, 0.30], list(ELBOW_LINE), [0.6886, 0.38], [0.5, 0.38]]),
    ("low_back", "the {side} low back", "low back", "", 0,
     [[0.5, 0.38], [0.6886, 0.38], [0.7069, 0.465], [0.5, 0.465]]),
    ("buttock", "the {side} buttock", "buttock", "leg", 1,
     [[0.5, 0.465], [0.7069, 0.465], [0.71, 0.47], list(WRIST_LINE), [0.714, 0.545], [0.5, 0.545]]),
    ("thigh", "the back of the {side} thigh", "thigh", "leg", 2,
     [[0.5, 0.545], [0.714, 0.545], [0.716, 0.66], [0.75, 0.66], [0.75, 0.68], [0.5, 0.68]]),
    ("knee", "the back of the {side} knee", "knee", "leg", 3, rect(0.5, 0.68, 0.8, 0.77)),
    ("lower_leg", "the {side} calf", "lower leg", "leg", 4, rect(0.5, 0.77, 0.8, 0.93)),
    ("foot", "the {side} heel and sole", "foot", "leg", 5, rect(0.5, 0.93, 0.8, 1.0)),
]
# Lund and Browder, adult, halved front/back; the knee takes 0.75 % from the thigh and 0.5 % from the leg.
HALF_WEIGHTS = {
    "shoulder": 0.5, "upper_arm": 1.5, "forearm": 1.5, "hand": 1.25,
    "chest": 3.5, "abdomen": 2.5, "groin": 1.0,
    "upper_back": 3.5, "mid_back": 1.5, "low_back": 1.5, "buttock": 2.5,
    "thigh": 4.0, "knee": 1.25, "lower_leg": 3.0, "foot": 1.75,
}
MIDLINE = [
    # id, view, name, segment, weight, cut
    ("front.head", "front", "the face and the front of the head", "head", 3.5, rect(0.2, 0.0, 0.8, 0.145)),
    ("front.neck", "front", "the front of the neck", "neck", 1.0, rect(0.42, 0.145, 0.58, 0.19)),
    ("back.head", "back", "the back of the head", "head", 3.5, rect(0.2, 0.0, 0.8, 0.145)),
    ("back.neck", "back", "the back of the neck", "neck", 1.0, rect(0.42, 0.145, 0.58, 0.19)),
]
# The side view shows the patient's right side, arm omitted; each side region counts as a front or back one.
SIDE = [
    ("side.head", "the right temple, ear and jaw", "head", "", 0, rect(0.0, 0.0, 1.0, 0.14), "front.head"),
    ("side.neck", "the right side of the neck", "neck", "", 0, rect(0.0, 0.14, 1.0, 0.2), "back.neck"),
    ("side.ribs", "the right side of the chest", "chest", "", 0, rect(0.0, 0.2, 1.0, 0.36), "front.chest.right"),
    ("side.flank", "the right flank", "low back", "", 0, rect(0.0, 0.36, 1.0, 0.46), "back.low_back.right"),
    ("side.hip", "the outside of the right hip", "buttock", "leg", 1, rect(0.0, 0.46, 1.0, 0.56),
     "back.buttock.right"),
    ("side.thigh", "the outside of the right thigh", "thigh", "leg", 2, rect(0.0, 0.56, 1.0, 0.69),
     "front.thigh.right"),
    ("side.knee", "the outside of the right knee", "knee", "leg", 3, rect(0.0, 0.69, 1.0, 0.77), "front.knee.right"),
    ("side.lower_leg", "the outside of the right lower leg", "lower leg", "leg", 4, rect(0.0, 0.77, 1.0, 0.93),
     "front.lower_leg.right"),
    ("side.foot", "the right ankle and the outside of the foot", "foot", "leg", 5, rect(0.0, 0.93, 1.0, 1.0),
     "front.foot.right"),
]


def mirrored(cut: list[list[float]]) -> list[list[float]]:
    return [[round(1.0 - x, 4), y] for x, y in reversed(cut)]


def build() -> dict:
    regions: list[dict] = []
    for region_id, view, name, segment, weight, cut in MIDLINE:
        regions.append({"id": region_id, "view": view, "name": name, "segment": segment, "side": "midline",
                        "limb": "", "level": 0, "weight": weight, "cut": cut})
    for view, half, image_right_side in (("front", HALF_FRONT, "left"), ("back", HALF_BACK, "right")):
        for side in ("right", "left"):
            for key, name, segment, limb, level, cut in half:
                on_image_right = side == image_right_side
                regions.append({
                    "id": f"{view}.{key}.{side}", "view": view, "name": name.format(side=side),
                    "segment": segment, "side": side, "limb": limb, "level": level,
                    "weight": HALF_WEIGHTS[key], "cut": cut if on_image_right else mirrored(cut),
                })
    for region_id, name, segment, limb, level, cut, counts_as in SIDE:
        regions.append({"id": region_id, "view": "side", "name": name, "segment": segment, "side": "right",
                        "limb": limb, "level": level, "counts_as": counts_as, "cut": cut})
    return {
        "version": 1,
        "about": __doc__.strip().splitlines()[0],
        "coordinates": "A region is the part of its view's outline (resources/acupoints/body_chart.json) inside "
                       "its 'cut' polygon, in the same normalised coordinates.",
        "weights": "Percent of the body surface: the adult Lund and Browder chart (Lund & Browder, Surg Gynecol "
                   "Obstet 1944;79:352-358), each part halved between front and back, as in Margolis, Tait & "
                   "Krause, Pain 1986;24:57-65. Front and back regions add up to 100. A side region has no weight "
                   "of its own: it counts as the front or back region in 'counts_as'.",
        "levels": "How far down its limb a region lies: arm 1 shoulder, 2 upper arm, 3 forearm, 4 hand; leg 1 "
                  "buttock/groin/hip, 2 thigh, 3 knee, 4 lower leg, 5 foot.",
        "regions": regions,
    }


if __name__ == "__main__":
    OUT.write_text(json.dumps(build(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")
