"""Shared pieces of the ``hymem`` CLI, for golden/cli.py and each golden/<system>/cli.py.

A system's CLI module defines ``group = click.Group(...)`` (or ``@click.group()``
named ``group``) and decorates its commands with :data:`json_option` and
:func:`handles_errors`; user errors are raised as ``golden.config.ConfigError``
(or a subclass) and become one ``error: ...`` line and exit status 2.

The error contract (README, "The hymem command"), enforced in two places:

* :func:`handles_errors` around each command: a user error (a project error
  class, or an ``OSError`` on a path the user named) becomes ``error: <first
  line>``; any other exception becomes ``error: internal: <type>: <message>
  (rerun with --debug for the traceback)``; with ``--json`` the same text is
  also printed as ``{"error": ...}`` on stdout.  Exit status 2.
* :class:`ErrorBoundary`, the class of the top-level ``hymem`` group: click's
  option-parser errors (unknown option, bad value, missing argument) become one
  ``error: ...`` line (exit 2) instead of click's four-line usage block, and
  whatever escapes a command outside :func:`handles_errors` becomes the same
  ``error: internal: ...`` line.  ``hymem --debug ...`` (or ``HYMEM_DEBUG=1``)
  re-raises instead, with the full traceback.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
import sys
import typing
from pathlib import Path

import click

from hymem.golden.claims import ClaimError
from hymem.golden.config import ConfigError
from hymem.golden.energy import EnergyError
from hymem.golden.workloads import WorkloadError

USER_ERRORS = (WorkloadError, ConfigError, ClaimError, EnergyError)
EXIT_BAD_INPUT = 2


def _emit_json(doc) -> None:
    """One JSON document on stdout; a NaN or infinity is a bug, never printed as bare ``NaN``."""
    try:
        text = json.dumps(doc, indent=2, sort_keys=False, allow_nan=False)
    except ValueError as exc:  # out-of-range float: JSON has no NaN/Infinity
        raise ValueError(f"result holds a non-finite number ({exc})") from None
    click.echo(text)


#: set by ``hymem --debug`` (reset at every ``main`` call) or the ``HYMEM_DEBUG`` variable
_debug = {"on": False}


def debug_enabled() -> bool:
    return _debug["on"] or os.environ.get("HYMEM_DEBUG", "") not in ("", "0")


def set_debug(on: bool) -> None:
    _debug["on"] = bool(on)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def error_message(exc: BaseException) -> str:
    """The one line (without ``error: ``) that stands for ``exc``."""
    if isinstance(exc, USER_ERRORS):
        return _first_line(exc)
    if isinstance(exc, OSError) and exc.strerror:
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror}"
    return (f"internal: {type(exc).__name__}: {_first_line(exc)} "
            "(rerun with --debug for the traceback)")


def _fail(exc: BaseException, as_json: bool = False) -> typing.NoReturn:
    msg = error_message(exc)
    if as_json:
        _emit_json({"error": msg})
    click.echo(f"error: {msg}", err=True)
    sys.exit(EXIT_BAD_INPUT)


def _console():
    """Rich console; when piped (no terminal) use a wide page instead of 80 columns."""
    from rich.console import Console

    return Console() if sys.stdout.isatty() else Console(width=200)


#: a cell that is a number (digits, separators, units such as %, x, us): it must never wrap
_NUMBERISH = re.compile(r"[\d\s.,:;+\-eE%x×/()*<>~–#]*")


def _plain(cell) -> str:
    from rich.text import Text

    return Text.from_markup(cell).plain if isinstance(cell, str) else str(cell)


def _cell_need(cell) -> int:
    """Columns a cell needs: all of a number (never wrapped), the longest word of a text."""
    from rich.text import Text

    text = _plain(cell)
    if _NUMBERISH.fullmatch(text):
        return max((Text(line).cell_len for line in text.splitlines()), default=0)
    return max((Text(word).cell_len for word in text.split()), default=0)


def table_width(table) -> int:
    """Columns the table needs with no number wrapped or cut (padding and rules included);
    text may wrap at spaces."""
    widths = [max([_cell_need(col.header), *(_cell_need(c) for c in col.cells)])
              for col in table.columns]
    return sum(w + 2 * table.padding[1] for w in widths) + len(widths) + 1


def print_table(table, console=None) -> None:
    """Print a rich table so that no number is ever cut: as a grid when the page is wide
    enough (numbers never wrap, text may), otherwise one block of 'column: value' lines per
    row (the narrow-page fallback)."""
    from rich.text import Text

    con = console or _console()
    if table_width(table) <= con.width:
        for col in table.columns:
            col.overflow = "fold"
            col.no_wrap = all(_NUMBERISH.fullmatch(_plain(c)) for c in col.cells)
            if col.no_wrap:   # a number column keeps its full width when rich shrinks the table
                col.min_width = max([_cell_need(c) for c in col.cells] + [0])
        con.print(table)
        return
    if table.title:
        con.print(table.title, highlight=False)
    headers = [_plain(c.header) for c in table.columns]
    pad = max(len(h) for h in headers)
    columns = [list(col.cells) for col in table.columns]
    for i in range(table.row_count):
        con.print(f"-- {_plain(columns[0][i])}", highlight=False)
        for h, cells in zip(headers[1:], columns[1:], strict=True):
            value = cells[i]
            value = Text.from_markup(value) if isinstance(value, str) else value
            if str(value).strip():
                con.print(Text(f"  {h:<{pad}}  ") + value, highlight=False)


def handles_errors(fn):
    """Turn any exception of a command into one line (or one JSON document) and exit 2.

    click's own exceptions pass (the :class:`ErrorBoundary` formats them); with
    ``--debug`` everything but the project's user errors is re-raised."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort, BrokenPipeError):
            raise  # click formats these; a closed pipe (| head) is click's quiet exit
        except Exception as exc:
            if debug_enabled() and not isinstance(exc, USER_ERRORS):
                raise
            _fail(exc, bool(kwargs.get("as_json")))
    return wrapper


class ErrorBoundary(click.Group):
    """The top-level group: every way out is exit 0, 1 (``--strict``) or one ``error:`` line + 2."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        set_debug(False)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:  # bare ``hymem`` / ``hymem rana``: help
            exc.show()
            sys.exit(EXIT_BAD_INPUT)
        except click.ClickException as exc:
            click.echo(f"error: {_usage_line(exc)}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except click.Abort:
            click.echo("error: interrupted", err=True)
            sys.exit(130)
        except Exception as exc:
            if debug_enabled():
                raise
            _fail(exc)
        sys.exit(rv if isinstance(rv, int) else 0)


def _usage_line(exc: click.ClickException) -> str:
    """click's message on one line, with where to look for the valid usage."""
    msg = " ".join(exc.format_message().split())
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and ctx is not None:
        msg += f" (see '{ctx.command_path} --help')"
    return msg


class FloatIn(click.FloatRange):
    """``click.FloatRange`` that also refuses NaN (which passes every range comparison) and
    infinity (no option of hymem means 'unbounded')."""

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


def config_option(system: str):
    """``--config FILE``: the system's TOML instead of ``configs/<system>.toml`` (passed as ``config_path``)."""
    return click.option("--config", "config_path",
                        type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
                        help=f"{system} config TOML (default configs/{system}.toml).")


def plot_option(what: str):
    """``--plot DIR``: also write ``what`` as PNG into DIR (passed as ``plot_dir``)."""
    return click.option("--plot", "plot_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                        help=f"Also write {what} as PNG into this directory.")


json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
precision_option = click.option("--precision", "bits", type=click.IntRange(1, 64), default=16,
                                show_default=True, help="Bits per element for byte figures.")
