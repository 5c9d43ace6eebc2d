"""The click command group (``leakguard …``); imported only when the click CLI runs.

:func:`leakguard.cli.main` runs the check command's common pre-send form without click (see
``leakguard.cli.fast``) and everything else here.
"""

from __future__ import annotations

from collections.abc import Sequence

import click

from .. import __version__
from . import outcome

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
        __import__(f"{__package__}.{mod}")
    except ImportError:  # pragma: no cover - optional command modules under construction
        pass


def _register() -> None:
    """Import every command module (each registers its commands on import)."""
    for mod in ("check", "info", "evaluate", "scan", "hook", "records"):
        _load(mod)


def click_main(argv: Sequence[str] | None) -> int:
    """Run the click CLI on ``argv`` (``None``: ``sys.argv[1:]``); return the exit code."""
    return outcome(lambda: cli.main(args=list(argv) if argv is not None else None, prog_name="leakguard",
                                    standalone_mode=False))
