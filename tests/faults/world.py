"""A tiny practice extract and helpers shared by the fault-injection tests.

Two patients qualify (p1, p2); p3 is too old. Every check reads what a data
manager would: the ledger in state.duckdb, the published run folders' mailmerge
lists, what `cohort audit verify` says.
"""

from __future__ import annotations

import contextlib
import csv
import json
import multiprocessing
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from pipeline import journal
from pipeline.cli import main

MANIFEST = """practice_code: A81001
practice_name: Ashby Road Surgery
extract_date: 2024-05-01
practice_address: ["1 High Street", "Ashby", "LE65 1AA"]
sparse_tables: [medications]
"""
PATIENTS = """patient_id,nhs_number,title,forename,surname,date_of_birth,sex,address_line_1,address_line_2,address_line_3,address_line_4,postcode,registration_date,deregistration_date,date_of_death
p1,943 476 5919,Ms,Ann,Smith,1980-06-15,F,2 Mill Lane,Ashby,,,LE65 1AB,2000-01-01,,
p2,,Mr,Sean,Brien,1975-01-01,M,5 Mill Lane,Ashby,,,LE65 1AB,2000-01-01,,
p3,,Dr,Old,Person,1940-01-01,M,3 Mill Lane,Ashby,,,LE65 1AB,2000-01-01,,
"""
EVENTS = "patient_id,event_date,coding_system,code,value\n" + "".join(
    f"p{i},2024-01-02,snomedct,82423001,\n" for i in range(1, 4)
)
ELIGIBLE = {"p1", "p2"}
# InStep asks for GP screening before letters; these tests are about letters and the ledger
OFF = ("--screening", "off", "--reason", "fault-injection test of the letters")


def write_extract(root: Path) -> Path:
    folder = root / "extracts" / "A81001"
    folder.mkdir(parents=True)
    (folder / "manifest.yaml").write_text(MANIFEST)
    (folder / "patients.csv").write_text(PATIENTS)
    (folder / "events.csv").write_text(EVENTS)
    (folder / "medications.csv").write_text(
        "patient_id,issue_date,coding_system,code,issue_type,quantity\n"
    )
    return folder.parent


def when(point: str, action):
    """A stand-in for journal.fault that runs ACTION when a command reaches POINT
    (monkeypatch.setattr(journal, "fault", when(...)))."""
    real = journal.fault

    def fault(name: str) -> None:
        if name == point:
            action()
        real(name)

    return fault


def cohort(*args):
    """One `cohort` command in this process."""
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def cohort_process(*args, fault: str | None = None, env: dict | None = None):
    """One `cohort` command in its own process (COHORT_FAULT=FAULT kills it there)."""
    environ = {**os.environ, "COHORT_PDF": "never", **(env or {})}
    environ.pop("COHORT_FAULT", None)
    if fault:
        environ["COHORT_FAULT"] = fault
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *map(str, args)],
        env=environ, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def ledger(ws: Path) -> list[tuple[str, str, str]]:
    """(patient_id, run_id, status) of every invitation in the workspace."""
    if not (ws / "state.duckdb").exists():
        return []
    with duckdb.connect(str(ws / "state.duckdb"), read_only=True) as con:
        return con.execute(
            "SELECT patient_id, run_id, status FROM ledger ORDER BY run_id, patient_id"
        ).fetchall()


def mailable(root: Path) -> dict[str, list[str]]:
    """patient ids in every mailmerge.csv under ROOT, by run id (the folder's name when it has
    no run record)."""
    found = {}
    for path in sorted(root.rglob("mailmerge.csv")):
        if path.parent.name == "A81001":
            continue  # the per-practice copy of the same list
        record = path.parent / "run_record.json"
        key = json.loads(record.read_text())["run_id"] if record.exists() else path.parent.name
        if path.parent.name.startswith(".staging"):
            key = path.parent.name  # never mailable: the caller fails on it
        with path.open(encoding="utf-8-sig", newline="") as fh:
            found[key] = sorted(r["patient_id"] for r in csv.DictReader(fh))
    return found


def assert_each_invited_once_with_a_letter(root: Path, ws: Path) -> None:
    """No lost, no doubled invitation: every active ledger row has its letter, in one published folder."""
    active = sorted((pid, run) for pid, run, status in ledger(ws) if status == "active")
    assert sorted(pid for pid, _ in active) == sorted(ELIGIBLE), ledger(ws)
    lists = mailable(root)
    assert not [name for name in lists if name.startswith(".staging")], lists
    for pid, run in active:
        assert pid in lists.get(run, []), (pid, run, lists)
    letters = [pid for run, pids in lists.items() for pid in pids if not _rolled_back(ws, run)]
    assert sorted(letters) == sorted(ELIGIBLE), lists


def _rolled_back(ws: Path, run_id: str) -> bool:
    return any(run == run_id and status == "rolled_back" for _, run, status in ledger(ws))


def verify(ws: Path):
    return cohort("audit", "verify", "--workspace", ws)


# Killed runs start from a fork server that has already imported the pipeline: a kill
# costs the run's own work, not seconds of imports (the server has no threads to copy).
PRELOAD = [
    "pipeline.cli", "pipeline.run", "pipeline.stages", "pipeline.validation", "pipeline.report",
    "pipeline.invitations", "pipeline.study.execute", "pipeline.audit", "pipeline.extract",
]  # fmt: skip
_CONTEXT = None


def _context():
    global _CONTEXT
    if _CONTEXT is None:
        _CONTEXT = multiprocessing.get_context("forkserver")
        _CONTEXT.set_forkserver_preload(PRELOAD)
    return _CONTEXT


def _child(args: list[str], fault: str | None, env: dict) -> None:
    os.environ.update({"COHORT_PDF": "never", **env})
    if fault:
        os.environ["COHORT_FAULT"] = fault
    sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - the process ends here
    try:
        main.main(args, prog_name="cohort", standalone_mode=False)
    except SystemExit as exc:
        os._exit(exc.code if isinstance(exc.code, int) else 1)
    except BaseException:  # noqa: BLE001 - reported as the exit status
        os._exit(1)
    os._exit(0)


def killed(*args, fault: str, env: dict | None = None) -> int:
    """Run `cohort ARGS` in a fresh process that COHORT_FAULT=FAULT kills; its exit status."""
    proc = _context().Process(target=_child, args=([str(a) for a in args], fault, env or {}))
    proc.start()
    proc.join(300)
    if proc.exitcode is None:
        proc.kill()
        raise AssertionError(f"cohort {args[0]} with COHORT_FAULT={fault} did not end")
    return proc.exitcode


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[Path]:
    """PATH seen read-only: a read-only bind mount as root (permissions do not bind root),
    else with every write bit off. Skips where neither can be had."""
    if os.geteuid() != 0:
        paths = [path, *path.rglob("*")]
        for p in paths:
            p.chmod(stat.S_IMODE(p.stat().st_mode) & ~0o222)
        try:
            yield path
        finally:
            for p in paths:
                p.chmod(stat.S_IMODE(p.stat().st_mode) | 0o200)
        return
    view = path.parent / f"{path.name}-read-only"
    view.mkdir()
    mounted = subprocess.run(["mount", "--bind", "-o", "ro", str(path), str(view)],
                             capture_output=True, check=False)  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip(f"cannot make a read-only mount here: {mounted.stderr.decode()[:100]}")
    try:
        yield view
    finally:
        subprocess.run(["umount", str(view)], check=False)


@contextlib.contextmanager
def small_disk(path: Path, size: str) -> Iterator[bool]:
    """A tmpfs of SIZE at PATH when this machine lets us mount one (yields True), else
    yields False: the caller then injects ENOSPC (COHORT_FAULT=enospc:POINT) instead."""
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(path)],
        capture_output=True, check=False,
    ) if os.geteuid() == 0 else None  # fmt: skip
    ok = mounted is not None and mounted.returncode == 0
    try:
        yield ok
    finally:
        if ok:
            subprocess.run(["umount", "-l", str(path)], check=False)
