"""Fuzzy comprehensive evaluation references, computed with explicit Python loops (not acsi).

Run: python tests/reference/methods_fuzzy/make_reference.py
Case "clothing": the classic one-level textbook example of fuzzy comprehensive evaluation
(factors pattern, style, durability, price; grades very popular .. unpopular), Zadeh's max-min
operator; the published answer is B = (0.2, 0.3, 0.4, 0.1), which the loop below reproduces.
Case "two_level": a two-level satisfaction evaluation (5 grades, 3 subsets) with both operators.
"""
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def compose(a, R, op):
    out = []
    for j in range(len(R[0])):
        if op == "M(.,+)":
            out.append(min(1.0, sum(a[k] * R[k][j] for k in range(len(a)))))
        else:
            out.append(max(min(a[k], R[k][j]) for k in range(len(a))))
    return out


clothing = {"factors": ["pattern", "style", "durability", "price"],
            "grades": ["very_popular", "popular", "not_very_popular", "unpopular"],
            "A": [0.1, 0.2, 0.3, 0.4],
            "R": [[0.2, 0.5, 0.2, 0.1], [0.7, 0.2, 0.1, 0.0], [0.0, 0.4, 0.5, 0.1], [0.2, 0.3, 0.5, 0.0]]}
clothing["B_maxmin"] = compose(clothing["A"], clothing["R"], "M(^,v)")
clothing["published_B_maxmin"] = [0.2, 0.3, 0.4, 0.1]
clothing["B_weighted"] = compose(clothing["A"], clothing["R"], "M(.,+)")

grades = ["very dissatisfied", "dissatisfied", "basically satisfied", "satisfied", "very satisfied"]
points = [20, 40, 60, 80, 100]
subsets = {
    "product": {"items": ["quality", "design"], "A": [0.6, 0.4],
                "R": [[0.05, 0.10, 0.25, 0.40, 0.20], [0.00, 0.15, 0.35, 0.35, 0.15]]},
    "service": {"items": ["speed", "courtesy", "repair"], "A": [0.3, 0.3, 0.4],
                "R": [[0.10, 0.20, 0.30, 0.30, 0.10], [0.00, 0.05, 0.20, 0.45, 0.30], [0.15, 0.25, 0.30, 0.20, 0.10]]},
    "image": {"items": ["brand"], "A": [1.0], "R": [[0.02, 0.08, 0.30, 0.40, 0.20]]},
}
A = {"product": 0.5, "service": 0.3, "image": 0.2}
two = {"grades": grades, "points": points, "subsets": subsets, "A": A}
for op in ["M(.,+)", "M(^,v)"]:
    first = {s: compose(v["A"], v["R"], op) for s, v in subsets.items()}
    B = compose([A[s] for s in subsets], [first[s] for s in subsets], op)
    tot = sum(B)
    vec = [b / tot for b in B]
    score = sum(v * p for v, p in zip(vec, points))
    grade = grades[max(range(len(vec)), key=lambda j: (vec[j], -j))]
    two[op] = {"first_level": first, "raw": B, "grade_vector": vec, "score": score, "grade": grade}
(HERE / "expected.json").write_text(json.dumps({"clothing": clothing, "two_level": two}, indent=2))
print(json.dumps({"clothing": clothing, "two_level": {k: two[k] for k in ["M(.,+)", "M(^,v)"]}}, indent=1))
