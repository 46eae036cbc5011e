"""The run report (report.html) and small-number suppression for anything shared.

- ``write_report(run_dir, *, con=None, state=None)``: write RUN_DIR/report.html.
- ``small_count(n)``: how a count is shown outside the practice (``<8`` for 1–7).
"""

from pipeline.report.disclosure import is_small, percent, small_count


def write_report(run_dir_or_stage, *, con=None, state=None):
    """Write report.html in the run folder; see pipeline/report/render.py."""
    from pipeline.report.render import write_report as _write

    return _write(run_dir_or_stage, con=con, state=state)


__all__ = ["is_small", "percent", "small_count", "write_report"]
