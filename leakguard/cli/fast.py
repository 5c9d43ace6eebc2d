"""``leakguard check`` without click, for the command lines sending tools use on every message.

A pre-send hook runs ``leakguard check`` once per message, so its start-up time is what users
feel; importing click is about half of it.  :func:`fast_main` reads the command line by hand
when it is ``check`` followed only by options this module fully understands, and then calls the
same :func:`~leakguard.cli.checkrun.run_check` as the click command.  Anything else — another
command, ``--help``, ``--version``, an unknown, misspelt or valueless option, ``--interactive``,
``--color``, ``--config``/``--baseline``, ``--format sarif`` — and any unusual
environment (a terminal on stdin and stderr, where the check could prompt;
standard streams ``click.echo`` would re-wrap, such as a non-UTF-8 stdout; Windows; a shell
completion request; ``LEAKGUARD_DEBUG``, whose tracebacks show click's frames) returns ``None``
and the caller runs click exactly as before.

The command line grammar taken here is click's for these options: ``--opt value`` and
``--opt=value`` (the value may start with ``-``), flags without a value, the last of a repeated
single-value option wins, ``--text`` repeats, other words are files (``-`` is stdin) anywhere
on the line, and everything after ``--`` is a file.  What click's ``main`` does around a
command — a blank line on stderr before "interrupted" after Ctrl-C, and exit 1 with quiet
flushes when stdout is a closed pipe — is repeated by :func:`_as_click_main`.
``tests/test_fastpath.py`` runs both paths on the same command lines and compares the bytes.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

# option -> (run_check parameter, value for a flag / None for an option that takes a value)
_FLAGS: dict[str, tuple[str, bool]] = {
    "--hook": ("hook", True), "--no-config": ("no_config", True), "--explain": ("explain", True),
    "--show-matches": ("show_matches", True), "--no-interactive": ("interactive", False),
    "--no-color": ("color", False),
}
_VALUES: dict[str, str] = {"--to": "to", "--encoding": "encoding", "--bypass-hint": "bypass_hint",
                           "--format": "fmt", "--lang": "lang", "--fail-on": "fail_on"}
_CHOICES: dict[str, tuple[str, ...]] = {"fmt": ("text", "json"), "lang": ("zh", "en"), "fail_on": ("warn", "block")}
# repeatable path options (click.Path() without checks, then common.as_path)
_PATHS: dict[str, str] = {"--lexicon": "lexicons", "--only-lexicon": "only"}


def parse(args: Sequence[str]) -> dict[str, Any] | None:
    """``run_check`` keyword arguments for ``check …``, or ``None`` if click must handle ``args``."""
    if not args or args[0] != "check" or not all(type(a) is str for a in args):
        return None
    opts: dict[str, Any] = {}
    files: list[str] = []
    texts: list[str] = []
    paths: dict[str, list[str]] = {}
    i, n = 1, len(args)
    while i < n:
        arg = args[i]
        i += 1
        if arg == "--":
            files.extend(args[i:])
            break
        if arg[:1] != "-" or arg == "-":
            files.append(arg)
            continue
        name, eq, value = arg.partition("=")
        if name in _FLAGS:
            if eq:
                return None  # click: "Option '--hook' does not take a value."
            key, flag = _FLAGS[name]
            opts[key] = flag
            continue
        if name == "--text":
            key = "texts"
        elif name in _PATHS:
            key = _PATHS[name]
        elif name in _VALUES:
            key = _VALUES[name]
        else:
            return None  # unknown (-h, --help, --interactive, --config …): click says what it is
        if not eq:
            if i == n:
                return None  # click: "Option '--to' requires an argument."
            value = args[i]
            i += 1
        if key == "texts":
            texts.append(value)
            continue
        if key in ("lexicons", "only"):
            paths.setdefault(key, []).append(value)
            continue
        if key in _CHOICES and value not in _CHOICES[key]:
            return None  # click lists the choices
        opts[key] = value
        if key == "lang":
            opts["lang_given"] = True
    opts["files"], opts["texts"] = tuple(files), tuple(texts)
    # As strings: the ruleset loader takes them as they are, and pathlib would cost ~3 ms to import.
    opts.update((key, tuple(values)) for key, values in paths.items())
    return opts


def _plain_text_stream(stream: Any) -> bool:
    """A stream ``click.echo`` writes to as it is: UTF-8 text (or a StringIO)."""
    if type(stream) is io.StringIO:
        return True
    if not isinstance(stream, io.TextIOWrapper) or stream.errors is None:
        return False
    import codecs

    try:
        return codecs.lookup(stream.encoding).name == "utf-8"
    except LookupError:
        return False


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except Exception:  # noqa: BLE001 - as click.utils.isatty
        return False


def usable() -> bool:
    """Whether the process's environment is one where the fast path gives click's output."""
    env = os.environ
    if sys.platform.startswith("win") or env.get("_LEAKGUARD_COMPLETE") or env.get("LEAKGUARD_DEBUG"):
        return False  # Windows console streams; shell completion; tracebacks show click's frames
    out, err, inp = sys.stdout, sys.stderr, sys.stdin
    if inp is None or not _plain_text_stream(out) or not _plain_text_stream(err):
        return False
    # a terminal on stdin and stderr: the check could ask 取消/修改/说明理由 (click's prompt)
    return not (_isatty(inp) and _isatty(err))


def fast_main(argv: Sequence[str] | None) -> int | None:
    """The exit code of ``check`` run without click, or ``None``: click must run ``argv``."""
    args = sys.argv[1:] if argv is None else list(argv)
    opts = parse(args)
    if opts is None or not usable():
        return None
    from . import outcome
    from .checkrun import run_check
    from .output import direct

    old = direct(True)
    try:
        return outcome(lambda: _as_click_main(lambda: run_check(**opts)))
    finally:
        direct(old)


def _as_click_main(call: Callable[[], int]) -> int:
    """What click's ``Command.main`` (``standalone_mode=False``) does around the command."""
    try:
        return call()
    except (EOFError, KeyboardInterrupt):
        sys.stderr.write("\n")  # click: echo(file=sys.stderr), then Abort → "leakguard: interrupted"
        sys.stderr.flush()
        raise KeyboardInterrupt from None
    except OSError as e:
        import errno

        if e.errno != errno.EPIPE:
            raise
        sys.stdout = _PacifyFlush(sys.stdout)
        sys.stderr = _PacifyFlush(sys.stderr)
        sys.exit(1)


class _PacifyFlush:
    """A stream whose ``flush`` ignores a broken pipe (as click leaves stdout/stderr after EPIPE)."""

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped

    def flush(self) -> None:
        try:
            self.wrapped.flush()
        except OSError as e:
            import errno

            if e.errno != errno.EPIPE:
                raise

    def __getattr__(self, attr: str) -> Any:
        return getattr(self.wrapped, attr)
