"""acsi without its optional semopy extra: the default engine, the demo path and the CLI work;
asking for the semopy engine is one clear error saying how to install it (issue 17: install
footprint).  semopy (and what only it pulls in: sympy, statsmodels, scikit-learn) is blocked
from import in a fresh interpreter, as on a machine with ``pip install acsi`` only."""

import subprocess
import sys
import textwrap

BLOCK = textwrap.dedent("""
    import sys
    class _Block:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("semopy", "sympy", "statsmodels", "sklearn", "numdifftools"):
                raise ImportError(f"No module named {name!r} (blocked by the test)")
    sys.meta_path.insert(0, _Block())
""")


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", BLOCK + textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=300)


def test_fit_with_the_default_engine_needs_no_semopy():
    r = _run("""
        import sys
        import acsi
        from acsi.simulate import simulate_survey
        data = simulate_survey(acsi.load_model("acsi"), units=2, n_per_unit=300, periods=1, seed=4)
        fit = acsi.fit(data, "acsi", unit="company", progress=False)
        assert set(fit.units["status"]) == {"ok"}, fit.units
        assert not [m for m in ("semopy", "sympy", "statsmodels", "sklearn") if m in sys.modules]
        print(fit.indexes["index"].round(6).tolist())
    """)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().startswith("["), r.stdout


def test_semopy_engine_without_semopy_is_one_clear_error(tmp_path):
    survey = tmp_path / "s.csv"
    r = _run(f"""
        from acsi.simulate import simulate_survey
        import acsi
        simulate_survey(acsi.load_model("acsi"), units=1, n_per_unit=300, periods=1, seed=4).to_csv({str(survey)!r},
                                                                                                  index=False)
        from acsi.errors import InvalidParameterError
        try:
            acsi.fit({str(survey)!r}, "acsi", unit=None, options={{"engine": "semopy"}})
        except InvalidParameterError as e:
            print("LIB:", e)
        from acsi.cli import main
        raise SystemExit(main(["fit", {str(survey)!r}, "--unit", "", "--engine", "semopy", "--quiet",
                               "--out", {str(tmp_path / "out")!r}]))
    """)
    assert "LIB:" in r.stdout and "pip install 'acsi[semopy]'" in r.stdout, (r.stdout, r.stderr)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and "pip install 'acsi[semopy]'" in r.stderr, r.stderr
