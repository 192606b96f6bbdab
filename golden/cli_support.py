"""Shared pieces of the ``hymem`` CLI, for golden/cli.py and each golden/<system>/cli.py.

A system's CLI module defines ``group = click.Group(...)`` (or ``@click.group()``
named ``group``) and decorates its commands with :data:`json_option` and
:func:`handles_errors`; user errors are raised as ``golden.config.ConfigError``
(or a subclass) and become one ``error: ...`` line and exit status 2.
"""

from __future__ import annotations

import functools
import json
import math
import sys
from pathlib import Path

import click

from golden.claims import ClaimError
from golden.config import ConfigError
from golden.energy import EnergyError
from golden.workloads import WorkloadError

USER_ERRORS = (WorkloadError, ConfigError, ClaimError, EnergyError)
EXIT_BAD_INPUT = 2


def _emit_json(doc) -> None:
    click.echo(json.dumps(doc, indent=2, sort_keys=False))


def _console():
    """Rich console; when piped (no terminal) use a wide page instead of 80 columns."""
    from rich.console import Console

    return Console() if sys.stdout.isatty() else Console(width=200)


def handles_errors(fn):
    """Turn the project's user errors into one line (or one JSON document) and exit 2."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except USER_ERRORS as exc:
            msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            if kwargs.get("as_json"):
                _emit_json({"error": msg})
            click.echo(f"error: {msg}", err=True)
            sys.exit(EXIT_BAD_INPUT)
    return wrapper


class FloatIn(click.FloatRange):
    """``click.FloatRange`` that also refuses NaN (which passes every range comparison)."""

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if math.isnan(number):
            self.fail(f"{value!r} is not a number", param, ctx)
        return number


def config_option(system: str):
    """``--config FILE``: the system's TOML instead of ``configs/<system>.toml`` (passed as ``config_path``)."""
    return click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
                        help=f"{system} config TOML (default configs/{system}.toml).")


def plot_option(what: str):
    """``--plot DIR``: also write ``what`` as PNG into DIR (passed as ``plot_dir``)."""
    return click.option("--plot", "plot_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                        help=f"Also write {what} as PNG into this directory.")


json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
precision_option = click.option("--precision", "bits", type=click.IntRange(1, 64), default=16,
                                show_default=True, help="Bits per element for byte figures.")
