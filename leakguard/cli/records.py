"""`leakguard baseline`, `leakguard audit` and `leakguard redact`."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from ..model import LeakguardError
from . import EXIT_OK, EXIT_USAGE
from .app import cli
from .common import lang_option, prepare
from .guard import Env


def _settings_options(f: Any) -> Any:
    f = click.option("--no-config", is_flag=True, help="Ignore .leakguard.toml / [tool.leakguard].")(f)
    f = click.option("--config", type=click.Path(path_type=Path, dir_okay=False), default=None,
                     help="Settings file (default: found by walking up from the current folder).")(f)
    return f


# ----------------------------------------------------------------------------- baseline


@cli.group("baseline", context_settings={"help_option_names": ["-h", "--help"]})
def baseline_group() -> None:
    """Record the findings you already know about; `--baseline FILE` then reports only new ones.

    Fingerprints are (rule code, source path, normalised match), never line numbers, so edits
    elsewhere in a file keep known findings known.  Source paths are stored relative to the
    baseline file's folder.  The file holds no matched text.

    \b
    Examples:
      leakguard baseline create .leakguard-baseline.json docs/ notes.md
      leakguard baseline create known.json --scan export/      # chat exports, like `leakguard scan`
      leakguard check --baseline .leakguard-baseline.json docs/*.md
      leakguard baseline update .leakguard-baseline.json docs/  # re-record these paths, keep the rest
    """


def _baseline_options(f: Any) -> Any:
    f = click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))(f)
    f = click.argument("file", type=click.Path(path_type=Path, dir_okay=False))(f)
    f = click.option("--scan", "as_logs", is_flag=True, help="PATHS are chat exports (as in `leakguard scan`).")(f)
    f = click.option("--input-format", default=None, help="--scan: force the export format.")(f)
    f = click.option("--text-field", default=None, help="--scan: generic CSV/JSONL text column or key.")(f)
    f = click.option("--encoding", default=None, help="Force the input encoding.")(f)
    f = click.option("--to", default=None, help="Destination used for scoring (as in `check --to`).")(f)
    f = lang_option(f)
    f = _settings_options(f)
    return f


@baseline_group.command("create")
@_baseline_options
@click.pass_context
def baseline_create(ctx: click.Context, /, file: Path, paths: tuple[Path, ...], **kw: Any) -> int:
    """Write FILE with the findings in PATHS (files or folders).

    \b
    Examples:
      leakguard baseline create .leakguard-baseline.json docs/ notes.md
      leakguard baseline create known.json --scan export/
    """
    return _baseline(ctx, file, paths, update=False, **kw)


@baseline_group.command("update")
@_baseline_options
@click.pass_context
def baseline_update(ctx: click.Context, /, file: Path, paths: tuple[Path, ...], **kw: Any) -> int:
    """Re-record the findings of PATHS in FILE; entries of other sources are kept.

    \b
    Examples:
      leakguard baseline update .leakguard-baseline.json docs/
    """
    return _baseline(ctx, file, paths, update=True, **kw)


def _baseline(ctx: click.Context, file: Path, paths: tuple[Path, ...], update: bool, as_logs: bool,
              input_format: str | None, text_field: str | None, encoding: str | None, to: str | None,
              lang: str, config: Path | None, no_config: bool) -> int:
    from ..baseline import Baseline, Collector, load_baseline, merge, save_baseline

    env = prepare(ctx, config, no_config, None, (), (), lang, None)
    old = load_baseline(file) if update else Baseline(file)
    collector = Collector(old.root)
    skipped = 0
    if as_logs:
        skipped = _collect_logs(env, collector, paths, input_format, text_field, encoding)
    else:
        for label, text in _texts(paths, encoding, exclude=file):
            if text is None:
                skipped += 1
                continue
            v = env.filter(label, text, env.scanner.check(text, to=to, lang=env.lang))
            collector.add(label, v.findings)
    entries = merge(old, collector) if update else collector.entries
    save_baseline(file, entries.values())
    total = sum(e.count for e in entries.values())
    click.echo(f"leakguard: {file}: {total} finding(s) from {len({e.source for e in entries.values()})} source(s)"
               + (f"; {skipped} input(s) skipped" if skipped else ""), err=True)
    return EXIT_OK


def _collect_logs(env: Env, collector: Any, paths: tuple[Path, ...], input_format: str | None,
                  text_field: str | None, encoding: str | None) -> int:
    from ..sources import BadRecord, iter_messages

    skipped = 0
    for item in iter_messages(list(paths), fmt=input_format, encoding=encoding, text_field=text_field):
        if isinstance(item, BadRecord):
            skipped += 1
            continue
        if item.kind == "system":
            continue
        v = env.filter(item.path, item.text, env.scanner.check(item.text, to=item.conversation, lang=env.lang))
        collector.add(item.path, v.findings)
    return skipped


def _texts(paths: tuple[Path, ...], encoding: str | None, exclude: Path) -> Iterator[tuple[str, str | None]]:
    """(label, text) of every text file in PATHS (folders walked, hidden entries skipped);
    text None for a file that cannot be read as text (reported on stderr)."""
    from ..textio import read_text

    skip = exclude.resolve()
    for path in paths:
        files = [path] if not path.is_dir() else sorted(
            p for p in path.rglob("*") if p.is_file() and not any(part.startswith(".") for part in
                                                                 p.relative_to(path).parts))
        for f in files:
            if f.resolve() == skip:
                continue
            try:
                yield str(f), read_text(f, encoding)
            except LeakguardError as e:
                click.echo(f"leakguard: {e} — skipped", err=True)
                yield str(f), None


# ----------------------------------------------------------------------------- audit


@cli.command("audit", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Only the last N entries.")
@click.option("--path", "show_path", is_flag=True, help="Print where the audit log is and exit.")
@lang_option
def audit_cmd(fmt: str, limit: int | None, show_path: bool, lang: str) -> int:
    """List the overrides (sent despite a flag, with the reason) and bypasses, oldest first.

    The log is JSONL in the user's data folder ($LEAKGUARD_DATA_DIR, else
    $XDG_DATA_HOME/leakguard or ~/.local/share/leakguard).  Excerpts are masked.

    \b
    Examples:
      leakguard audit
      leakguard audit --limit 20 --format jsonl
    """
    from collections import deque

    from .. import audit

    path = audit.audit_path()
    if show_path:
        click.echo(str(path))
        return EXIT_OK
    entries: deque[audit.AuditEntry] = deque(maxlen=limit)
    bad = 0
    for item in audit.read(path):
        if isinstance(item, audit.BadLine):
            bad += 1
            click.echo(f"leakguard: warning: {path}:{item.line}: {item.reason} — skipped", err=True)
            continue
        entries.append(item)
    for e in entries:
        if fmt == "jsonl":
            click.echo(json.dumps(e.to_dict(), ensure_ascii=False))
            continue
        codes = ",".join(e.codes) or "-"
        to = f" → {e.to}" if e.to else ""
        note = f" · {e.note}" if e.note and e.note != e.reason else ""
        click.echo(f"{e.time}  {e.action:<8} {audit.reason_label(e.reason, lang)}{note}  [{codes} {e.verdict}]  "
                   f"{e.source}{to}")
        if e.excerpt:
            click.echo(f"    {e.excerpt}")
    if not entries and fmt == "text":
        click.echo(("审计日志为空：" if lang == "zh" else "no audit entries: ") + str(path), err=True)
    return EXIT_USAGE if bad and not entries else EXIT_OK


# ----------------------------------------------------------------------------- redact


@cli.command("redact", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("file", required=False, default="-")
@click.option("--text", "text_opt", default=None, help="Redact this text instead of a file.")
@click.option("--to", default=None, help="Where it is going (as in `check --to`).")
@click.option("--encoding", default=None, help="Force the input encoding.")
@click.option("--no-suggestions", is_flag=True, help="Only the redacted text, without suggestion lines.")
@lang_option
@_settings_options
@click.pass_context
def redact_cmd(ctx: click.Context, file: str, text_opt: str | None, to: str | None, encoding: str | None,
               no_suggestions: bool, lang: str, config: Path | None, no_config: bool) -> int:
    """Write a safe version of a draft to stdout (the input file is never changed).

    Personal data is masked (ID 1101**********123X, phone 139****5678); names of private persons
    in flagged personal-data records become 某某; each document, meeting, decision or rumour
    finding adds a suggestion line with what to send instead.

    \b
    Examples:
      leakguard redact draft.txt > draft.safe.txt
      echo '王建国 身份证 11010519491231002X 确诊了' | leakguard redact
    """
    from ..redact import redact
    from ..textio import read_stdin, read_text

    env = prepare(ctx, config, no_config, None, (), (), lang, None)
    if text_opt is not None:
        text, label = text_opt, "<text>"
    elif file == "-":
        text, label = read_stdin(sys.stdin.buffer, encoding), "<stdin>"
    else:
        from ..attachcheck import looks_like_attachment

        if Path(file).is_file() and looks_like_attachment(Path(file)):
            raise LeakguardError(f"{file}: redact works on text; photos and documents cannot be redacted safely — "
                                 "retype what may be sent")
        text, label = read_text(file, encoding), file
    raw = env.scanner.check(text, to=to, lang=env.lang, explain=True)
    kept = env.filter(label, text, raw)
    dropped = tuple(f for f in raw.findings if f not in kept.findings)
    result = redact(text, env.scanner, to=to, lang=env.lang, verdict=replace(kept, notes=raw.notes + dropped))
    out = result.text if no_suggestions else result.render()
    sys.stdout.write(out)
    sys.stdout.flush()
    if env.lang == "zh":
        msg = f"leakguard: 已遮蔽 {result.masked} 处个人信息，替换 {result.names} 个姓名，{len(result.suggestions)} 条建议"
    else:
        msg = (f"leakguard: masked {result.masked} personal-data value(s), replaced {result.names} name(s), "
               f"{len(result.suggestions)} suggestion(s)")
    click.echo(msg, err=True)
    return EXIT_OK
