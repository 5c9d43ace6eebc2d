"""What `check` and `scan` share on top of the scanner: settings, suppression, baseline, hook mode.

Filters work on finished verdicts (suppression first, then the baseline); thresholds from the
settings give a new :class:`~leakguard.scanner.Scanner` over a copy of the ruleset.

This module does not import click: the check command's fast path (``leakguard.cli.fast``) runs
it without click.  Output goes through :func:`leakguard.cli.output.echo` (``click.echo`` under
the click CLI); the click option bundles and ``prepare(ctx, …)`` are in ``leakguard.cli.common``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from ..model import LeakguardError, Verdict
from . import EXIT_FLAGGED, EXIT_OK, EXIT_USAGE
from .output import echo

if TYPE_CHECKING:
    from pathlib import Path

GIT_BYPASS = "git commit --no-verify"
ENV_BYPASS = "LEAKGUARD_BYPASS=1"


class Env:
    """The scanner and filters of one run (a plain class: @dataclass costs start-up time)."""

    def __init__(self, scanner: Any, settings: Any, suppressor: Any, matcher: Any, lang: str, fail_on: str):
        self.scanner = scanner
        self.settings = settings
        self.suppressor = suppressor
        self.matcher = matcher  # baseline.Matcher | None
        self.lang = lang
        self.fail_on = fail_on

    @property
    def thresholds(self) -> dict[str, float]:
        return dict(self.scanner.ruleset.thresholds)

    def filter(self, label: str, text: str, v: Verdict) -> Verdict:
        if not v.findings and not v.notes:
            return v
        v = self.suppressor.apply(v, text, self.thresholds, label)
        if self.matcher is not None and v.findings:
            from ..suppress import rebuild

            kept = self.matcher.new_findings(label, v.findings)
            if len(kept) != len(v.findings):
                v = rebuild(v, kept, self.thresholds)
        return v


def make_scanner(lexicons: tuple[str | Path, ...], only: tuple[str | Path, ...], lang: str) -> Any:
    from ..scanner import Scanner

    if not lexicons and not only:
        return Scanner.default()
    return Scanner.from_paths(list(only) if only else None, extra=list(lexicons), lang=lang)


def prepare_env(config: Path | None, no_config: bool, baseline: Path | None, lexicons: tuple[str | Path, ...],
                only: tuple[str | Path, ...], lang: str, lang_given: bool, fail_on: str | None) -> Env:
    """Settings, scanner and filters of a run; ``lang_given``: ``--lang`` was on the command line
    (else the settings' ``lang`` wins over the default)."""
    from ..config import Settings, apply_thresholds, discover, load_settings
    from ..suppress import Suppressor

    settings = load_settings(config) if config is not None else Settings() if no_config else discover()
    for w in settings.warnings:
        echo(f"leakguard: warning: {w}", err=True)
    if settings.lang and not lang_given:
        lang = settings.lang
    scanner = make_scanner(tuple(lexicons) + settings.lexicons, only, lang)
    scanner = apply_thresholds(scanner, settings)
    known = {r.code for r in scanner.ruleset.rules}
    for code, origin in settings.disable:
        if code not in known:
            echo(f"leakguard: warning: {origin}: disable: no rule {code} (ignored)", err=True)
    matcher = None
    baseline = baseline if baseline is not None else settings.baseline
    if baseline is not None:
        from ..baseline import load_baseline

        matcher = load_baseline(baseline).matcher()
    return Env(scanner, settings, Suppressor.from_settings(settings), matcher, lang,
               fail_on or settings.fail_on or "warn")


# ----------------------------------------------------------------------------- hook mode


def hook_mode(hook: bool, sources: Iterable[str], to: str | None, hint: str | None,
              call: Callable[[], int]) -> int:
    """``--hook``: fail closed.  An internal error blocks (exit 1) with one line naming the bypass
    (``hint``, default ``LEAKGUARD_BYPASS=1``); with ``LEAKGUARD_BYPASS=1`` nothing is checked."""
    if not hook:
        return call()
    if os.environ.get("LEAKGUARD_BYPASS") == "1":
        return bypass(sources, to)
    return fail_closed(call, hint or ENV_BYPASS)


def fail_closed(call: Callable[[], int], hint: str, on_error: Callable[[], str] | None = None,
                announce: bool = True) -> int:
    """Run a hook; any failure blocks with one line naming ``hint`` (``on_error`` may add where
    the user's text was kept).  Internal errors exit 1, input errors 2 — never 0."""
    try:
        rv = call()
    except KeyboardInterrupt:
        raise
    except LeakguardError as e:
        echo(f"leakguard: error: {e} — blocked{_extra(on_error)}; to send anyway: {hint}", err=True)
        return EXIT_USAGE
    except Exception as e:  # hook mode never passes silently
        if _click_control(e) or os.environ.get("LEAKGUARD_DEBUG"):
            raise
        echo(f"leakguard: internal error ({type(e).__name__}: {e}) — blocked (fail closed)"
             f"{_extra(on_error)}; to send anyway: {hint}", err=True)
        return EXIT_FLAGGED
    if rv == EXIT_FLAGGED and announce:
        echo(f"leakguard: blocked — change the text, or to send anyway: {hint}", err=True)
    return rv


def _click_control(e: Exception) -> bool:
    """click's Exit or Abort (only possible once click is imported): passed on, not blocked."""
    click = sys.modules.get("click")
    return click is not None and isinstance(e, (click.exceptions.Exit, click.exceptions.Abort))


def _extra(on_error: Callable[[], str] | None) -> str:
    if on_error is None:
        return ""
    try:
        return on_error()
    except Exception as e:  # noqa: BLE001 - still report the first error
        return f" (and could not keep a copy: {e})"


def bypass(sources: Iterable[str], to: str | None) -> int:
    """LEAKGUARD_BYPASS=1: pass without checking, say so, and leave an audit line."""
    from .. import audit

    entry = audit.AuditEntry(
        time=_now(), action="bypass", fingerprint="", codes=(), verdict="unchecked", score=0.0,
        reason="bypass", note=ENV_BYPASS, source=", ".join(sources), to=to, excerpt="",
    )
    try:
        audit.append(entry)
    except LeakguardError as e:
        echo(f"leakguard: warning: {e}", err=True)
    echo(f"leakguard: {ENV_BYPASS}: not checked (recorded in the audit log)", err=True)
    return EXIT_OK


def _now() -> str:
    from datetime import datetime

    return datetime.now().astimezone().isoformat(timespec="seconds")
