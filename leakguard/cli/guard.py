"""What `check` and `scan` share on top of the scanner: settings, suppression, baseline, hook mode.

Filters work on finished verdicts (suppression first, then the baseline); thresholds from the
settings give a new :class:`~leakguard.scanner.Scanner` over a copy of the ruleset.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..model import LeakguardError, Verdict
from . import EXIT_FLAGGED, EXIT_OK, EXIT_USAGE
from .common import as_path

if TYPE_CHECKING:
    from pathlib import Path

F = TypeVar("F", bound=Callable[..., Any])
GIT_BYPASS = "git commit --no-verify"
ENV_BYPASS = "LEAKGUARD_BYPASS=1"


def guard_options(f: F) -> F:
    f = click.option("--baseline", "baseline", type=click.Path(dir_okay=False), default=None, callback=as_path,
                     help="Report only findings not in this baseline (see `leakguard baseline create`).")(f)
    f = click.option("--no-config", is_flag=True, help="Ignore .leakguard.toml / [tool.leakguard] settings.")(f)
    f = click.option("--config", "config", type=click.Path(dir_okay=False), default=None, callback=as_path,
                     help="Settings file (default: .leakguard.toml or pyproject.toml [tool.leakguard], "
                          "found by walking up from the current folder).")(f)
    return f


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


def prepare(ctx: click.Context, config: Path | None, no_config: bool, baseline: Path | None,
            lexicons: tuple[Path, ...], only: tuple[Path, ...], lang: str, fail_on: str | None) -> Env:
    from ..config import Settings, apply_thresholds, discover, load_settings
    from ..suppress import Suppressor
    from .common import make_scanner

    settings = load_settings(config) if config is not None else Settings() if no_config else discover()
    for w in settings.warnings:
        click.echo(f"leakguard: warning: {w}", err=True)
    if settings.lang and ctx.get_parameter_source("lang") in (None, click.core.ParameterSource.DEFAULT):
        lang = settings.lang
    scanner = make_scanner(tuple(lexicons) + settings.lexicons, only, lang)
    scanner = apply_thresholds(scanner, settings)
    known = {r.code for r in scanner.ruleset.rules}
    for code, origin in settings.disable:
        if code not in known:
            click.echo(f"leakguard: warning: {origin}: disable: no rule {code} (ignored)", err=True)
    matcher = None
    baseline = baseline if baseline is not None else settings.baseline
    if baseline is not None:
        from ..baseline import load_baseline

        matcher = load_baseline(baseline).matcher()
    return Env(scanner, settings, Suppressor.from_settings(settings), matcher, lang,
               fail_on or settings.fail_on or "warn")


class GuardedScanner:
    """A scanner whose verdicts pass through the run's filters (for `scan`).

    :func:`track` records the source of the message being checked: ``scan`` checks each item
    before it pulls the next one.
    """

    def __init__(self, env: Env):
        self._env = env
        self._inner = env.scanner
        self.source = "<stdin>"

    @property
    def ruleset(self) -> Any:
        return self._inner.ruleset

    def check(self, text: str, to: str | None = None, lang: str | None = None, explain: bool = False) -> Verdict:
        return self._env.filter(self.source, text, self._inner.check(text, to=to, lang=lang, explain=explain))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def track(items: Iterable[Any], guarded: GuardedScanner) -> Iterator[Any]:
    for item in items:
        path = getattr(item, "path", None)
        if isinstance(path, str):
            guarded.source = path
        yield item


# ----------------------------------------------------------------------------- hook mode


def hook_mode(f: F) -> F:
    """``--hook``: fail closed.  An internal error blocks (exit 1) with one line naming the bypass."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        hint = kwargs.pop("bypass_hint", None) or ENV_BYPASS
        if not kwargs.get("hook"):
            return f(*args, **kwargs)
        if os.environ.get("LEAKGUARD_BYPASS") == "1":
            return bypass(kwargs.get("files") or (("<text>",) if kwargs.get("texts") else ("<stdin>",)),
                          kwargs.get("to"))
        return fail_closed(lambda: f(*args, **kwargs), hint)

    return wrapper  # type: ignore[return-value]


def fail_closed(call: Callable[[], int], hint: str, on_error: Callable[[], str] | None = None,
                announce: bool = True) -> int:
    """Run a hook; any failure blocks with one line naming ``hint`` (``on_error`` may add where
    the user's text was kept).  Internal errors exit 1, input errors 2 — never 0."""
    try:
        rv = call()
    except (KeyboardInterrupt, click.exceptions.Exit, click.exceptions.Abort):
        raise
    except LeakguardError as e:
        click.echo(f"leakguard: error: {e} — blocked{_extra(on_error)}; to send anyway: {hint}", err=True)
        return EXIT_USAGE
    except Exception as e:  # hook mode never passes silently
        if os.environ.get("LEAKGUARD_DEBUG"):
            raise
        click.echo(f"leakguard: internal error ({type(e).__name__}: {e}) — blocked (fail closed)"
                   f"{_extra(on_error)}; to send anyway: {hint}", err=True)
        return EXIT_FLAGGED
    if rv == EXIT_FLAGGED and announce:
        click.echo(f"leakguard: blocked — change the text, or to send anyway: {hint}", err=True)
    return rv


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
        click.echo(f"leakguard: warning: {e}", err=True)
    click.echo(f"leakguard: {ENV_BYPASS}: not checked (recorded in the audit log)", err=True)
    return EXIT_OK


def _now() -> str:
    from datetime import datetime

    return datetime.now().astimezone().isoformat(timespec="seconds")
