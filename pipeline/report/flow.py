"""The attrition flow diagram (CONSORT style), laid out for an inline SVG.

A column of boxes with the patients remaining after each rule, joined by
arrows; beside each arrow a side box with how many that rule removed and why.
Two layouts of the same diagram: ``wide`` (side boxes to the right, for
desktop and print) and ``narrow`` (side boxes indented under a spine on the
left, for phones). Counts go through small-number suppression here, so the
template only places text.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from pipeline.report.collect import RunCounts, Step
from pipeline.report.disclosure import small_count

LINE = 18  # px between text lines
PAD = 10  # px inside a box, above and below the text
GAP = 14  # px between a side box and the main boxes above and below it
CHAR = 7.6  # px: average width of a bold character in a main box (14 px)
SIDE_CHAR = 6.7  # px: the same in a side box (13 px)
COUNT_W = 80  # px kept free for the right-aligned count

# Why a built-in final step removes patients; a study step's reason comes from its
# own criteria (RunCounts.reasons, from the run's study_steps and study_criteria).
REASONS = {
    "already_invited": "Already invited to this study",
    "do_not_contact": "On the do-not-contact list",
    "screened_out": "Screened out by a GP at an earlier run",
    "data_quality": "Held back: contact details need correcting (quarantine list)",
    "deferred": "Deferred: over the practice's invitation limit (invitable next run)",
}
LABELS = {"extract": "Patients in the extracts", "data_quality": "Eligible to invite"}


@dataclass(frozen=True)
class Geometry:
    width: int
    main_x: int
    main_w: int
    spine_x: int
    side_x: int
    side_w: int


WIDE = Geometry(width=720, main_x=10, main_w=340, spine_x=180, side_x=410, side_w=300)
NARROW = Geometry(width=360, main_x=4, main_w=352, spine_x=22, side_x=44, side_w=312)


@dataclass(frozen=True)
class Box:
    kind: str  # main | side | final | stopped
    x: int
    y: int
    w: int
    h: int
    lines: tuple[str, ...]
    count: str


@dataclass
class Diagram:
    width: int
    height: int = 0
    boxes: list[Box] = field(default_factory=list)
    lines: list[tuple[int, int, int, int, bool]] = field(
        default_factory=list
    )  # x1 y1 x2 y2 arrowhead


@dataclass(frozen=True)
class Node:
    """One box of the main column and the side box on the arrow into it."""

    label: str
    count: int | None
    kind: str = "main"
    removed: int | None = None
    reason: str = ""
    note: str = ""


def nodes(counts: RunCounts, *, stopped: bool) -> list[Node]:
    """The diagram's main column, top to bottom, from the run's attrition."""
    steps = [s for s in counts.steps if s.removed is not None]
    if not steps:
        return []
    first, rules = steps[0], [s for s in steps[1:] if s.step != "invited"]
    found = [Node(first.label or LABELS["extract"], first.remaining + (first.removed or 0))]
    found += [_rule_node(s, counts, stopped=stopped) for s in rules]
    if stopped:
        return found + [Node("No invitations: the run stopped at validation", None, kind="stopped")]
    if counts.deferred:
        found.append(
            Node("Invited", counts.invited, removed=counts.deferred, reason=REASONS["deferred"])
        )
    final = found[-1]
    invited = counts.invited if counts.invited is not None else final.count
    found[-1] = Node(
        "Invited" if counts.invited is not None else final.label,
        invited,
        kind="final",
        removed=final.removed,
        reason=final.reason,
        note=final.note,
    )
    return found


def _rule_node(step: Step, counts: RunCounts, *, stopped: bool) -> Node:
    label = step.label
    if step.step == "data_quality":
        label = "Passed every rule (not invited)" if stopped else LABELS["data_quality"]
    members = _members(counts.steps, step)
    note = " · ".join(f"{m.step.upper()} {small_count(m.remaining)}" for m in members)
    reason = counts.reasons.get(step.step) or REASONS.get(step.step)
    return Node(
        label=label or step.step.replace("_", " ").capitalize(),
        count=step.remaining,
        removed=step.removed,
        reason=reason or step.step.replace("_", " ").capitalize(),
        note=note,
    )


def _members(steps: list[Step], step: Step) -> list[Step]:
    """The member rows (removed is None) that follow STEP in the attrition: how many
    of the patients an any-of step was applied to met each of its criteria."""
    after = steps[steps.index(step) + 1 :]
    members = []
    for s in after:
        if s.removed is not None:
            break
        members.append(s)
    return members


def layout(column: list[Node], geometry: Geometry) -> Diagram:
    """Place the boxes and arrows of COLUMN in GEOMETRY."""
    diagram = Diagram(width=geometry.width)
    y = 8
    previous: Box | None = None
    for node in column:
        if previous is not None:
            y = _connect(diagram, geometry, previous, node, y)
        box = _main_box(node, geometry, y)
        diagram.boxes.append(box)
        previous, y = box, y + box.h
    diagram.height = y + 8
    return diagram


def _connect(diagram: Diagram, g: Geometry, above: Box, node: Node, y: int) -> int:
    """The arrow from ABOVE down to NODE's box, with the side box of what was removed."""
    if node.removed is None or node.kind == "stopped":
        diagram.lines.append((g.spine_x, y, g.spine_x, y + 36, True))
        return y + 36
    side = _side_box(node, g, y + GAP)
    diagram.boxes.append(side)
    diagram.lines.append((g.spine_x, y, g.spine_x, side.y + side.h + GAP, True))
    diagram.lines.append((g.spine_x, side.y + side.h // 2, side.x, side.y + side.h // 2, True))
    return side.y + side.h + GAP


def _wrap(text: str, width: int, char: float = CHAR) -> tuple[str, ...]:
    return tuple(textwrap.wrap(text, max(12, int((width - 2 * PAD) / char)))) or ("",)


def _main_box(node: Node, g: Geometry, y: int) -> Box:
    """The label on the left, the count right-aligned on its first line."""
    count = "" if node.count is None else small_count(node.count)
    lines = _wrap(node.label, g.main_w - (COUNT_W if count else 0)) + (
        (node.note,) if node.note else ()
    )
    return Box(node.kind, g.main_x, y, g.main_w, 2 * PAD + LINE * len(lines), lines, count)


def _side_box(node: Node, g: Geometry, y: int) -> Box:
    lines = _wrap(node.reason, g.side_w - COUNT_W + 16, SIDE_CHAR)
    return Box(
        "side", g.side_x, y, g.side_w, 2 * PAD + LINE * len(lines), lines, small_count(node.removed)
    )


def diagrams(counts: RunCounts, *, stopped: bool) -> dict[str, Diagram] | None:
    """Both layouts, or None when the run stopped before the study rules ran."""
    column = nodes(counts, stopped=stopped)
    if not column:
        return None
    return {"wide": layout(column, WIDE), "narrow": layout(column, NARROW)}
