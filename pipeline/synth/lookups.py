"""The small lookup tables the generator's SQL draws from, built once per run.

Names, streets and localities come from Faker (``en_GB``) seeded with the run's
seed: a few thousand draws into pools, which the SQL then samples by hash. Codes,
drugs and ages become *slot* tables: each pool spread over a fixed number of slots
in proportion to the weights, so a draw is one equality join on a slot number.
The tables live in the run's shared in-memory database; every worker reads them.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
from faker import Faker

from pipeline import db
from pipeline.synth import codes, population, rates

SLOTS = 240  # slots per code or drug pool (sy_int(..., 240) in sql/synth)
AGE_SLOTS = 1000
EVENT_SYSTEMS = ("readv2", "ctv3", "snomedct")


@dataclass(frozen=True)
class Pools:
    forenames_m: tuple[str, ...]
    forenames_f: tuple[str, ...]
    surnames: tuple[str, ...]
    streets: tuple[str, ...]
    localities: tuple[str, ...]


def spread(weights: Sequence[float], slots: int) -> list[int]:
    """Indices of WEIGHTS laid over SLOTS in proportion (largest remainder, stable)."""
    total = float(sum(weights))
    exact = [w * slots / total for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (counts[i] - exact[i], i))
    for i in by_remainder[: slots - sum(counts)]:
        counts[i] += 1
    return [i for i, n in enumerate(counts) for _ in range(n)]


def build_pools(seed: int) -> Pools:
    """Name and street pools drawn once from Faker (en_GB), seeded."""
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    surnames = tuple(fake.last_name() for _ in range(2000))
    return Pools(
        forenames_m=tuple(fake.first_name_male() for _ in range(1000)),
        forenames_f=tuple(fake.first_name_female() for _ in range(1000)),
        surnames=surnames,
        streets=tuple(_street(rng, surnames) for _ in range(3000)),
        localities=tuple(_locality(rng, surnames) for _ in range(600)),
    )


def _street(rng: random.Random, surnames: Sequence[str]) -> str:
    first = rng.choice(surnames) if rng.random() < 0.5 else rng.choice(population.STREET_WORDS)
    names, weights = zip(*population.STREET_SUFFIXES, strict=True)
    return f"{first} {rng.choices(names, weights)[0]}"


def _locality(rng: random.Random, surnames: Sequence[str]) -> str:
    name = rng.choice(surnames)
    return (
        f"Upper {name}"
        if rng.random() < 0.1
        else f"{name} {rng.choice(population.LOCALITY_SUFFIXES)}"
    )


def _titles(sex: str) -> list[str]:
    names, weights = zip(*population.TITLES[sex], strict=True)
    return [names[i] for i in spread(weights, 100)]


def _create(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, list]) -> None:
    """Create table NAME from COLUMNS (name and column names are fixed in this module;
    the values are bound as lists). A table with pool, system_no and slot columns gets
    their join key (sy_slot_key in sql/synth/macros.sql)."""
    names = list(columns)
    key = (
        "sy_slot_key(sy_pool_key(pool), system_no, slot) AS key, "
        if {"pool", "system_no", "slot"} <= set(names)
        else ""
    )
    unnests = ", ".join(f"unnest(${i}) AS {c}" for i, c in enumerate(names, start=1))
    con.execute(
        f"CREATE OR REPLACE TABLE {name} AS SELECT {key}* FROM (SELECT {unnests})",
        list(columns.values()),
    )


def _age_slots() -> dict[str, list]:
    picks = spread([b[2] for b in population.AGE_BANDS], AGE_SLOTS)
    bands = [population.AGE_BANDS[i] for i in picks]
    return {
        "slot": list(range(AGE_SLOTS)),
        "age_lo": [b[0] for b in bands],
        "width": [b[1] for b in bands],
    }


def _slotted(keys: tuple[str, ...], groups) -> dict[str, list]:
    """Columns KEYS of a slot table: for each (pool, system_no, items, rest) of GROUPS,
    the items laid over SLOTS by weight, rest(item) giving the columns after the slot."""
    rows: dict[str, list] = {k: [] for k in keys}
    for pool, system_no, items, rest in groups:
        assert items, f"pool {pool} has nothing to draw"
        for slot, i in enumerate(spread([x.weight for x in items], SLOTS)):
            for key, value in zip(keys, (pool, system_no, slot, *rest(items[i])), strict=True):
                rows[key].append(value)
    return rows


def _code_slots() -> dict[str, list]:
    """Every (pool, system the practice used) over SLOTS slots. A pool without codes
    in that system falls back to its SNOMED CT codes, written as SNOMED CT."""
    keys = (
        "pool",
        "system_no",
        "slot",
        "coding_system",
        "code",
        "value_lo",
        "value_hi",
        "decimals",
    )
    groups = (
        (pool, system_no, _pool_codes(pool, system) or _pool_codes(pool, "snomedct"), _code_columns)
        for pool in sorted({c.pool for c in codes.EVENT_CODES})
        for system_no, system in enumerate(EVENT_SYSTEMS)
    )
    return _slotted(keys, groups)


def _pool_codes(pool: str, system: str) -> list[codes.EventCode]:
    return [c for c in codes.EVENT_CODES if c.pool == pool and c.coding_system == system]


def _code_columns(c: codes.EventCode) -> tuple:
    return (c.coding_system, c.code, *(c.value or (None, None, None)))


def _drug_slots() -> dict[str, list]:
    keys = ("pool", "system_no", "slot", "dmd", "bnf", "quantity")
    groups = (
        (pool, 0, [d for d in codes.DRUGS if d.pool == pool], lambda d: (d.dmd, d.bnf, d.quantity))
        for pool in sorted({d.pool for d in codes.DRUGS})
    )
    return _slotted(keys, groups)


def _conditions() -> dict[str, list]:
    cs = codes.CONDITIONS
    return {
        "cond_no": list(range(len(cs))),
        "pool": [f"condition/{c.name}" for c in cs],
        "p_age20": [c.p_age20 for c in cs],
        "p_age80": [c.p_age80 for c in cs],
        "min_age": [c.min_age for c in cs],
        "repeat_days": [c.repeat_days for c in cs],
        "female_only": [c.female_only for c in cs],
    }


def _work_by_age() -> dict[str, list]:
    rows = rates.WORK_BY_AGE
    columns = ["age_lo", "age_hi"] + [f"p_{s}" for s in rates.STATUSES]
    return {c: [r[i] for r in rows] for i, c in enumerate(columns)}


def _by_age(rows) -> dict[str, list]:
    return {c: [r[i] for r in rows] for i, c in enumerate(("age_lo", "age_hi", "p"))}


def _names(pools: Pools) -> dict[str, list]:
    """One row of lists."""
    return {
        "forenames_m": [list(pools.forenames_m)],
        "forenames_f": [list(pools.forenames_f)],
        "surnames": [list(pools.surnames)],
        "streets": [list(pools.streets)],
        "localities": [list(pools.localities)],
        "titles_m": [_titles("M")],
        "titles_f": [_titles("F")],
    }


def _check_keys(con: duckdb.DuckDBPyConnection) -> None:
    """Every pool's key must be its own (the hash of two pool names could clash)."""
    for table in ("sy_code_slots", "sy_drug_slots"):
        pools, keys = con.execute(
            f"SELECT count(DISTINCT pool), count(DISTINCT sy_pool_key(pool)) FROM {table}"
        ).fetchall()[0]
        assert pools == keys, f"two pools share a key in {table}"


def create_lookups(
    con: duckdb.DuckDBPyConnection, pools: Pools, *, seed: int, patients: int
) -> int:
    """Create every sy_* table in CON (which has the synth macros) for PATIENTS
    patients; returns how many NHS numbers there are to share out (fewer than
    PATIENTS only when the test range runs out)."""
    _create(con, "sy_age_slots", _age_slots())
    _create(con, "sy_code_slots", _code_slots())
    _create(con, "sy_drug_slots", _drug_slots())
    _create(con, "sy_conditions", _conditions())
    _create(con, "sy_names", _names(pools))
    _create(con, "sy_work_by_age", _work_by_age())
    _create(con, "sy_pain_by_age", _by_age(rates.PAIN_BY_AGE))
    _create(con, "sy_death_by_age", _by_age(rates.DEATH_BY_AGE))
    _create(con, "sy_dementia_by_age", _by_age(rates.DEMENTIA_BY_AGE))
    _check_keys(con)
    db.run(con, "synth/nhs_numbers", seed=seed, wanted=patients)
    return con.execute("SELECT count(*) FROM sy_nhs").fetchall()[0][0]
