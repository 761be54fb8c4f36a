"""The examples in the docstrings of acsi.aggregate run and give what they say."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["acsi.aggregate.core", "acsi.aggregate.periods", "acsi.aggregate.uncertainty", "acsi.aggregate.examples"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
