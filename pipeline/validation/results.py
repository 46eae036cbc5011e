"""What validation found: counts per expectation, never a patient's values.

A ValidationSummary holds one Outcome per expectation run (or one per missing
table). It renders as a one-screen text summary for the terminal, as
``results.json`` for machines and as a self-contained ``results.html`` page; it
raises ValidationFailed naming the first blocking failure.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from importlib.metadata import version
from pathlib import Path

from pipeline.errors import ValidationFailed
from pipeline.fsutil import atomic_write_text, private_dir

FORMAT = "cohort-validation-results/1"
RESULTS_JSON = "results.json"
RESULTS_HTML = "results.html"
TEXT_LIMIT = 8


@dataclass(frozen=True)
class Outcome:
    """One expectation's result: identifiers of the check and counts only."""

    suite: str
    table: str
    number: int
    description: str
    type: str
    column: str | None
    severity: str
    success: bool
    unexpected_count: int | None = None
    element_count: int | None = None
    unexpected_percent: float | None = None
    observed_value: float | None = None
    unit: str = "rows"
    error: str | None = None
    fix: str | None = None  # how to put a failure right (no patient values)

    @property
    def blocking_failure(self) -> bool:
        return not self.success and self.severity == "blocking"

    @property
    def warning(self) -> bool:
        return not self.success and self.severity == "warning"

    @property
    def tolerated(self) -> bool:
        """Passed, but only because of its `mostly` tolerance."""
        return self.success and bool(self.unexpected_count)

    def reason(self) -> str:
        """`patients suite, "date_of_birth after 1900-01-01" (blocking): 3 rows`."""
        return f'{self.where()}, "{self.description}" ({self.severity}): {self.found()}'

    def where(self) -> str:
        """`patients suite`, or `cohort suite (evidence)` when a suite checks several tables."""
        return f"{self.suite} suite" + (f" ({self.table})" if self.table != self.suite else "")

    def found(self) -> str:
        if self.error:
            return f"could not be checked ({self.error})"
        if self.unexpected_count is None:
            return "failed" if not self.success else "passed"
        unit = (
            self.unit[:-1] if self.unexpected_count == 1 and self.unit.endswith("s") else self.unit
        )
        return f"{self.unexpected_count} {unit}"


@dataclass(frozen=True)
class ValidationSummary:
    """The outcomes of one run_suites call, in suite-file order."""

    suites: tuple[str, ...]
    outcomes: tuple[Outcome, ...]
    suite_files: dict = field(default_factory=dict)
    seconds: float = 0.0
    failed_rows: int | None = None  # rows listed in failed_rows.csv (practice only)

    @property
    def blocking_failures(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.blocking_failure)

    @property
    def warnings(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.warning)

    @property
    def passed(self) -> bool:
        """True when nothing blocking failed (warnings do not stop a run)."""
        return not self.blocking_failures

    def failure_message(self) -> str | None:
        """The one-line reason a run stops, or None when it may go on."""
        failures = self.blocking_failures
        if not failures:
            return None
        more = len(failures) - 1
        tail = f"; and {more} more blocking failure{'s' if more > 1 else ''} (see validation/results.html)"
        return f"validation failed: {failures[0].reason()}{tail if more else ''}"

    def raise_if_blocking(self) -> None:
        """Raise ValidationFailed (exit 6) naming the first blocking failure."""
        message = self.failure_message()
        if message:
            error = ValidationFailed(message)
            error.summary = self
            raise error

    def text(self) -> str:
        return text_summary(self)

    def to_dict(self) -> dict:
        return {
            "format": FORMAT,
            "great_expectations_version": version("great_expectations"),
            "passed": self.passed,
            "suites": [_suite_entry(self, name) for name in self.suites],
            "results": [asdict(o) for o in self.outcomes],
        } | (
            {"failed_rows": {"file": "failed_rows.csv", "rows": self.failed_rows}}
            if self.failed_rows
            else {}
        )


def _suite_entry(summary: ValidationSummary, name: str) -> dict:
    mine = [o for o in summary.outcomes if o.suite == name]
    return {
        "name": name,
        **summary.suite_files.get(name, {}),
        "checks": len(mine),
        "passed": sum(o.success for o in mine),
        "blocking_failures": sum(o.blocking_failure for o in mine),
        "warnings": sum(o.warning for o in mine),
    }


def text_summary(summary: ValidationSummary) -> str:
    """A one-screen summary for the terminal: a line per suite, then what failed."""
    lines = [
        f"Validation: {len(summary.outcomes)} checks in {len(summary.suites)} suite(s), {summary.seconds:.1f} s"
    ]
    for entry in (_suite_entry(summary, name) for name in summary.suites):
        lines.append(f"  {entry['name']:<12} {entry['checks']:>3} checks  {_verdict(entry)}")
    listed = (
        [("BLOCKING", o) for o in summary.blocking_failures]
        + [("warning", o) for o in summary.warnings]
        + [("tolerated", o) for o in summary.outcomes if o.tolerated]
    )
    for label, outcome in listed[:TEXT_LIMIT]:
        lines.append(f"  {label:<9} {outcome.where()}: {outcome.description}: {outcome.found()}")
        if outcome.fix and label != "tolerated":
            lines.append(f"            fix: {outcome.fix}")
    if len(listed) > TEXT_LIMIT:
        lines.append(f"  … and {len(listed) - TEXT_LIMIT} more (see validation/results.html)")
    if summary.failed_rows:
        lines.append(
            f"  The {summary.failed_rows} row(s) behind these, by file and line: "
            "validation/failed_rows.csv (holds patient ids: keep it in the practice)"
        )
    return "\n".join(lines)


def _verdict(entry: dict) -> str:
    parts = []
    if entry["blocking_failures"]:
        parts.append(f"{entry['blocking_failures']} BLOCKING")
    if entry["warnings"]:
        parts.append(f"{entry['warnings']} warning{'s' if entry['warnings'] > 1 else ''}")
    return ", ".join(parts) or "all passed"


def write_results(summary: ValidationSummary, out_dir: Path) -> tuple[Path, Path]:
    """Write OUT_DIR/results.json and results.html, keeping other suites' earlier results.

    A run validates in stages (extract, cohort, invitations) into one folder: each
    call replaces only its own suites' entries.
    """
    from pipeline.validation.html import render_html

    private_dir(out_dir)
    merged = merge(read_results(out_dir / RESULTS_JSON), summary.to_dict())
    json_path, html_path = out_dir / RESULTS_JSON, out_dir / RESULTS_HTML
    atomic_write_text(json_path, json.dumps(merged, indent=2, default=str) + "\n")
    atomic_write_text(html_path, render_html(merged))
    return json_path, html_path


def read_results(path: Path) -> dict | None:
    if not path.is_file():
        return None
    doc = json.loads(path.read_text(encoding="utf-8"))
    return doc if doc.get("format") == FORMAT else None


def merge(old: dict | None, new: dict) -> dict:
    """NEW's suites replace the same suites in OLD, in place; other suites are kept."""
    if not old:
        return new
    fresh = {s["name"]: s for s in new["suites"]}
    names = [s["name"] for s in old["suites"]] + [
        n for n in fresh if n not in {s["name"] for s in old["suites"]}
    ]
    entries = {s["name"]: s for s in old["suites"]} | fresh
    results = [
        r
        for name in names
        for r in (new if name in fresh else old)["results"]
        if r["suite"] == name
    ]
    passed = not any(r["severity"] == "blocking" and not r["success"] for r in results)
    kept = (
        {"failed_rows": old["failed_rows"]}
        if "failed_rows" in old and "failed_rows" not in new
        else {}
    )
    return {
        **new,
        **kept,
        "passed": passed,
        "suites": [entries[n] for n in names],
        "results": results,
    }
