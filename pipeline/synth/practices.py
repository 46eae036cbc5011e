"""The synthetic practices: codes, names, addresses, sizes and recording habits.

Practices take turns through a few *profiles* so that a handful of them exercise
the extract format's variety: a clinical system that coded in Read v2 (one in its
7-character form) or CTV3 before moving to SNOMED CT, one that writes UK
``DD/MM/YYYY`` dates and BNF drug codes, NHS numbers with and without spaces.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipeline.synth import population
from pipeline.synth.lookups import Pools

LEGACY_UNTIL = dt.date(2018, 4, 1)  # when practices' legacy coding gave way to SNOMED CT
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
MAX_PRACTICES = 9999  # Y90001 .. Y99999


@dataclass(frozen=True)
class Profile:
    clinical_system: str
    legacy_system: str | None  # how events before LEGACY_UNTIL were coded
    read7: bool  # Read v2 written with its 2-character term id (N245.00)
    uk_dates: bool  # dates written DD/MM/YYYY
    med_system: str  # dmd or bnf where a drug has both
    nhs_spaced: bool  # NHS numbers written 999 123 4567


PROFILES = (
    Profile("EMIS Web", "readv2", read7=False, uk_dates=False, med_system="dmd", nhs_spaced=False),
    Profile("Vision", "readv2", read7=True, uk_dates=True, med_system="bnf", nhs_spaced=True),
    Profile("SystmOne", "ctv3", read7=False, uk_dates=False, med_system="dmd", nhs_spaced=True),
    Profile("EMIS Web", None, read7=False, uk_dates=False, med_system="dmd", nhs_spaced=False),
)


@dataclass(frozen=True)
class Practice:
    number: int
    code: str
    name: str
    address: tuple[str, ...]
    towns: tuple[population.Town, ...]  # main town first, then two nearby
    profile: Profile
    first_g: int  # number of its first patient across the whole extract
    size: int
    street_from: int  # where its streets start in the street pool
    locality_from: int


def practice_code(number: int) -> str:
    """ODS-like code of practice NUMBER (0-based): Y90001, Y90002, …"""
    return f"Y9{number + 1:04d}"


def sizes(total: int, practices: int, rng: random.Random) -> list[int]:
    """Split TOTAL patients over PRACTICES unevenly (log-normal), each at least one."""
    weights = [rng.lognormvariate(0, 0.4) for _ in range(practices)]
    scale = (total - practices) / sum(weights)
    out = [1 + int(w * scale) for w in weights]
    for i in range(total - sum(out)):
        out[i % practices] += 1
    return out


def plan(*, practices: int, patients: int, seed: int, pools: Pools) -> list[Practice]:
    """Every practice of a run, deterministic for the seed."""
    rng = random.Random(seed)
    out, first_g = [], 0
    for number, size in enumerate(sizes(patients, practices, rng)):
        out.append(_practice(number, size, first_g, rng, pools))
        first_g += size
    return out


def _practice(number: int, size: int, first_g: int, rng: random.Random, pools: Pools) -> Practice:
    towns = rng.sample(population.TOWNS, 3)
    street_from = rng.randrange(len(pools.streets))
    street = pools.streets[street_from]
    name = rng.choice(population.PRACTICE_NAMES).format(
        town=towns[0].name,
        street=street,
        surname=rng.choice(pools.surnames),
        locality=rng.choice(pools.localities),
    )
    address = (
        f"{rng.randint(1, 120)} {street}",
        towns[0].name,
        towns[0].county,
        postcode(rng, towns[0]),
    )
    return Practice(
        number=number,
        code=practice_code(number),
        name=name,
        address=address,
        towns=tuple(towns),
        profile=PROFILES[number % len(PROFILES)],
        first_g=first_g,
        size=size,
        street_from=street_from,
        locality_from=rng.randrange(len(pools.localities)),
    )


def postcode(rng: random.Random, town: population.Town) -> str:
    inward = f"{rng.randrange(10)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
    return f"{rng.choice(town.districts)} {inward}"


def write_manifest(folder: Path, practice: Practice, extract_date: dt.date) -> None:
    date = (
        extract_date.strftime("%d/%m/%Y") if practice.profile.uk_dates else extract_date.isoformat()
    )
    manifest = {
        "practice_code": practice.code,
        "practice_name": practice.name,
        "clinical_system": practice.profile.clinical_system,
        "extract_date": date,
        "practice_address": list(practice.address),
    }
    text = yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, default_flow_style=False)
    (folder / "manifest.yaml").write_text(text, encoding="utf-8")
