"""`leakguard check`: check drafts before they are sent."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from ..model import LeakguardError, Verdict
from . import EXIT_FLAGGED, EXIT_OK, EXIT_USAGE, cli
from .common import lang_option, lexicon_options, styler
from .guard import guard_options, hook_mode, prepare

if TYPE_CHECKING:
    from pathlib import Path

SCHEMA_VERSION = 1
_ORDER = {"pass": 0, "warn": 1, "block": 2}


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


@cli.command("check", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("files", nargs=-1, type=str)
@click.option("--text", "texts", multiple=True, help="Check this text instead of (or as well as) files.")
@click.option("--to", "to", default=None, help="Where it is going, e.g. 家族群 or 'XX局工作群': raises or lowers the score.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True)
@click.option("--fail-on", type=click.Choice(["warn", "block"]), default=None,
              help="Lowest verdict that makes the exit code 1 (default: warn, or fail_on in the settings).")
@click.option("--show-matches", is_flag=True, help="Show personal data unmasked (it is masked by default).")
@click.option("--explain", is_flag=True, help="Also show findings below the warning threshold, with their arithmetic.")
@click.option("--encoding", default=None, help="Force the input encoding (default: sniff UTF-8/UTF-16/GB18030).")
@click.option("--color/--no-color", default=None, help="Colour the text report (default: when stdout is a terminal).")
@click.option("--interactive/--no-interactive", default=None,
              help="Ask 取消 / 修改 / 说明理由后发送 when flagged (default: when stdin and stderr are terminals).")
@click.option("--hook", is_flag=True, help="Hook mode (git, pre-commit, sendmail, chat tools): never prompt unless "
              "--interactive; an internal error blocks (fail closed) and names the bypass.")
@click.option("--bypass-hint", hidden=True, default=None)
@lang_option
@lexicon_options
@guard_options
@click.pass_context
@hook_mode
def check_cmd(
    ctx: click.Context,
    files: tuple[str, ...],
    texts: tuple[str, ...],
    to: str | None,
    fmt: str,
    fail_on: str,
    show_matches: bool,
    explain: bool,
    encoding: str | None,
    color: bool | None,
    lang: str,
    lexicons: tuple[Path, ...],
    only: tuple[Path, ...],
    config: Path | None,
    no_config: bool,
    baseline: Path | None,
    interactive: bool | None,
    hook: bool,
) -> int:
    """Check drafts for leaks before sending. FILES: text files; '-' or nothing reads stdin.

    \b
    Exit codes: 0 OK to send, 1 flagged (at or above --fail-on), 2 usage or input error,
    3 internal error.

    \b
    Examples:
      echo '交办单拍给你们看看，别外传' | leakguard check
      leakguard check --text '明天上午九点开调度会'
      leakguard check draft.txt --to 家族群 --lang en
      leakguard check --format json < draft.txt
      leakguard check --hook --to 家族群 < draft.txt     # pre-send hooks: fail closed
    """
    env = prepare(ctx, config, no_config, baseline, lexicons, only, lang, fail_on)
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
            click.echo(f"leakguard: error: {e}", err=True)
    if show_matches:
        click.echo("leakguard: --show-matches: personal data is shown unmasked in this report", err=True)
    style = styler(color if color is not None else sys.stdout.isatty())

    def report(results: list[tuple[str, str, Verdict]]) -> None:
        if fmt == "json":
            import json

            click.echo(json.dumps(to_json(results, show_matches), ensure_ascii=False, indent=2))
        elif fmt == "sarif":
            to_sarif(results, scanner.ruleset, lang)
        else:
            from ..render.text import render_verdict

            blocks = [render_verdict(text, v, label, lang, show_matches, explain, style) for label, text, v in results]
            click.echo("\n\n".join(blocks))

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
