"""The docstring examples of acsi.methods run and give the printed results."""
import doctest
import importlib

import pytest

MODULES = ["ahp", "ipa", "kano", "servqual", "fuzzy", "metrics", "sampling", "descriptive", "intervals",
           "drivers", "factor", "cluster", "correspondence", "correlation", "customers"]  # cli: acsi/cli/toolkit.py


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    mod = importlib.import_module(f"acsi.methods.{name}")
    res = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.attempted > 0, f"{name} has no examples"
    assert res.failed == 0
