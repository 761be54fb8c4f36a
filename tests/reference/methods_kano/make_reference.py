"""Kano references: classification with a hand-typed evaluation table (dict of pairs), not acsi.

Run: python tests/reference/methods_kano/make_reference.py
Writes answers.csv (long format: respondent, attribute, functional, dysfunctional as labels)
and expected.csv (counts, category by majority with the M > O > A > I > R > Q tie rule,
Better = (A+O)/(A+O+M+I), Worse = -(O+M)/(A+O+M+I); Berger et al. 1993).
"""
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
L = ["like", "must-be", "neutral", "live-with", "dislike"]
# Berger et al. (1993), Table 1 (functional row, dysfunctional column).
TABLE = {
    ("like", "like"): "Q", ("like", "must-be"): "A", ("like", "neutral"): "A", ("like", "live-with"): "A", ("like", "dislike"): "O",
    ("dislike", "like"): "R", ("dislike", "must-be"): "R", ("dislike", "neutral"): "R", ("dislike", "live-with"): "R", ("dislike", "dislike"): "Q",
}
for f in ["must-be", "neutral", "live-with"]:
    TABLE[(f, "like")] = "R"
    for d in ["must-be", "neutral", "live-with"]:
        TABLE[(f, d)] = "I"
    TABLE[(f, "dislike")] = "M"

# Designed answer pairs per attribute (functional, dysfunctional): 10 respondents each.
pairs = {
    # clear must-be: 6 M, 2 O, 1 I, 1 A
    "safety": [("must-be", "dislike")] * 4 + [("neutral", "dislike")] * 2 + [("like", "dislike")] * 2
              + [("neutral", "neutral")] + [("like", "neutral")],
    # one-dimensional: 5 O, 2 A, 2 M, 1 I
    "speed": [("like", "dislike")] * 5 + [("like", "live-with")] * 2 + [("live-with", "dislike")] * 2 + [("neutral", "live-with")],
    # attractive: 6 A, 1 O, 3 I
    "wifi": [("like", "neutral")] * 4 + [("like", "must-be")] * 2 + [("like", "dislike")] + [("neutral", "neutral")] * 3,
    # tie O vs A (4 each) + 1 R + 1 Q: O wins by the M > O > A > I rule
    "lounge": [("like", "dislike")] * 4 + [("like", "live-with")] * 4 + [("dislike", "like")] + [("like", "like")],
    # indifferent: 7 I, 1 A, 1 M, 1 R
    "magazine": [("neutral", "neutral")] * 4 + [("live-with", "live-with")] * 2 + [("must-be", "neutral")]
                + [("like", "live-with")] + [("must-be", "dislike")] + [("neutral", "like")],
}
rows = []
for attr, ps in pairs.items():
    for r, (f, d) in enumerate(ps):
        rows.append({"respondent": r + 1, "attribute": attr, "functional": f, "dysfunctional": d})
pd.DataFrame(rows).to_csv(HERE / "answers.csv", index=False)
order = ["M", "O", "A", "I", "R", "Q"]
exp = []
for attr, ps in pairs.items():
    cats = [TABLE[p] for p in ps]
    c = {k: cats.count(k) for k in "AOMIRQ"}
    best = max(c.values())
    cat = next(k for k in order if c[k] == best)
    denom = c["A"] + c["O"] + c["M"] + c["I"]
    exp.append({"attribute": attr, **c, "n": len(cats), "category": cat,
                "tie": sum(1 for k in order if c[k] == best) > 1,
                "better": (c["A"] + c["O"]) / denom, "worse": -(c["O"] + c["M"]) / denom})
pd.DataFrame(exp).to_csv(HERE / "expected.csv", index=False, float_format="%.15g")
print(pd.DataFrame(exp))
