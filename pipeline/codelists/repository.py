"""The codelist repository: ``codelists/NAME/VERSION.yaml`` files and ``codelists/codelists.lock``.

``load_repository()`` reads and checks every version (every problem collected,
with file and line); ``check_problems()`` compares published versions with the
lock and, optionally, a study's references. Published versions never change: the
lock holds each one's content hash, so any edit shows.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipeline import paths, yamlsafe
from pipeline.codelists import yamlio
from pipeline.codelists.codes import code_warning
from pipeline.codelists.expand import content_hash, negation_warnings
from pipeline.codelists.model import CodelistProblems, CodelistVersion, located
from pipeline.codelists.parse import read_version
from pipeline.errors import CodelistError, StudyError

LOCK_NAME = "codelists.lock"
LOCK_HEADER = (
    "# Content hashes of the published codelist versions: sha256 of each version's normalised\n"
    "# definition and its expansion against its own code table (docs/codelists.md).\n"
    "# Written by `cohort codelists publish`, checked by `cohort codelists check`. Do not edit.\n"
)
VERSION_SUFFIXES = (".yaml", ".yml")

Label = tuple[str, str]


def version_order(version: str) -> tuple:
    """Numeric versions in number order (2 before 10), then the rest alphabetically."""
    return (0, int(version), "") if version.isdigit() else (1, 0, version)


@dataclass(frozen=True)
class Repository:
    """Every codelist version under ROOT, with the lock and any warnings found on reading."""

    root: Path
    found: dict[Label, CodelistVersion]
    files: dict[Label, Path]
    lock: dict[Label, str]
    warnings: tuple[str, ...] = field(default=())

    def names(self) -> list[str]:
        return sorted({name for name, _ in self.found})

    def versions(self, name: str) -> list[str]:
        """The versions of NAME, oldest first (numeric versions in number order)."""
        found = [v for n, v in self.found if n == name]
        if not found:
            raise CodelistError(
                f"no codelist called {name!r} in {self.root}; `cohort codelists list` shows them"
            )
        return sorted(found, key=version_order)

    def get(self, name: str, version: str) -> CodelistVersion:
        if (name, str(version)) not in self.found:
            have = ", ".join(self.versions(name))
            raise CodelistError(f"codelist {name} has no version {version!r} (it has {have})")
        return self.found[(name, str(version))]

    def latest(self, name: str, *, published_only: bool = True) -> CodelistVersion:
        """The newest published version of NAME (or newest of any status)."""
        versions = [self.get(name, v) for v in self.versions(name)]
        usable = [v for v in versions if v.published or not published_only]
        if not usable:
            raise CodelistError(
                f"codelist {name} has no published version; give one, e.g. {name}@{versions[-1].version}"
            )
        return usable[-1]

    def path(self, name: str, version: str) -> Path:
        self.get(name, version)
        return self.files[(name, str(version))]

    def all(self) -> list[CodelistVersion]:
        return [self.get(n, v) for n in self.names() for v in self.versions(n)]


def load_repository(root: Path | str = paths.CODELISTS_DIR) -> Repository:
    """Read every ``NAME/VERSION.yaml`` under ROOT; CodelistProblems lists everything wrong."""
    root = Path(root)
    if not root.is_dir():
        raise CodelistError(f"{root}: no codelists folder here; give --root or create it")
    problems: list[str] = []
    found: dict[Label, CodelistVersion] = {}
    files: dict[Label, Path] = {}
    for path in version_files(root, problems):
        version = _read(path, problems)
        if version is not None:
            _place(version, path, found, files, problems)
    lock = read_lock(root / LOCK_NAME, problems)
    if problems:
        raise CodelistProblems(problems)
    warnings = [w for label, v in found.items() for w in _warnings(v, files[label])]
    return Repository(root, found, files, lock, tuple(warnings))


def version_files(root: Path, problems: list[str]) -> list[Path]:
    """Every NAME/VERSION.yaml; a YAML file anywhere else is a problem."""
    result = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in VERSION_SUFFIXES or any(
            p.startswith(".") for p in path.relative_to(root).parts
        ):
            continue
        if path.parent.parent != root:
            problems.append(f"{path}: codelist files go in {root}/NAME/VERSION.yaml")
            continue
        result.append(path)
    return result


def _read(path: Path, problems: list[str]) -> CodelistVersion | None:
    try:
        return read_version_once(path)
    except CodelistProblems as exc:
        problems.extend(exc.problems)
        return None


def read_version_once(path: Path) -> CodelistVersion:
    """read_version(PATH), parsed again only when the file or a CSV beside it changed."""
    return _read_unchanged(str(path), _content_digest(path))


@functools.lru_cache(maxsize=64)
def _read_unchanged(path: str, digest: str) -> CodelistVersion:
    """read_version, once per content: DIGEST covers the file and the CSVs beside it."""
    return read_version(Path(path))


def _content_digest(path: Path) -> str:
    digest = hashlib.sha256(path.read_bytes())
    for sidecar in sorted(path.parent.glob("*.csv")):
        digest.update(sidecar.name.encode() + b"\0" + sidecar.read_bytes())
    return digest.hexdigest()


def _place(
    version: CodelistVersion, path: Path, found: dict, files: dict, problems: list[str]
) -> None:
    """Keep VERSION under its label unless its file name or folder disagrees, or the label is taken."""
    label = (version.name, version.version)
    if path.parent.name != version.name:
        problems.append(
            f"{path}: name {version.name!r} differs from its folder {path.parent.name!r}"
        )
    elif path.stem != version.version:
        problems.append(
            f"{path}: version {version.version!r} differs from its file name {path.name!r}"
        )
    elif label in found:
        problems.append(
            f"{path}: {version.label} is also defined in {files[label].name}; keep one file per version"
        )
    else:
        found[label], files[label] = version, path


def _warnings(version: CodelistVersion, path: Path) -> list[str]:
    codes = [
        (e.line, code_warning(e.coding_system, e.code)) for e in version.entries + version.excludes
    ]
    return located(str(path), [(line, w) for line, w in codes if w] + negation_warnings(version))


def read_lock(path: Path, problems: list[str]) -> dict[Label, str]:
    """``NAME@VERSION sha256:HEX`` per line; comments and blank lines ignored."""
    if not path.is_file():
        return {}
    lock: dict[Label, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        parts = text.split()
        label = tuple(parts[0].split("@", 1)) if parts else ()
        if len(parts) != 2 or len(label) != 2 or not parts[1].startswith("sha256:"):
            problems.append(f"{path}:{number}: expected NAME@VERSION sha256:HASH")
        elif label in lock:
            problems.append(f"{path}:{number}: {parts[0]} is locked twice")
        else:
            lock[label] = parts[1]
    return lock


def write_lock(root: Path, lock: dict[Label, str]) -> None:
    """Rewrite ROOT/codelists.lock, sorted, atomically."""
    ordered = sorted(lock.items(), key=lambda item: (item[0][0], version_order(item[0][1])))
    text = LOCK_HEADER + "".join(f"{n}@{v} {h}\n" for (n, v), h in ordered)
    write_atomic(root / LOCK_NAME, text)


def write_atomic(path: Path, text: str) -> None:
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
        out.write(text)
    os.replace(temp, path)


def check_problems(repo: Repository, study: dict[str, Label] | None = None) -> list[str]:
    """Published versions against the lock, and the study's references against the versions."""
    problems = [p for v in repo.all() if v.published for p in _lock_problems(repo, v)]
    for name, version in sorted(repo.lock):
        if (name, version) not in repo.found or not repo.found[(name, version)].published:
            problems.append(
                f"{repo.root / LOCK_NAME}: {name}@{version} is locked as published, but there is no "
                f"published {name} version {version!r}; published versions are never removed: restore its file"
            )
    return problems + _study_problems(repo, study or {})


def _lock_problems(repo: Repository, version: CodelistVersion) -> list[str]:
    path = repo.path(version.name, version.version)
    locked = repo.lock.get((version.name, version.version))
    if locked is None:
        return [
            f"{path}: {version.label} is published but not in {LOCK_NAME}; publish it with `cohort codelists publish`"
        ]
    actual = content_hash(version)
    if actual != locked:
        return [
            f"{path}: codelist {version.name} version {version.version} is published but its content no longer "
            f"matches {LOCK_NAME} ({locked[:19]}… locked, {actual[:19]}… now); published versions never change: "
            "restore the file (e.g. git checkout) and put the change in a new version"
        ]
    return []


def _study_problems(repo: Repository, study: dict[str, Label]) -> list[str]:
    problems = []
    for role, (name, version) in sorted(study.items()):
        version_of = repo.found.get((name, version))
        if version_of is None:
            have = ", ".join(v for n, v in sorted(repo.found) if n == name) or "none"
            problems.append(
                f"study codelist {role!r} uses {name}@{version}, which does not exist (versions of {name}: {have})"
            )
        elif not version_of.published:
            problems.append(
                f"study codelist {role!r} uses {name}@{version}, a draft; publish it or use a published version"
            )
    return problems


def study_codelists(path: Path) -> dict[str, Label]:
    """The study file's top-level ``codelists:`` (role -> {name, version}); {} when there is no file."""
    if not path.is_file():
        return {}
    try:
        doc = yamlio.read_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise StudyError(f"{path}: {yamlsafe.describe(exc)}; fix the study file") from None
    refs = doc.get("codelists") if isinstance(doc, dict) else None
    if refs is None:
        return {}
    if not isinstance(refs, yamlio.Mapping):
        raise StudyError(
            f"{path}:{doc.line_of('codelists')}: codelists must map a role to {{name: ..., version: ...}}"
        )
    return {str(role): _reference(path, refs, role) for role in refs}


def _reference(path: Path, refs: yamlio.Mapping, role: str) -> Label:
    ref = refs[role]
    if isinstance(ref, str) and "@" in ref:
        name, version = ref.split("@", 1)
        return (name.strip(), version.strip())
    if isinstance(ref, yamlio.Mapping) and ref.get("name") and ref.get("version"):
        return (str(ref["name"]), str(ref["version"]))
    raise StudyError(
        f"{path}:{refs.line_of(role)}: codelists.{role} must be {{name: ..., version: ...}}"
    )
