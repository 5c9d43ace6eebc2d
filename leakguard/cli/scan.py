"""`leakguard scan`: scan exported chat logs (WeChat, QQ, WeCom, Telegram, WhatsApp, Slack, CSV/JSONL)."""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path
from typing import IO, Any

import click

from ..model import LeakguardError
from . import EXIT_FLAGGED, EXIT_INTERRUPTED, EXIT_OK
from .app import cli
from .common import guard_options, lang_option, lexicon_options, prepare
from .output import styler

_ORDER = {"pass": 0, "warn": 1, "block": 2}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
HTML_CAP = 5000  # flagged messages kept for the HTML report; the rest are counted


def _date(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    if not _DATE.match(value):
        raise LeakguardError(f"{name} must be a date like 2022-09-01, got {value!r}")
    return value


class Progress:
    """A one-line progress indicator on stderr, only when stderr is a terminal."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.t0 = time.monotonic()
        self.last = 0.0

    def tick(self, summary: Any) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.last < 0.2:
            return
        self.last = now
        rate = summary.messages / max(now - self.t0, 1e-6)
        sys.stderr.write(
            f"\r  {summary.messages:,} messages · {summary.flagged:,} flagged · {summary.skipped:,} skipped · "
            f"{rate:,.0f} msg/s "
        )
        sys.stderr.flush()

    def done(self) -> None:
        if self.enabled:
            sys.stderr.write("\r" + " " * 78 + "\r")
            sys.stderr.flush()


@cli.command("scan", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl", "json", "html", "sarif"]),
              default="text", show_default=True,
              help="Report format: text summary, JSONL per flagged message, JSON summary, HTML, SARIF 2.1.0.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the report to this file (atomically) instead of stdout.")
@click.option("--input-format", "input_format", default=None,
              help="Force the export format (default: detected per file). See --list-formats.")
@click.option("--list-formats", is_flag=True, is_eager=True, expose_value=False,
              callback=lambda ctx, _p, v: _list_formats(ctx) if v else None, help="List supported export formats.")
@click.option("--text-field", default=None, help="Generic CSV/JSONL: the column or key holding the message text.")
@click.option("--encoding", default=None, help="Force the input encoding (default: sniffed per file).")
@click.option("--since", default=None, help="Only messages on or after this date (YYYY-MM-DD).")
@click.option("--until", default=None, help="Only messages on or before this date (YYYY-MM-DD).")
@click.option("--all", "all_messages", is_flag=True, help="jsonl: one line for every message, not only flagged ones.")
@click.option("--fail-on", type=click.Choice(["warn", "block"]), default=None,
              help="Lowest verdict that makes the exit code 1 (default: warn, or fail_on in the settings).")
@click.option("--show-matches", is_flag=True, help="Show personal data unmasked (masked by default).")
@click.option("--color/--no-color", default=None)
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=1, show_default=True,
              help="Check messages in N worker processes (0: one per CPU) for large exports; "
                   "same results, same order.")
@lang_option
@lexicon_options
@guard_options
@click.pass_context
def scan_cmd(
    ctx: click.Context,
    paths: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    input_format: str | None,
    text_field: str | None,
    encoding: str | None,
    since: str | None,
    until: str | None,
    all_messages: bool,
    fail_on: str,
    show_matches: bool,
    color: bool | None,
    lang: str,
    lexicons: tuple[Path, ...],
    only: tuple[Path, ...],
    config: Path | None,
    no_config: bool,
    baseline: Path | None,
    jobs: int,
) -> int:
    """Scan exported chat logs for leaks: which messages leaked what, who sent them, where and when.

    PATHS are export files or folders (walked recursively). The format of each file is detected.
    Malformed records are counted, reported with their location and skipped; recalled messages still
    count. The destination-aware score uses each conversation's name (a family group is riskier).

    \b
    Examples:
      leakguard scan 聊天记录.txt
      leakguard scan export/ --format jsonl > hits.jsonl
      leakguard scan wechat.csv --format html -o report.html
      leakguard scan big.jsonl --text-field content --since 2022-09-01
    """
    from ..scan import Summary, scan
    from ..sources import FORMATS, iter_messages

    since, until = _date(since, "--since"), _date(until, "--until")
    if input_format is not None and input_format not in FORMATS:
        raise LeakguardError(f"unknown --input-format {input_format!r}; choose from: {', '.join(sorted(FORMATS))}")
    env = prepare(ctx, config, no_config, baseline, lexicons, only, lang, fail_on)
    lang, fail_on = env.lang, env.fail_on
    summary = Summary()
    if show_matches:
        click.echo("leakguard: --show-matches: personal data is shown unmasked in this report", err=True)
    items = iter_messages(list(paths), fmt=input_format, encoding=encoding, text_field=text_field,
                          chunks=not (since or until))
    progress = Progress(sys.stderr.isatty() and fmt != "text" or (output is not None and sys.stderr.isatty()))
    stream = scan(env.scanner, items, summary, lang=lang, since=since, until=until, post=env.filter,
                  jobs=jobs or os.cpu_count() or 1, flagged_only=not (fmt == "jsonl" and all_messages),
                  tick=lambda: progress.tick(summary))
    style = styler(color if color is not None else (output is None and sys.stdout.isatty()))
    kept: list[Any] = []

    def run(out: IO[str]) -> None:
        from ..render.scan_text import render_message, render_summary

        sarif = _sarif_writer(out, env, lang) if fmt == "sarif" else None

        try:
            for sm in stream:
                progress.tick(summary)
                if fmt == "jsonl":
                    if all_messages or sm.verdict.flagged:
                        out.write(json.dumps(sm.to_dict(show_matches), ensure_ascii=False) + "\n")
                elif sm.verdict.flagged:
                    if fmt == "text":
                        out.write(render_message(sm, lang, show_matches, style) + "\n\n")
                    elif fmt == "html" and len(kept) < HTML_CAP:
                        kept.append(sm)
                    elif sarif is not None:
                        _sarif_add(sarif, sm)
        except KeyboardInterrupt:
            summary.interrupted = True
        finally:
            progress.done()
        if fmt == "text":
            out.write(render_summary(summary, lang, style) + "\n")
        elif fmt == "json":
            out.write(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2) + "\n")
        elif fmt == "html":
            from ..render.html import render_html

            out.write(render_html(summary, kept, lang, show_matches, truncated=summary.flagged > len(kept)))
        elif sarif is not None:
            sarif.close()

    if output is not None:
        from ..atomic import atomic_writer

        with atomic_writer(output) as f:
            run(f)
    else:
        run(sys.stdout)
        sys.stdout.flush()
    if fmt in ("jsonl", "json", "sarif") or output is not None:
        click.echo(_one_line(summary, lang), err=True)
    if summary.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_FLAGGED if _ORDER[summary.worst] >= _ORDER[fail_on] else EXIT_OK


def _sarif_writer(out: IO[str], env: Any, lang: str) -> Any:
    from ..render.sarif import SarifWriter

    return SarifWriter(out, env.scanner.ruleset, lang)


def _sarif_add(w: Any, sm: Any) -> None:
    m = sm.message
    props = {"message_index": m.index, "conversation": m.conversation, "time": m.time}
    for f in sm.verdict.findings:
        w.add(m.path, f, line=m.line or None, properties=props)


def _one_line(summary: Any, lang: str) -> str:
    if lang == "zh":
        return (f"leakguard: 读取 {summary.messages} 条消息，跳过 {summary.skipped} 条损坏记录，"
                f"标记 {summary.flagged} 条" + ("（已中断）" if summary.interrupted else ""))
    return (f"leakguard: read {summary.messages} messages, skipped {summary.skipped} bad records, "
            f"flagged {summary.flagged}" + (" (interrupted)" if summary.interrupted else ""))


def _list_formats(ctx: click.Context) -> None:
    from ..sources import FORMATS

    for name, f in sorted(FORMATS.items()):
        click.echo(f"{name:<22} {getattr(f, 'description', '')}")
    ctx.exit(0)
