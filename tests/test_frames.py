"""acsi.frames: cached labels and text columns give the tables lists would, and stay unchanged."""

import numpy as np
import pandas as pd

from acsi.frames import labels, text


def test_text_column_is_what_pandas_infers_from_a_list():
    values = ["CE", "PQ", "", "CS"]
    built = pd.DataFrame({"latent": text(values), "x": np.arange(4.0)})
    inferred = pd.DataFrame({"latent": values, "x": np.arange(4.0)})
    pd.testing.assert_frame_equal(built, inferred, check_exact=True)
    assert built["latent"].dtype == inferred["latent"].dtype


def test_changing_a_table_never_changes_the_cached_column():
    values = ("a", "b", "c")
    df = pd.DataFrame({"c": text(values)})
    df.loc[0, "c"] = "changed"
    assert list(text(values)) == ["a", "b", "c"]
    assert text(values) is text(list(values))  # one column per distinct tuple


def test_labels_are_one_shared_index_equal_to_a_new_one():
    names = ["ce1", "ce2", "pq1"]
    assert labels(names) is labels(tuple(names))
    pd.testing.assert_index_equal(labels(names), pd.Index(names))
    frame = pd.DataFrame(np.eye(3), index=labels(names), columns=labels(names))
    frame.index = ["x", "y", "z"]  # relabelling a frame builds a new index
    assert list(labels(names)) == names
