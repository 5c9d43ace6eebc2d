"""The check command itself, without click: ``leakguard check`` under click and on the fast path.

:func:`run_check` takes the command's options as plain values (click's defaults are its
defaults) and returns the exit code.  ``leakguard.cli.check`` is the click command, a thin
wrapper; ``leakguard.cli.fast`` parses the common pre-send command lines by hand and calls the
same function, so the two cannot differ in what they check or print.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from ..model import LeakguardError, Verdict
from . import EXIT_FLAGGED, EXIT_OK, EXIT_USAGE
from .guard import hook_mode, prepare_env
from .output import echo, styler

if TYPE_CHECKING:
    from pathlib import Path

SCHEMA_VERSION = 1
_ORDER = {"pass": 0, "warn": 1, "block": 2}


def run_check(
    files: tuple[str, ...] = (),
    texts: tuple[str, ...] = (),
    to: str | None = None,
    fmt: str = "text",
    fail_on: str | None = None,
    show_matches: bool = False,
    explain: bool = False,
    encoding: str | None = None,
    color: bool | None = None,
    lang: str = "zh",
    lang_given: bool = False,
    lexicons: tuple[str | Path, ...] = (),  # strings from the fast path, Paths from click
    only: tuple[str | Path, ...] = (),
    config: Path | None = None,
    no_config: bool = False,
    baseline: Path | None = None,
    interactive: bool | None = None,
    hook: bool = False,
    bypass_hint: str | None = None,
) -> int:
    """``leakguard check`` with these options; ``lang_given``: ``--lang`` was on the command line."""
    def run() -> int:
        return _check(files, texts, to, fmt, fail_on, show_matches, explain, encoding, color, lang, lang_given,
                      lexicons, only, config, no_config, baseline, interactive, hook)

    sources = files or (("<text>",) if texts else ("<stdin>",))
    return hook_mode(hook, sources, to, bypass_hint, run)


def _check(
    files: tuple[str, ...], texts: tuple[str, ...], to: str | None, fmt: str, fail_on: str | None,
    show_matches: bool, explain: bool, encoding: str | None, color: bool | None, lang: str, lang_given: bool,
    lexicons: tuple[str | Path, ...], only: tuple[str | Path, ...], config: Path | None, no_config: bool,
    baseline: Path | None, interactive: bool | None, hook: bool,
) -> int:
    env = prepare_env(config, no_config, baseline, lexicons, only, lang, lang_given, fail_on)
    scanner, lang, fail_on = env.scanner, env.lang, env.fail_on
    if encoding is not None:
        from ..textio import canonical_encoding

        canonical_encoding(encoding)  # a bad name is a usage error even with --text
    results: list[tuple[str, str, Verdict]] = []
    failed = 0
    inputs = _inputs(files, texts)
    for name, text in inputs:
        try:
            results.extend((lb, tx, env.filter(lb, tx, v))
                           for lb, tx, v in _check_one(scanner, name, text, to, lang, explain, encoding))
        except LeakguardError as e:
            if len(inputs) == 1:
                raise
            failed += 1  # one bad file does not stop the others; the exit code still says so
            echo(f"leakguard: error: {e}", err=True)
    if show_matches:
        echo("leakguard: --show-matches: personal data is shown unmasked in this report", err=True)
    style = styler(color if color is not None else sys.stdout.isatty())

    def report(results: list[tuple[str, str, Verdict]]) -> None:
        if fmt == "json":
            import json

            echo(json.dumps(to_json(results, show_matches), ensure_ascii=False, indent=2))
        elif fmt == "sarif":
            to_sarif(results, scanner.ruleset, lang)
        else:
            from ..render.text import render_verdict

            blocks = [render_verdict(text, v, label, lang, show_matches, explain, style) for label, text, v in results]
            echo("\n\n".join(blocks))

    report(results)
    worst = max((_ORDER[v.verdict] for _, _, v in results), default=0)
    if failed:
        return EXIT_USAGE
    if worst < _ORDER[fail_on]:
        return EXIT_OK
    if hook and not interactive or interactive is False:
        return EXIT_FLAGGED
    from_stdin = "-" in files or not (files or texts)
    if interactive or (fmt == "text" and sys.stdin.isatty() and sys.stderr.isatty()):
        from .decide import ask_override

        return ask_override(results, env, to, lang, from_stdin, report, explain)
    return EXIT_FLAGGED


def _inputs(files: tuple[str, ...], texts: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """(label, text) for --text values; (name, None) for files and stdin, read later one by one."""
    out: list[tuple[str, str | None]] = [("<text>", t) for t in texts]
    names = list(files) if files or texts else ["-"]
    out.extend((name, None) for name in names)
    return out


def _check_one(
    scanner: Any, name: str, text: str | None, to: str | None, lang: str, explain: bool, encoding: str | None
) -> list[tuple[str, str, Verdict]]:
    from ..textio import read_stdin, read_text

    if text is not None:
        return [(name, text, scanner.check(text, to=to, lang=lang, explain=explain))]
    if name == "-":
        text = read_stdin(sys.stdin.buffer, encoding)
        return [("<stdin>", text, scanner.check(text, to=to, lang=lang, explain=explain))]
    from pathlib import Path

    path = Path(name)
    from ..attachcheck import check_attachment, looks_like_attachment

    if path.is_file() and looks_like_attachment(path):
        results = check_attachment(scanner, path, to, lang, explain)
        return results or [(name, "", Verdict("pass", 0.0, ()))]
    text = read_text(path, encoding)
    return [(name, text, scanner.check(text, to=to, lang=lang, explain=explain))]


def to_sarif(results: list[tuple[str, str, Verdict]], ruleset: Any, lang: str) -> None:
    from ..render.sarif import SarifWriter

    w = SarifWriter(sys.stdout, ruleset, lang)
    for label, text, v in results:
        for f in v.findings:
            w.add(label, f, text)
    w.close()


def to_json(results: list[tuple[str, str, Verdict]], show: bool) -> dict[str, Any]:
    if len(results) == 1 and not results[0][2].findings or len(results) == 1 and not results[0][2].findings[0].location:
        return results[0][2].to_dict(show, SCHEMA_VERSION)
    worst = max(results, key=lambda r: (_ORDER[r[2].verdict], r[2].score))[2]
    findings = []
    for label, _, v in results:
        for f in v.findings:
            d = f.to_dict(show)
            d["path"] = label
            findings.append(d)
    return {
        "schema_version": SCHEMA_VERSION,
        "verdict": worst.verdict,
        "score": round(worst.score, 3),
        "findings": findings,
        "inputs": [{"path": label, "verdict": v.verdict, "score": round(v.score, 3)} for label, _, v in results],
    }
