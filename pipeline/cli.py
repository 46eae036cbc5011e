"""The `cohort` command line. Each area registers its commands from pipeline/commands/.

User errors (pipeline.errors.CohortError) print one line on stderr and exit with
their documented code (docs/errors.md); nothing else is caught here.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys

import click

from pipeline import __version__
from pipeline.errors import CohortError, one_line, storage_error

# Each module defines `register(main)`; order is the order in `cohort --help`.
COMMAND_MODULES = [
    "pipeline.commands.run",
    "pipeline.commands.synth",
    "pipeline.commands.codelists",
    "pipeline.commands.invitations",
    "pipeline.commands.screening",
    "pipeline.commands.audit",
    "pipeline.commands.validate",
    "pipeline.commands.check",
    "pipeline.commands.study",
]


class CohortGroup(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except CohortError as exc:
            click.echo(f"cohort: {one_line(exc.message)}", err=True)
            sys.exit(exc.exit_code)
        except Exception as exc:  # a full disk or read-only folder anywhere: one line, no traceback
            mapped = storage_error(exc)
            if mapped is None:
                raise
            click.echo(f"cohort: {one_line(mapped.message)}", err=True)
            sys.exit(mapped.exit_code)


@click.group(cls=CohortGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cohort")
def main() -> None:
    """Cohort Finder: find the right patients for a study in GP practice extracts,
    invite them, and explain every choice afterwards."""
    logging.basicConfig(level=logging.WARNING, format="cohort: %(levelname)s: %(message)s")
    # Everything this tool creates may hold patient data: owner-only by default.
    os.umask(0o077)


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(main)


if __name__ == "__main__":  # pragma: no cover
    main()
