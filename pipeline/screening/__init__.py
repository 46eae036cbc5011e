"""GP screening before letters (docs/invitations.md, "GP screening").

For a study with ``screening: required`` a run lists the people it chose for a
GP (``write_screening_lists``) instead of writing letters; its ledger rows wait
as ``awaiting_screening``. ``cohort screen import`` records the GP's decision on
every listed person (``import_decisions``); ``cohort release`` then writes the
letters for the included only (``release_run``). A person a GP excludes is kept
from this study's later lists by the study's ``screened_out`` rule, and is not
put on the do-not-contact list. ``simulated_gp`` stands in for a GP in the demo
and the efficacy benchmark.
"""

from pipeline.screening.decisions import REASONS, import_decisions
from pipeline.screening.lists import write_screening_lists
from pipeline.screening.mode import screening_settings
from pipeline.screening.release import release_run

__all__ = [
    "REASONS",
    "import_decisions",
    "release_run",
    "screening_settings",
    "write_screening_lists",
]
