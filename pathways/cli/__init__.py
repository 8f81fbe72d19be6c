"""The ``pathways`` command line. Each command is a thin shell over the library functions the
dashboard calls too; problems are printed as ``FILE:LINE:COL: message`` and exit non-zero."""

from __future__ import annotations

import json
import os
import re
from datetime import date
from importlib.metadata import version as package_version
from pathlib import Path
from typing import NoReturn

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from pathways.calendar import SystemClock
from pathways.home import definitions_dir, home, var_dir
from pathways.services.context import Actor, Context, ServiceError
from pathways.store.database import StoreUnavailable, database_url, explain, open_store


class _Main(click.Group):
    """The command group: a service's refusal (:class:`ServiceError`, naming its field) and a database that
    cannot be used are one line of explanation and exit 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ServiceError as exc:
            _fail(exc)
        except StoreUnavailable as exc:
            raise click.ClickException(str(exc)) from None
        except SQLAlchemyError as exc:
            try:
                message = explain(exc, make_url(database_url()))
            except StoreUnavailable:
                message = None
            if message is None:
                raise
            raise click.ClickException(message) from None

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_help(ctx, formatter)
        where = "PATHWAYS_HOME" if os.environ.get("PATHWAYS_HOME") else "the project folder, as PATHWAYS_HOME is unset"
        with formatter.section("Files"):
            formatter.write_text(f"Home: {home()}, {where}. The catalogue is read from {definitions_dir()}; "
                                 f"{var_dir()} holds the SQLite database (unless PATHWAYS_DATABASE_URL names "
                                 "another), Prefect's database, the diagrams of 'run' and the dashboard's secret key. "
                                 "No command depends on the current folder.")


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_version("pathways"), "-V", "--version", prog_name="pathways")
def main() -> None:
    """pathways: qualification pathways for refugees and immigrants, as state machines."""


definitions_option = click.option("--definitions", type=click.Path(path_type=Path), default=definitions_dir,
                                  show_default="PATHWAYS_HOME/definitions", help="Folder of pathway documents.")


def _context() -> Context:
    """The store of PATHWAYS_DATABASE_URL, checked (a missing or uninitialised database is a StoreUnavailable,
    which the command group prints as one line). The commands act as the system actor ``cli``: every kommune."""
    return Context(open_store(), SystemClock(), actor=Actor.system("cli"))


def _fail(exc: ServiceError) -> NoReturn:
    where = f"{exc.field}: " if exc.field else ""
    raise click.ClickException(where + str(exc))


def _pairs(items: tuple[str, ...], option: str) -> dict[str, str]:
    values = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"'{item}' is not KEY=VALUE", param_hint=option)
        values[key.strip()] = value.strip()
    return values


def _emit(as_json: bool, data: object, text: str) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2) if as_json else text)


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


class IsoDate(click.ParamType):
    """A date written YYYY-MM-DD. A wrong one is an error of exit code 1 that says what is wrong with it
    ("--born: 30 February 2025 does not exist"), not a usage error."""

    name = "YYYY-MM-DD"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        where = f"{param.opts[0]}: " if param is not None and param.opts else ""
        text = str(value).strip()
        match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
        if not match:
            raise click.ClickException(f"{where}'{text}' is not a date: write it YYYY-MM-DD, e.g. 2025-02-28")
        year, month, day = map(int, match.groups())
        if not 1 <= month <= 12:
            raise click.ClickException(f"{where}'{text}': there is no month {month} (months are 01–12)")
        try:
            return date(year, month, day)
        except ValueError:
            raise click.ClickException(f"{where}{day} {MONTHS[month - 1]} {year} does not exist") from None


iso_date = IsoDate()


# the commands, grouped by what they do; importing them adds them to `main`
from pathways.cli import (  # noqa: E402, F401
    authoring,
    backup,
    cases,
    catalogue,
    digest,
    handoffs,
    reports,
    retention,
    server,
    tasks,
    units,
    users,
)
