"""Command-line interface: thin click commands over the library API, and a click-free fast path.

Every entry point goes through :func:`main`, which maps errors to exit codes:
0 nothing at or above the threshold, 1 flagged, 2 usage or input error (one line on
stderr), 3 internal error, 130 interrupted.

This module does not import click.  ``leakguard check`` in its common pre-send forms runs
without it (``leakguard.cli.fast``); every other command line goes to the click group in
``leakguard.cli.app`` (``cli``, ``_register`` … are still importable from here).
``LEAKGUARD_NO_FASTPATH=1`` sends every command line to click.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from ..model import LeakguardError
from .output import echo

EXIT_OK, EXIT_FLAGGED, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code (never raises for user errors)."""
    if not os.environ.get("LEAKGUARD_NO_FASTPATH"):
        from .fast import fast_main

        rc = fast_main(argv)
        if rc is not None:
            return rc
    from .app import click_main

    return click_main(argv)


def outcome(call: Callable[[], Any]) -> int:
    """Run a command; its exit code, or the one for what escaped it (one line on stderr)."""
    try:
        rv = call()
    except LeakguardError as e:
        echo(f"leakguard: error: {e}", err=True)
        return EXIT_USAGE
    except KeyboardInterrupt:
        echo("leakguard: interrupted", err=True)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _quiet_broken_pipe()
        return EXIT_OK
    except Exception as e:  # last line of defence: no tracebacks for users
        code = _click_exception(e)
        if code is not None:
            return code
        if os.environ.get("LEAKGUARD_DEBUG"):
            raise
        echo(f"leakguard: internal error: {type(e).__name__}: {e} (set LEAKGUARD_DEBUG=1 for a traceback)", err=True)
        return EXIT_INTERNAL
    if isinstance(rv, int):
        return rv
    return EXIT_OK


def _click_exception(e: Exception) -> int | None:
    """The exit code for click's Abort (interrupted) and usage errors; None for anything else."""
    click = sys.modules.get("click")  # no click exception exists before click is imported
    if click is None:
        return None
    if isinstance(e, click.exceptions.Abort):
        echo("leakguard: interrupted", err=True)
        return EXIT_INTERRUPTED
    if isinstance(e, click.ClickException):
        e.show()
        return EXIT_USAGE
    return None


def _quiet_broken_pipe() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass


def __getattr__(name: str) -> Any:  # the click group and its helpers, imported on first use
    if name in ("cli", "_register", "_load", "_LazyGroup", "CONTEXT", "_LAZY", "click_main"):
        from . import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
