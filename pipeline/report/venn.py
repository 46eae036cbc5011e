"""The chronic-pain routes (C1, C2, C3) and their overlaps, as table rows and
a three-circle diagram. Counts go through small-number suppression here."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.report.collect import RouteRow
from pipeline.report.disclosure import small_count

ROUTE_NAMES = {
    "c1": "C1 repeated pain conditions",
    "c2": "C2 chronic pain recorded",
    "c3": "C3 repeat pain medication",
}
# Where each region's count sits in the 300 x 260 diagram, keyed by (c1, c2, c3).
REGION_XY = {
    (True, False, False): (78, 92),
    (False, True, False): (222, 92),
    (False, False, True): (150, 222),
    (True, True, False): (150, 80),
    (True, False, True): (104, 164),
    (False, True, True): (196, 164),
    (True, True, True): (150, 130),
}
CIRCLES = (("C1", 112, 112), ("C2", 188, 112), ("C3", 150, 176))
RADIUS = 78


@dataclass(frozen=True)
class Combination:
    key: tuple[bool, bool, bool]
    label: str
    patients: int
    eligible: int


def _label(key: tuple[bool, bool, bool]) -> str:
    held = [r.upper() for r, on in zip(("c1", "c2", "c3"), key, strict=True) if on]
    if len(held) == 1:
        return f"{held[0]} only"
    return "All three" if len(held) == 3 else " and ".join(held)


def combinations(routes: list[RouteRow]) -> list[Combination]:
    """The seven ways of holding at least one route, in a fixed order."""
    by_key = {(r.c1, r.c2, r.c3): r for r in routes}
    found = []
    for key in REGION_XY:
        row = by_key.get(key)
        found.append(
            Combination(key, _label(key), row.patients if row else 0, row.eligible if row else 0)
        )
    return found


def totals(routes: list[RouteRow]) -> dict[str, int]:
    """Patients reaching the chronic-pain rule, with any route, with none, and per route."""
    found = {
        "reached": sum(r.patients for r in routes),
        "any": sum(r.patients for r in routes if r.c1 or r.c2 or r.c3),
        "eligible": sum(r.eligible for r in routes),
    }
    found["none"] = found["reached"] - found["any"]
    for route in ROUTE_NAMES:
        found[route] = sum(r.patients for r in routes if getattr(r, route))
    return found


def regions(combos: list[Combination]) -> list[tuple[int, int, str]]:
    """(x, y, shown count) for each region of the diagram."""
    return [(*REGION_XY[c.key], small_count(c.patients)) for c in combos]
