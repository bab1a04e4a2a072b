"""Helpers shared by the CLI commands: errors become one clear line and an exit code."""

import functools
import sys

import click

from archive_api.errors import DiwanError

EXIT_INVALID = 2
EXIT_FAILED = 1


def reports_errors(function):
    """Print a DiwanError as `error: message` on stderr and exit 2 instead of a traceback."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except DiwanError as error:
            click.echo(f"error: {error.render()}", err=True)
            for problem in getattr(error, "problems", []):
                click.echo(f"  {problem}", err=True)
            sys.exit(EXIT_INVALID)

    return wrapper
