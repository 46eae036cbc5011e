"""Audit trail and complaints (docs/audit.md): the run record, the hash-chained audit
log and its verification, explanations, outcomes, the do-not-contact list, the yield
report and the pseudonymised export.

What the orchestrator and the demo call, in order (docs/audit.md, "For developers"):
``check_log(ws)`` at run start; ``write_run_record(state)`` before the commit;
``log_run(state)`` after publishing, or ``log_run_failed(state, error)``;
``log_rollback(ws, ...)`` from ``cohort rollback``; ``record_demo_outcomes(ws, truth_csv)``.
"""

from pipeline.audit.demo import record_demo_outcomes
from pipeline.audit.entries import log_rollback, log_run, log_run_failed
from pipeline.audit.log import append_entry, check_log
from pipeline.audit.record import write_run_record
from pipeline.audit.verify import verify_workspace

__all__ = [
    "append_entry",
    "check_log",
    "log_rollback",
    "log_run",
    "log_run_failed",
    "record_demo_outcomes",
    "verify_workspace",
    "write_run_record",
]
