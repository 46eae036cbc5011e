"""`cohort codelists ...`: list, show, diff, import, publish, check (docs/codelists.md)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from pipeline import paths
from pipeline.codelists import authoring, describe
from pipeline.codelists.model import CodelistProblems
from pipeline.codelists.repository import (
    LOCK_NAME,
    Repository,
    check_problems,
    load_repository,
    study_codelists,
)
from pipeline.errors import CodelistError, UsageError

ROOT_OPTION = click.option(
    "--root",
    type=click.Path(path_type=Path, file_okay=False),
    default=paths.CODELISTS_DIR,
    show_default="codelists/ of this checkout",
    help="Folder holding NAME/VERSION.yaml files and codelists.lock.",
)


def register(main) -> None:
    main.add_command(codelists)


@click.group("codelists")
def codelists() -> None:
    """Versioned clinical codelists: list, show, diff, import, publish, check.

    A codelist is a folder codelists/NAME/ with one VERSION.yaml per version;
    published versions never change and codelists.lock holds their content
    hashes. See docs/codelists.md."""


@codelists.command("list")
@ROOT_OPTION
def list_command(root: Path) -> None:
    """List every codelist with its versions (drafts marked *)."""
    repo = _load(root)
    for line in describe.list_lines(repo):
        click.echo(line)
    if repo.warnings:
        click.echo(
            f"cohort: {len(repo.warnings)} warnings; `cohort codelists check` lists them", err=True
        )


@codelists.command("show")
@click.argument("spec", metavar="NAME[@VERSION]")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print JSON (definition, governance, codes) instead of text.",
)
@ROOT_OPTION
def show_command(spec: str, as_json: bool, root: Path) -> None:
    """Show a codelist version: governance, definition, and its codes with terms and categories.

    Without @VERSION, the newest published version (or the newest draft)."""
    repo = _load(root)
    name, _, version = spec.partition("@")
    chosen = repo.get(name, version) if version else _newest(repo, name)
    if as_json:
        click.echo(json.dumps(describe.show_json(chosen), indent=2, ensure_ascii=False))
    else:
        click.echo("\n".join(describe.show_lines(chosen)))
    _warn(
        [
            w
            for w in repo.warnings
            if f"{chosen.label}:" in w or str(repo.path(name, chosen.version)) in w
        ]
    )


@codelists.command("diff")
@click.argument("name")
@click.argument("old")
@click.argument("new")
@ROOT_OPTION
def diff_command(name: str, old: str, new: str, root: Path) -> None:
    """Show what changed from version OLD to NEW of codelist NAME (definition and codes)."""
    repo = _load(root)
    click.echo("\n".join(describe.diff_lines(repo.get(name, old), repo.get(name, new))))


@codelists.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--name", required=True, help="Codelist name, e.g. chronic_pain_diagnosis.")
@click.option("--coding-system", required=True, help="readv2, ctv3, snomedct, dmd or bnf.")
@click.option(
    "--version", "version", help="Version to create (default: one more than the highest)."
)
@click.option("--title", help="Title of the codelist (default: from the name).")
@click.option("--author", default="", help="Who authored the list (needed before publishing).")
@ROOT_OPTION
def import_command(
    file: Path,
    name: str,
    coding_system: str,
    version: str | None,
    title: str | None,
    author: str,
    root: Path,
) -> None:
    """Create a draft version from an OpenCodelists-style CSV (code,term[,category]).

    Read v2 codes in the 7-character form (N245.00) are cut to 5 (N245.). Every
    code is checked against its coding system; all bad rows are reported."""
    root.mkdir(parents=True, exist_ok=True)
    _load(root)  # the repository must be readable before it grows
    target = authoring.import_csv(
        file,
        root=root,
        name=name,
        coding_system=coding_system,
        version=version,
        title=title,
        author=author,
    )
    click.echo(
        f"wrote {target} (draft); edit its governance, then `cohort codelists publish {name} {target.stem}`"
    )


@codelists.command("publish")
@click.argument("name")
@click.argument("version")
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Publication date (default today).",
)
@ROOT_OPTION
def publish_command(name: str, version: str, day: dt.datetime | None, root: Path) -> None:
    """Publish a draft: set its status and date, and record its content hash in codelists.lock."""
    digest = authoring.publish(root, name, version, today=day.date() if day else None)
    click.echo(f"published {name}@{version} {digest}; {root / LOCK_NAME} updated")


@codelists.command("check")
@click.option(
    "--study",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Study file whose codelists: versions must exist (default studies/instep.yaml, if present, for the default --root).",
)
@ROOT_OPTION
def check_command(study: Path | None, root: Path) -> None:
    """Check every codelist file, every published version against codelists.lock, and the study's references."""
    if study is not None and not study.is_file():
        raise UsageError(f"--study {study}: no such file")
    repo = _load(root, list_all=True)
    study = study or (
        paths.DEFAULT_STUDY if root.resolve() == paths.CODELISTS_DIR.resolve() else None
    )
    refs = study_codelists(study) if study else {}
    _warn(list(repo.warnings))
    problems = check_problems(repo, refs)
    if problems:
        _fail(problems)
    published = sum(v.published for v in repo.all())
    used = f"; {len(refs)} study codelists in {study} exist" if refs else ""
    click.echo(f"codelists: {published} published versions match {LOCK_NAME}{used}")


def _load(root: Path, *, list_all: bool = False) -> Repository:
    try:
        return load_repository(root)
    except CodelistProblems as exc:
        if list_all:
            _fail(exc.problems)
        raise


def _fail(problems: list[str]) -> None:
    if len(problems) > 1:
        for problem in problems:
            click.echo(f"cohort: {problem}", err=True)
    raise CodelistProblems(problems)


def _newest(repo: Repository, name: str):
    try:
        return repo.latest(name)
    except CodelistError:
        return repo.latest(name, published_only=False)


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        click.echo(f"cohort: warning: {warning}", err=True)
