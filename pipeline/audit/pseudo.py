"""Keyed pseudonyms for what leaves the practice (HMAC-SHA256, WORKSPACE/secret.key).

The key is 32 random bytes, created owner-only on first use and never exported.
The same person gets the same pseudonym in every export from one workspace, so
the research team can link rows without ever seeing who they are; without the
key a pseudonym cannot be turned back into an NHS number or patient id.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

from pipeline.errors import WorkspaceError
from pipeline.fsutil import PRIVATE_FILE, fsync_dir

KEY_NAME = "secret.key"


def key_path(ws) -> Path:
    return ws.root / KEY_NAME


def load_key(ws) -> bytes:
    """The workspace's key, created on first use; refused if others can read it."""
    path = key_path(ws)
    if not path.exists():
        _create_key(path)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise WorkspaceError(
            f"{path}: readable by others (mode {mode:o}); run `chmod 600 {path}` and try again"
        )
    text = path.read_text(encoding="ascii").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise WorkspaceError(
            f"{path}: is not a workspace key (64 hex digits); restore it from the workspace backup"
        )
    return key


def _create_key(path: Path) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return  # another command created it first
    try:
        os.write(fd, (secrets.token_hex(32) + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    fsync_dir(path.parent)


class Pseudonymiser:
    """Turns identifiers into keyed hashes; one instance per export or log write."""

    def __init__(self, key: bytes):
        self._key = key

    @classmethod
    def for_workspace(cls, ws) -> Pseudonymiser:
        return cls(load_key(ws))

    def _mac(self, text: str) -> str:
        return hmac.new(self._key, text.encode("utf-8"), hashlib.sha256).hexdigest()

    def person(self, practice_code: str, patient_id: str) -> str:
        """A patient as seen by one practice's record."""
        return "p_" + self._mac(f"patient\x1f{practice_code}\x1f{patient_id}")[:32]

    def nhs(self, nhs_number: str) -> str:
        return "n_" + self._mac(f"nhs\x1f{nhs_number}")[:32]

    def invite(self, invite_ref: str) -> str:
        return "i_" + self._mac(f"invite\x1f{invite_ref}")[:32]

    def fingerprint(self) -> str:
        """Names the key (not the key): two exports with the same fingerprint can be linked."""
        return self._mac("key fingerprint")[:16]
