"""Output for the shared command code: ``click.echo``, or a plain write when click is not loaded.

The check command's implementation (:mod:`leakguard.cli.checkrun`) runs under the click CLI
and under the click-free fast path (:mod:`leakguard.cli.fast`).  Under click every line goes
through ``click.echo`` exactly as before.  The fast path calls :func:`direct` once it has made
sure the standard streams are ones ``click.echo`` would write to unchanged (a UTF-8
``TextIOWrapper`` or a ``StringIO``, not Windows), so that writing the line and a newline, then
flushing, is what ``click.echo`` does.  The one thing ``click.echo`` may still change — it
removes ANSI escape sequences when the stream is not a terminal — is left to ``click.echo``
itself: a line holding an ESC character (say, from a file name) for a stream that is not a
terminal is handed to it.  Colours for a terminal are written as ``click.style`` writes them.
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
    stream = sys.stderr if err else sys.stdout
    if not _direct or ("\x1b" in message and not _isatty(stream)):  # click.echo strips ANSI codes
        import click

        click.echo(message, err=err)
        return
    stream.write(message + "\n")
    stream.flush()


def _isatty(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - as click.utils.isatty
        return False


# What click.style writes for the styles the reports use (foreground colour, bold); anything
# else is left to click.style.  tests/test_fastpath.py compares the two.
_FG = {"black": 30, "red": 31, "green": 32, "yellow": 33, "blue": 34, "magenta": 35, "cyan": 36, "white": 37}


def style(s: str, **kw: object) -> str:
    """``click.style(s, **kw)``."""
    fg, bold = kw.get("fg"), kw.get("bold")
    if set(kw) <= {"fg", "bold"} and (fg is None or fg in _FG) and bold in (None, True, False):
        return "".join((f"\x1b[{_FG[fg]}m" if fg is not None else "",
                        "" if bold is None else "\x1b[1m" if bold else "\x1b[22m", s, "\x1b[0m"))
    import click

    return click.style(s, **kw)  # type: ignore[arg-type]


def styler(color: bool | None) -> Callable[..., str]:
    """The text report's styling: ANSI codes as ``click.style`` writes them when colour is on,
    else the text unchanged."""
    if color is False:
        from ..render.text import _plain

        return _plain
    return style
