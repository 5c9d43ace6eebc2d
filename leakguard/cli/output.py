"""Output for the shared command code: ``click.echo``, or a plain write when click is not loaded.

The check command's implementation (:mod:`leakguard.cli.checkrun`) runs under the click CLI
and under the click-free fast path (:mod:`leakguard.cli.fast`).  Under click every line goes
through ``click.echo`` exactly as before.  The fast path calls :func:`direct` once it has made
sure the standard streams are ones ``click.echo`` would write to unchanged (a UTF-8
``TextIOWrapper`` or a ``StringIO``, not Windows), so that writing the line and a newline, then
flushing, is what ``click.echo`` does.  The one thing ``click.echo`` may still change — it
removes ANSI escape sequences when the stream is not a terminal — is left to ``click.echo``
itself: a line holding an ESC character (say, from a file name) is handed to it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

_direct = False


def direct(on: bool) -> bool:
    """Write directly (``True``, fast path) or through ``click.echo``; returns the old setting."""
    global _direct
    old, _direct = _direct, on
    return old


def echo(message: str, err: bool = False) -> None:
    """``click.echo(message, err=err)`` for a ``str`` message."""
    if not _direct or "\x1b" in message:
        import click

        click.echo(message, err=err)
        return
    stream = sys.stderr if err else sys.stdout
    stream.write(message + "\n")
    stream.flush()


def styler(color: bool | None) -> Callable[..., str]:
    """The text report's styling: ``click.style`` when colour is on, else the text unchanged."""
    if color is False:
        from ..render.text import _plain

        return _plain

    def style(s: str, **kw: object) -> str:
        import click

        return click.style(s, **kw)  # type: ignore[arg-type]

    return style
