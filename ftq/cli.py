"""The ``ftq`` command line: the application shell.

This is the one module of the kit allowed to import ``cultivation`` and ``jones``; it does so lazily,
inside commands, so ``ftq --help`` stays fast.

Examples::

    ftq circuit --d1 3 --protocol cultivation --p 0.001 --json
    ftq jones value "1,1,1" --method exact
"""

from __future__ import annotations

import sys

import click

from ftq.errors import InputError


class _Group(click.Group):
    """A click group that turns bad user input into one sentence and a non-zero exit, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except InputError as e:
            click.echo(f"error: {e}", err=True)
            sys.exit(2)


@click.group(cls=_Group)
@click.version_option(package_name="ftq")
def main() -> None:
    """ftq — fault-tolerance resource simulator.

    \b
    Magic-state cultivation on RP² (circuits, sweeps, estimates) and the
    Jones polynomial at the fifth root of unity (exact, tensor networks, hardware).
    """


# --- cultivation commands (circuit, circuits, demo) -------------------------------------------------

# --- sampling, sweeps and plots (sample, sweep, plot) ------------------------------------------------

# --- rare-event estimation (estimate) ----------------------------------------------------------------

# --- jones commands ----------------------------------------------------------------------------------


@main.group(cls=_Group)
def jones() -> None:
    """Jones polynomial at t = e^{2πi/5}: exact values, tensor networks, Quantinuum hardware."""


if __name__ == "__main__":
    main()
