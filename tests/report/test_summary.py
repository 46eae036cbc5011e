"""The end-of-run summary: outcome first, then where each file is."""

from types import SimpleNamespace

from pipeline.summary import print_failed_run, print_summary


def _state(out, **extra):
    load = SimpleNamespace(
        manifests=[1, 2, 3], future_records={("J82001", "events"): 4, ("J82002", "events"): 0}
    )
    base = dict(
        run_id="R1",
        invited=312,
        out_dir=out,
        timings={"load": 100.0, "study": 34.0},
        load=load,
        attrition_text="Attrition (…)",
        validation=[SimpleNamespace(text=lambda: "Validation: 12 checks")],
        warnings=[],
        screening={"mode": "off", "from": "study"},
    )
    return SimpleNamespace(**{**base, **extra})


def test_summary_says_the_outcome_and_lists_existing_files(tmp_path, capsys):
    (tmp_path / "report.html").write_text("x")
    (tmp_path / "mailmerge.csv").write_text("x")
    print_summary(_state(tmp_path))
    out = capsys.readouterr().out
    assert "Run R1 finished in 2 min 14 s: 312 invitations from 3 practices." in out
    assert "Attrition (…)" in out and "Validation: 12 checks" in out
    assert (
        "Records dated after the extract date (kept, ignored by every rule):\n  J82001: events 4\n"
        in out
    )
    assert "J82002" not in out
    assert f"Run report (open in a browser):     {tmp_path / 'report.html'}" in out
    assert "mailmerge.csv" in out and "quarantine.csv" not in out
    assert out.index("report.html") < out.index("mailmerge.csv")


def test_quiet_summary_is_the_outcome_and_the_files_only(tmp_path, capsys):
    print_summary(_state(tmp_path, invited=1), quiet=True)
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "Run R1 finished in 2 min 14 s: 1 invitation from 3 practices."
    assert "Attrition" not in out and "Validation" not in out


def test_warnings_are_shown_even_when_quiet(tmp_path, capsys):
    stale = "stale extract: letters dated 2021-02-01 are 20 months after practice J82001's extract"
    print_summary(_state(tmp_path, warnings=[stale]), quiet=True)
    out = capsys.readouterr().out
    assert "1 warning(s) before letters go out (also in the run report):" in out
    assert f"  - {stale}" in out


def test_failed_run_points_at_its_report(tmp_path, capsys):
    (tmp_path / "report.html").write_text("x")
    print_failed_run(tmp_path)
    err = capsys.readouterr().err
    assert "nothing was invited" in err and str(tmp_path / "report.html") in err


def test_a_screened_run_says_people_are_listed_and_what_to_do_next(tmp_path, capsys):
    (tmp_path / "screening").mkdir()
    print_summary(_state(tmp_path, screening={"mode": "required", "from": "study"}))
    out = capsys.readouterr().out
    assert "312 people from 3 practices listed for GP screening; no letters yet" in out
    assert "cohort release R1" in out and "GP screening lists (no letters)" in out
