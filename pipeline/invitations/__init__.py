"""Invitations: choosing who gets a letter, writing the letters and lists, and the ledger.

The orchestrator (pipeline/stages.py) calls, in order:
``select_invitations`` → ``write_outputs`` → ``commit_invitations``.
"""

from pipeline.invitations.ledger import commit_invitations, ledger_refs
from pipeline.invitations.letter_text import LetterText, letter_text
from pipeline.invitations.outputs import write_outputs
from pipeline.invitations.practice_settings import check_practice_contacts
from pipeline.invitations.refs import new_ref, validate_ref
from pipeline.invitations.rollback import rollback_run
from pipeline.invitations.select import select_invitations

__all__ = [
    "LetterText",
    "check_practice_contacts",
    "commit_invitations",
    "ledger_refs",
    "letter_text",
    "new_ref",
    "rollback_run",
    "select_invitations",
    "validate_ref",
    "write_outputs",
]
