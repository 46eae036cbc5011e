"""A full disk anywhere: one line saying so, nothing half-done after the next command.

Where this machine lets the tests mount a small tmpfs (root), the run folder or the
workspace really fills up, at several sizes so the disk fills at different steps.
Everywhere, ENOSPC is also injected at named write points (COHORT_FAULT=enospc:FILE,
pipeline/fsutil.py), which needs no privileges.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from .world import (
    OFF,
    assert_each_invited_once_with_a_letter,
    cohort,
    ledger,
    small_disk,
    verify,
    write_extract,
)

pytestmark = pytest.mark.slow


def _disk_full_or_ok(result) -> None:
    if result.exit_code == 0:
        return
    lines = result.output.strip().splitlines()
    assert result.exit_code == 7, result.output
    assert lines[-1].startswith("cohort: ") and "disk is full" in lines[-1], result.output
    assert "Traceback" not in result.output


def _grow(mount) -> None:
    subprocess.run(["mount", "-o", "remount,size=256m", str(mount)], check=True)


@pytest.mark.parametrize("size", ["64k", "1m", "3900k", "4200k", "5m"])
def test_a_run_folder_on_a_full_disk(tmp_path, size):
    extracts, ws, disk = write_extract(tmp_path), tmp_path / "ws", tmp_path / "disk"
    with small_disk(disk, size) as mounted:
        if not mounted:
            pytest.skip("no tmpfs here (needs root): see the injected cases below")
        result = cohort(
            "run", extracts, "--workspace", ws, "--new-workspace", "--out", disk / "run", "-q"
        )
        _disk_full_or_ok(result)
        _grow(disk)
        assert verify(ws).exit_code == 0, verify(ws).output  # repairs first
        assert not list(disk.glob(".staging-*"))
        if result.exit_code:
            again = cohort("run", *OFF, extracts, "--workspace", ws, "--out", disk / "again", "-q")
            assert again.exit_code == 0, again.output
        assert_each_invited_once_with_a_letter(tmp_path, ws)


@pytest.mark.parametrize("extra", ["64k", "600k", "2m"])
def test_a_workspace_on_a_full_disk(tmp_path, extra):
    extracts, disk = write_extract(tmp_path), tmp_path / "disk"
    seed = tmp_path / "seed"
    cohort("dnc", "add", "--workspace", seed, "--practice", "A81001", "--patient-id", "p3",
           "--reason", "phoned")  # fmt: skip
    used = sum(p.stat().st_size for p in seed.rglob("*") if p.is_file())
    with small_disk(
        disk, f"{used // 1024 + int(extra[:-1]) * (1024 if extra.endswith('m') else 1)}k"
    ) as mounted:
        if not mounted:
            pytest.skip("no tmpfs here (needs root): see the injected cases below")
        ws = disk / "ws"
        shutil.copytree(seed, ws)
        result = cohort("run", *OFF, extracts, "--workspace", ws, "--out", tmp_path / "run", "-q")
        _disk_full_or_ok(result)
        _grow(disk)
        assert verify(ws).exit_code == 0, verify(ws).output
        if not any(s == "active" for *_, s in ledger(ws)):
            again = cohort(
                "run", *OFF, extracts, "--workspace", ws, "--out", tmp_path / "again", "-q"
            )
            assert again.exit_code == 0, again.output
        assert_each_invited_once_with_a_letter(tmp_path, ws)


@pytest.mark.parametrize(
    "where",
    ["mailmerge.csv", "run_record.json", "report.html", "audit.log", "workspace.json"],
)
def test_disk_full_injected_at_a_write_point(tmp_path, monkeypatch, where):
    extracts, ws = write_extract(tmp_path), tmp_path / "ws"
    monkeypatch.setenv("COHORT_FAULT", f"enospc:{where}")
    result = cohort("run", *OFF, extracts, "--workspace", ws, "--new-workspace", "-q")
    assert result.exit_code == 7, result.output
    (line,) = [x for x in result.output.strip().splitlines() if x.startswith("cohort: ")]
    assert "disk is full" in line and "Traceback" not in result.output
    monkeypatch.delenv("COHORT_FAULT")
    assert verify(ws).exit_code == 0, verify(ws).output
    if not any(s == "active" for *_, s in ledger(ws)):
        assert cohort("run", *OFF, extracts, "--workspace", ws, "-q").exit_code == 0
    assert_each_invited_once_with_a_letter(tmp_path, ws)
