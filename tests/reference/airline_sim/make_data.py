"""Simulated answers for the shipped `airline` model (10 latents, 37 items, 8 correlated drivers).

Usage (from the repository root): python tests/reference/airline_sim/make_data.py
Writes data.csv (n = 800, 1-10 answers) and model.lav (the lavaan text acsi generates).
"""

from pathlib import Path

import acsi
from acsi.simulate import simulate_survey

HERE = Path(__file__).parent
spec = acsi.load_model("airline")
df = simulate_survey("airline", units=1, n_per_unit=800, periods=1, seed=5, missing_code_rate=0)
df[list(spec.item_ids)].to_csv(HERE / "data.csv", index=False)
(HERE / "model.lav").write_text(spec.to_lavaan())
