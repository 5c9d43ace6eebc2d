"""Command-line interface: thin click commands over the library API.

Every entry point goes through :func:`main`, which maps errors to exit codes:
0 nothing at or above the threshold, 1 flagged, 2 usage or input error (one line on
stderr), 3 internal error, 130 interrupted.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import click

from .. import __version__
from ..model import LeakguardError

EXIT_OK, EXIT_FLAGGED, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


# Which module defines each command.  A command's module is imported only when that command
# runs (or for --help), so `leakguard check` does not import what scan, hook or eval need.
# A command missing here is still found: unknown names import every module of _register().
_LAZY = {
    "check": "check", "eval": "evaluate", "cases": "info", "rules": "info", "scan": "scan",
    "hook": "hook", "sendmail": "hook", "baseline": "records", "audit": "records", "redact": "records",
}


class _LazyGroup(click.Group):
    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in _LAZY:
            _load(_LAZY[cmd_name])
        if cmd_name not in self.commands:
            _register()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        _register()
        return super().list_commands(ctx)


@click.group(cls=_LazyGroup, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="leakguard")
def cli() -> None:
    """leakguard — 发送前泄密检查 / a pre-send leak checker for Chinese work messages.

    \b
    Examples:
      echo '交办单拍给你们看看，别外传' | leakguard check
      leakguard check --text '明天上午九点开调度会'
      leakguard check draft.txt --to 家族群 --format json
      leakguard cases show jishou-jiaobandan
      leakguard rules show DOC101
    """


def _load(mod: str) -> None:
    try:
        __import__(f"{__name__}.{mod}")
    except ImportError:  # pragma: no cover - optional command modules under construction
        pass


def _register() -> None:
    """Import every command module (each registers its commands on import)."""
    for mod in ("check", "info", "evaluate", "scan", "hook", "records"):
        _load(mod)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code (never raises for user errors)."""
    try:
        rv = cli.main(args=list(argv) if argv is not None else None, prog_name="leakguard", standalone_mode=False)
    except LeakguardError as e:
        click.echo(f"leakguard: error: {e}", err=True)
        return EXIT_USAGE
    except click.exceptions.Abort:
        click.echo("leakguard: interrupted", err=True)
        return EXIT_INTERRUPTED
    except click.ClickException as e:
        e.show()
        return EXIT_USAGE
    except KeyboardInterrupt:
        click.echo("leakguard: interrupted", err=True)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _quiet_broken_pipe()
        return EXIT_OK
    except Exception as e:  # noqa: BLE001 - last line of defence: no tracebacks for users
        if os.environ.get("LEAKGUARD_DEBUG"):
            raise
        click.echo(
            f"leakguard: internal error: {type(e).__name__}: {e} (set LEAKGUARD_DEBUG=1 for a traceback)", err=True
        )
        return EXIT_INTERNAL
    if isinstance(rv, int):
        return rv
    return EXIT_OK


def _quiet_broken_pipe() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
