"""A small run database for the invitation tests: practices, patients and the
study's output tables (population, quarantine, prior_invitations) as
docs/design/contracts.md names them, filled from rows written in the test."""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import db

INDEX = dt.date(2024, 5, 1)
PRACTICES = {
    "A81001": ("Ashby Road Surgery", ["1 High Street", "Ashby", "Leicestershire", "LE65 1AA"]),
    "B82002": ("Bramley Health Centre", ["Town Street", "Bramley", "LS13 2XX"]),
}
POPULATION_COLUMNS = (
    "practice_code VARCHAR, patient_id VARCHAR, index_date DATE, age INTEGER, registered BOOLEAN, "
    "alive BOOLEAN, working_age BOOLEAN, c1 BOOLEAN, c2 BOOLEAN, c3 BOOLEAN, chronic_pain BOOLEAN, "
    "employment_category VARCHAR, employment_date DATE, not_in_work BOOLEAN, dementia BOOLEAN, "
    "palliative BOOLEAN, opt_out BOOLEAN, already_invited BOOLEAN, do_not_contact BOOLEAN, "
    "screened_out BOOLEAN, dq_reason VARCHAR, stopped_by VARCHAR, invited BOOLEAN, score INTEGER, "
    "out_of_work_evidence BOOLEAN"
)


def nhs_number(key: str) -> str:
    """A synthetic NHS number passing Modulus 11, the same for the same KEY in every world."""
    n = 943_000_000 + zlib.crc32(key.encode()) % 900_000
    while True:
        digits = [int(d) for d in str(n)]
        check = (11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11) % 11
        if check != 10:
            return f"{n}{check}"
        n += 1


@dataclass
class Patient:
    practice_code: str
    patient_id: str
    forename: str = "Ann"
    surname: str = "Smith"
    title: str | None = "Ms"
    nhs_number: str | None = None
    address: tuple[str | None, ...] = ("2 Mill Lane", "Ashby", None, None)
    postcode: str = "LE65 1AB"
    date_of_birth: dt.date = dt.date(1980, 6, 15)
    c1: bool = False
    c2: bool = True
    c3: bool = False
    invited: bool = True
    stopped_by: str | None = None
    score: int = 0


@dataclass
class RunDB:
    patients: list[Patient] = field(default_factory=list)
    quarantine: list[tuple[str, str, str]] = field(default_factory=list)
    prior: list[tuple[str, str, str | None, str, str]] = field(default_factory=list)

    def add(self, practice_code: str, patient_id: str, **kw) -> Patient:
        kw.setdefault("nhs_number", nhs_number(f"{practice_code}/{patient_id}"))
        p = Patient(practice_code, patient_id, **kw)
        self.patients.append(p)
        return p

    def build(self, path: Path | str = ":memory:"):
        con = db.connect(path)
        db.script(con, "load/tables")
        for code, (name, address) in PRACTICES.items():
            con.execute(
                "INSERT INTO practices VALUES (?, ?, 'EMIS Web', ?, ?, ?)",
                [code, name, INDEX, address, f"/x/{code}"],
            )
        con.execute(
            "CREATE TABLE run_practices AS SELECT practice_code, extract_date AS index_date FROM practices"
        )
        con.executemany(
            "INSERT INTO patients VALUES (?, ?, ?, true, ?, ?, ?, ?, 'F', ?, ?, ?, ?, ?, true, DATE '2000-01-01', NULL, NULL)",
            [self._patient_row(p) for p in self.patients],
        )
        con.execute(f"CREATE TABLE population ({POPULATION_COLUMNS})")
        con.executemany(
            "INSERT INTO population VALUES (?, ?, ?, 40, true, true, true, ?, ?, ?, true, NULL, NULL, true, "
            "false, false, false, false, false, false, NULL, ?, ?, ?, NULL)",
            [self._population_row(p) for p in self.patients],
        )
        con.execute(
            "CREATE TABLE quarantine (practice_code VARCHAR, patient_id VARCHAR, reason VARCHAR)"
        )
        if self.quarantine:
            con.executemany("INSERT INTO quarantine VALUES (?, ?, ?)", self.quarantine)
        con.execute(
            "CREATE TABLE prior_invitations (practice_code VARCHAR, patient_id VARCHAR, nhs_number VARCHAR, "
            "run_id VARCHAR, invite_ref VARCHAR)"
        )
        if self.prior:
            con.executemany("INSERT INTO prior_invitations VALUES (?, ?, ?, ?, ?)", self.prior)
        return con

    def extract(self, path: Path | str = ":memory:"):
        """A run database as the loader leaves it, with run_practices: the study's inputs."""
        con = db.connect(path)
        db.script(con, "load/tables")
        for code, (name, address) in PRACTICES.items():
            con.execute(
                "INSERT INTO practices VALUES (?, ?, 'EMIS Web', ?, ?, ?)",
                [code, name, INDEX, address, f"/x/{code}"],
            )
        con.execute(
            "CREATE TABLE run_practices AS SELECT practice_code, extract_date AS index_date FROM practices"
        )
        if self.patients:
            con.executemany(
                "INSERT INTO patients VALUES (?, ?, ?, true, ?, ?, ?, ?, 'F', ?, ?, ?, ?, ?, true, DATE '2000-01-01', NULL, NULL)",
                [self._patient_row(p) for p in self.patients],
            )
        return con

    @staticmethod
    def _patient_row(p: Patient) -> list:
        return [
            p.practice_code,
            p.patient_id,
            p.nhs_number,
            p.title,
            p.forename,
            p.surname,
            p.date_of_birth,
            *p.address,
            p.postcode,
        ]

    @staticmethod
    def _population_row(p: Patient) -> list:
        stopped = p.stopped_by if not p.invited else None
        return [p.practice_code, p.patient_id, INDEX, p.c1, p.c2, p.c3, stopped, p.invited, p.score]
