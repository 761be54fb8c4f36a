"""Shared access to the toolkit reference values (tests/reference/methods_toolkit); fixtures imported by the tests."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

TOOLKIT_REF = Path(__file__).resolve().parents[1] / "reference" / "methods_toolkit"


class Expected:
    """Values from expected.csv: ``get(analysis, name)`` returns a float or an array (name.1, name.2, ...)."""

    def __init__(self, path: Path):
        t = pd.read_csv(path)
        self._d = {(a, n): v for a, n, v in zip(t["analysis"], t["name"], t["value"])}

    def get(self, analysis: str, name: str):
        if (analysis, name) in self._d:
            return float(self._d[(analysis, name)])
        vals, k = [], 1
        while (analysis, f"{name}.{k}") in self._d:
            vals.append(self._d[(analysis, f"{name}.{k}")])
            k += 1
        if not vals:
            raise KeyError(f"{analysis}/{name} not in the reference")
        return np.array(vals, dtype=float)


@pytest.fixture(scope="session")
def ref() -> Expected:
    return Expected(TOOLKIT_REF / "expected.csv")


@pytest.fixture(scope="session")
def survey() -> pd.DataFrame:
    return pd.read_csv(TOOLKIT_REF / "survey.csv")


@pytest.fixture(scope="session")
def sq_data() -> pd.DataFrame:
    return pd.read_csv(TOOLKIT_REF / "servqual.csv")


@pytest.fixture(scope="session")
def smoke() -> pd.DataFrame:
    """Greenacre's smoking table as shipped with R's ca package (written by make_reference.R)."""
    return pd.read_csv(TOOLKIT_REF / "smoke.csv", index_col=0)
