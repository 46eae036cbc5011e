"""The render stage in worker processes writes exactly what it writes in one process."""

from __future__ import annotations

import stat
import types
from pathlib import Path
from zipfile import ZipFile

import pytest

from pipeline.errors import StudyError
from pipeline.invitations import render_jobs, select_invitations, write_outputs
from pipeline.invitations.letter_text import LetterText
from pipeline.invitations.letters import Practice
from pipeline.invitations.outputs import PACKS

from .builders import RunDB
from .conftest import LETTER_DATE, REPLY_BY, study

pytestmark = pytest.mark.usefixtures("no_chromium")


def world() -> RunDB:
    r = RunDB()
    for i in range(12):
        r.add("A81001", f"{i:05d}", forename=["Zoë", "=1+2", "Siân"][i % 3], surname=f"Åberg{i}")
    for i in range(5):
        r.add("B82002", f"b{i}", surname="Ó Briain", address=("Flat 2", None, "", "Bramley"))
    r.quarantine.append(("A81001", "q1", "no address"))
    return r


def welsh_second_practice():
    """B82002 sends the bilingual letter (its manifest says welsh-english)."""
    return [
        types.SimpleNamespace(
            practice_code=code,
            practice_telephone="01632 960001",
            practice_email=None,
            letter_language="welsh-english" if code == "B82002" else "english",
        )
        for code in ("A81001", "B82002")
    ]


def run_db():
    con = world().build()
    select_invitations(con, run_id="R1", study_name="instep", existing_refs=set(), seed=0)
    return con


def written(con, tmp_path: Path, name: str, *, workers: int, s=None) -> tuple[Path, list[Path]]:
    out = tmp_path / name
    files = write_outputs(
        con, out, study=s or study(), letter_date=LETTER_DATE, reply_by=REPLY_BY,
        manifests=welsh_second_practice(), workers=workers,
    )  # fmt: skip
    return out, files


def content(path: Path) -> bytes | dict[str, bytes]:
    """A file's bytes; a workbook's parts, less the creation time in docProps/core.xml."""
    if path.suffix != ".xlsx":
        return path.read_bytes()
    with ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


def test_workers_write_the_same_files_as_one_process(tmp_path):
    con = run_db()
    one, one_files = written(con, tmp_path, "one", workers=1)
    two, two_files = written(con, tmp_path, "two", workers=2)
    assert [p.relative_to(one) for p in one_files] == [p.relative_to(two) for p in two_files]
    assert sorted(p.relative_to(one) for p in one.rglob("*")) == sorted(
        p.relative_to(two) for p in two.rglob("*")
    )  # nothing else left behind (no temporary files)
    for path in one_files:
        twin = two / path.relative_to(one)
        assert content(path) == content(twin), path.relative_to(one)
        assert stat.S_IMODE(twin.stat().st_mode) == 0o600, twin
    welsh = (two / "practices" / "B82002" / "letters_large_print.html").read_text()
    assert 'lang="cy"' in welsh and 'class="large"' in welsh
    assert welsh.count('<section class="letter"') == 10  # 5 people, Welsh then English


def test_a_template_error_in_a_worker_stops_the_stage_as_a_study_error(tmp_path):
    source = tmp_path / "studies" / "mine.yaml"
    source.parent.mkdir()
    source.write_text("name: mine\n")
    (source.parent / "bad.html.j2").write_text("<p>{{ letter.surname }}\n{{ letter.nope }}</p>")
    s = study(template="bad.html.j2")
    s.source = str(source)
    with pytest.raises(StudyError, match=r"letter template for practice \w+: .*nope"):
        written(run_db(), tmp_path, "bad", workers=2, s=s)


def test_small_runs_stay_in_one_process_and_big_ones_use_the_cores(monkeypatch, tmp_path):
    pooled, here = [], []
    monkeypatch.setattr(render_jobs, "_in_workers", lambda jobs, words, **kw: pooled.append(kw))
    monkeypatch.setattr(render_jobs, "_run", lambda job, renderer: here.append(job))
    monkeypatch.setattr(render_jobs, "cores", lambda: 2)
    words = render_jobs.Words(LetterText(), study_title="t", study_source=None)
    half = render_jobs.PARALLEL_FROM // 2
    render_jobs.run_jobs([job(tmp_path, rows=half + 1), job(tmp_path, rows=half)], words)
    assert pooled == [{"workers": 2, "done": None}] and here == []
    render_jobs.run_jobs([job(tmp_path, rows=half), job(tmp_path, rows=half - 1)], words)
    assert len(pooled) == 1 and len(here) == 2  # fewer letters than PARALLEL_FROM: here
    render_jobs.run_jobs([job(tmp_path, rows=half + 1)] * 2, words, workers=1)
    assert len(pooled) == 1 and len(here) == 4  # one worker asked for: here


def job(tmp: Path, *, rows: int) -> render_jobs.PracticeJob:
    return render_jobs.PracticeJob(
        folder=tmp / "practices" / "A81001",
        practice=Practice(code="A81001", name="Ashby", address=("1 High Street",)),
        columns=["invite_ref"],
        rows=[("R",)] * rows,
        quarantine=(["practice_code"], []),
        packs=PACKS,
        day=LETTER_DATE,
        reply_by=REPLY_BY,
    )
