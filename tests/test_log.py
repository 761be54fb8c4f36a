"""acsi.log: the acsi logger, never a root-logger handler; progress bars that work everywhere."""

from __future__ import annotations

import io
import logging

import acsi
from acsi.log import configure, get_logger, progress_bar
from conftest import ACSI_LAVAAN


def test_fit_adds_no_root_handler_and_logs_to_the_acsi_logger(acsi_exact, caplog, monkeypatch):
    data, _ = acsi_exact
    logger = logging.getLogger("acsi")  # an earlier acsi.cli.main() may have configured it
    monkeypatch.setattr(logger, "propagate", True)
    monkeypatch.setattr(logger, "handlers", [])
    root = list(logging.getLogger().handlers)
    with caplog.at_level(logging.INFO, logger="acsi"):
        acsi.fit(data.round().clip(1, 10), acsi.parse_lavaan(ACSI_LAVAAN), unit=None)
    assert logging.getLogger().handlers == root
    assert any(r.name == "acsi.fitting" and "fitting custom (sem) to 0 units" in r.getMessage() for r in caplog.records)


def test_configure_sets_one_handler_on_the_acsi_logger(monkeypatch):
    monkeypatch.setattr(logging.getLogger("acsi"), "handlers", [])
    stream = io.StringIO()
    logger = configure(verbose=1, stream=stream)
    configure(verbose=1, stream=stream)
    assert len([h for h in logger.handlers if h.get_name() == "acsi-cli"]) == 1
    get_logger("fitting").info("hello")
    assert stream.getvalue() == "acsi: INFO: hello\n"
    configure(quiet=True, stream=stream)
    get_logger("acsi.fitting").warning("hidden")
    assert "hidden" not in stream.getvalue()
    assert not any(h.get_name() == "acsi-cli" for h in logging.getLogger().handlers)
    logger.propagate = True
    logger.setLevel(logging.NOTSET)


def test_progress_bar_off_and_on():
    assert list(progress_bar(iter([1, 2]), enabled=False)) == [1, 2]
    bar = progress_bar(total=2, desc="x", enabled=True)
    bar.update(2)
    bar.close()
    assert type(bar).__module__.startswith("tqdm")
