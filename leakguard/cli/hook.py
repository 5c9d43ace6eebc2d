"""`leakguard hook install|uninstall|run` (git) and `leakguard sendmail` (mail clients)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from ..model import LeakguardError, Verdict
from . import EXIT_FLAGGED, EXIT_OK, EXIT_USAGE
from .app import cli
from .common import guard_options, lang_option, prepare
from .guard import ENV_BYPASS, GIT_BYPASS, Env, bypass, fail_closed

_ORDER = {"pass": 0, "warn": 1, "block": 2}
DEFAULT_SENDMAIL = "/usr/sbin/sendmail"


@cli.group("hook", context_settings={"help_option_names": ["-h", "--help"]})
def hook_group() -> None:
    """Git hooks: check staged text files and commit messages before each commit.

    \b
    Examples:
      leakguard hook install                 # in a repository: pre-commit + commit-msg
      leakguard hook install --repo ~/notes --force   # keep an existing hook as <hook>.leakguard-backup
      leakguard hook uninstall               # removes them, restores any backup
      git commit --no-verify                 # bypass once
    """


@hook_group.command("install")
@click.option("--repo", type=click.Path(path_type=Path, file_okay=False), default=Path("."), show_default=True)
@click.option("--force", is_flag=True, help="Replace an existing hook, keeping it as <hook>.leakguard-backup.")
def hook_install(repo: Path, force: bool) -> None:
    """Install the pre-commit and commit-msg hooks (never overwrites a hook without asking).

    The hooks run `leakguard` from PATH, else `python3 -m leakguard` ($LEAKGUARD overrides).

    \b
    Examples:
      leakguard hook install
      leakguard hook install --repo ~/work/notes --force
    """
    from ..hooks import install

    confirm: Callable[[Path], bool] | None = None
    if sys.stdin.isatty() and sys.stderr.isatty():
        def confirm(path: Path) -> bool:
            return click.confirm(f"{path} exists. Keep it as a backup (it still runs after leakguard) and "
                                 "install leakguard's hook?", err=True, default=False)
    for line in install(repo, force, confirm):
        click.echo(line)


@hook_group.command("uninstall")
@click.option("--repo", type=click.Path(path_type=Path, file_okay=False), default=Path("."), show_default=True)
def hook_uninstall(repo: Path) -> None:
    """Remove leakguard's hooks and restore any backed-up hook.

    \b
    Examples:
      leakguard hook uninstall
      leakguard hook uninstall --repo ~/work/notes
    """
    from ..hooks import uninstall

    for line in uninstall(repo) or ["no leakguard hooks installed"]:
        click.echo(line)


@hook_group.command("run")
@click.argument("hook", type=click.Choice(["pre-commit", "commit-msg"]))
@click.argument("msgfile", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--fail-on", type=click.Choice(["warn", "block"]), default=None)
@lang_option
@guard_options
@click.pass_context
def hook_run(ctx: click.Context, hook: str, msgfile: Path | None, fail_on: str | None, lang: str,
             config: Path | None, no_config: bool, baseline: Path | None) -> int:
    """What the installed hooks run (also usable by hand in a repository).

    pre-commit checks the staged content of every added or modified text file; commit-msg checks
    the message file (comment lines ignored).  Any failure blocks the commit (fail closed).

    \b
    Examples:
      leakguard hook run pre-commit
      leakguard hook run commit-msg .git/COMMIT_EDITMSG
    """
    if os.environ.get("LEAKGUARD_BYPASS") == "1":
        return bypass([hook], None)

    def run() -> int:
        env = prepare(ctx, config, no_config, baseline, (), (), lang, fail_on)
        if hook == "commit-msg":
            if msgfile is None:
                raise LeakguardError("hook run commit-msg needs the message file")
            items = [(str(msgfile), _message(msgfile))]
        else:
            items = list(_staged_texts(Path.cwd()))
        return _check_and_report(env, items, env.lang)

    return fail_closed(run, GIT_BYPASS)


def _message(path: Path) -> str:
    from ..hooks import commit_message_text, git
    from ..textio import read_text

    try:
        comment = git(Path.cwd(), "config", "--get", "core.commentChar").strip() or "#"
    except LeakguardError:
        comment = "#"
    return commit_message_text(read_text(path), comment if len(comment) == 1 else "#")


def _staged_texts(repo: Path) -> Any:
    import shlex

    from ..hooks import MAX_STAGED_BYTES, looks_binary, staged_blob, staged_files
    from ..textio import decode_bytes

    for name in staged_files(repo):
        data = staged_blob(repo, name)
        if looks_binary(data) or len(data) > MAX_STAGED_BYTES:
            click.echo(f"leakguard: {name}: not checked (binary or over {MAX_STAGED_BYTES // 1_000_000} MB; "
                       f"check attachments with `leakguard check {shlex.quote(name)}`)", err=True)
            continue
        try:
            yield name, decode_bytes(data, name)
        except LeakguardError as e:
            click.echo(f"leakguard: {e} — not checked", err=True)


def _check_and_report(env: Env, items: list[tuple[str, str]], lang: str, to: str | None = None) -> int:
    """Check each text; report the flagged ones; exit 1 when any is at or above fail_on."""
    from ..render.text import render_verdict

    worst = 0
    for label, text in items:
        v = env.filter(label, text, env.scanner.check(text, to=to, lang=lang))
        if v.flagged:
            click.echo(render_verdict(text, v, label, lang) + "\n")
        worst = max(worst, _ORDER[v.verdict])
    return EXIT_FLAGGED if worst >= _ORDER[env.fail_on] else EXIT_OK


# ----------------------------------------------------------------------------- sendmail


@dataclass
class MailOptions:
    sendmail: str | None = None
    reason: str | None = None
    to: str | None = None
    interactive: bool = False
    lang: str = "zh"
    fail_on: str | None = None
    config: Path | None = None
    no_config: bool = False


_VALUED = {"--sendmail": "sendmail", "--reason": "reason", "--to": "to", "--lang": "lang",
           "--fail-on": "fail_on", "--config": "config"}
_FLAGS = {"--interactive": "interactive", "--no-config": "no_config"}


def parse_mail_args(args: tuple[str, ...]) -> tuple[MailOptions, list[str]]:
    """leakguard's own options first; then an optional ``--``; the rest go to the real sendmail."""
    opts = MailOptions()
    rest = list(args)
    while rest:
        head = rest[0]
        name, eq, value = head.partition("=")
        if name in _VALUED:
            if not eq:
                if len(rest) < 2:
                    raise LeakguardError(f"sendmail: {name} needs a value")
                value = rest[1]
                rest = rest[1:]
            rest = rest[1:]
            setattr(opts, _VALUED[name], Path(value) if name == "--config" else value)
        elif head in _FLAGS:
            setattr(opts, _FLAGS[head], True)
            rest = rest[1:]
        elif head == "--":
            rest = rest[1:]
            break
        else:
            break
    if opts.lang not in ("zh", "en"):
        raise LeakguardError(f"sendmail: --lang must be zh or en, not {opts.lang!r}")
    if opts.fail_on not in (None, "warn", "block"):
        raise LeakguardError(f"sendmail: --fail-on must be warn or block, not {opts.fail_on!r}")
    return opts, rest


@cli.command("sendmail", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False,
                                           "help_option_names": ["--help"]})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@click.pass_context
def sendmail_cmd(ctx: click.Context, args: tuple[str, ...]) -> int:
    """A sendmail-compatible wrapper: check a mail on stdin, pass it on unchanged only if it is clean.

    \b
    leakguard sendmail [--sendmail PATH] [--to NAME] [--reason TEXT] [--interactive]
                       [--lang zh|en] [--fail-on warn|block] [--config FILE] [--] SENDMAIL-ARGS…

    The subject, the text and HTML parts and the attachment names are checked.  A clean message
    goes byte for byte to the real sendmail (--sendmail, else $LEAKGUARD_SENDMAIL, else
    /usr/sbin/sendmail) with SENDMAIL-ARGS.  A flagged one is not sent: it is saved in the
    user's data folder (held/) and the command says where, and how to send it with a reason
    (recorded in the audit log).  --interactive asks on the terminal instead.  If leakguard
    itself fails the message is held too (fail closed); LEAKGUARD_BYPASS=1 sends without checking.

    \b
    Examples (muttrc / msmtp):
      set sendmail="leakguard sendmail --sendmail /usr/bin/msmtp --"
      set sendmail="leakguard sendmail --interactive --"
      leakguard sendmail --reason '已获授权：领导同意转发' -- -t < ~/.local/share/leakguard/held/….eml
    """
    opts, rest = parse_mail_args(args)
    real = opts.sendmail or os.environ.get("LEAKGUARD_SENDMAIL") or DEFAULT_SENDMAIL
    raw = sys.stdin.buffer.read()
    if os.environ.get("LEAKGUARD_BYPASS") == "1":
        bypass(["<mail>"], opts.to)
        return deliver(real, rest, raw)
    decision: list[int] = []

    def run() -> int:
        decision.append(_mail_decision(ctx, opts, raw, rest))
        return decision[0]

    def keep() -> str:
        from ..hooks import hold

        return f"; the message was NOT sent and is saved in {hold(raw)}"

    hint = f"{ENV_BYPASS} leakguard sendmail {_resend(rest, opts.sendmail)} < (the saved file)"
    rv = fail_closed(run, hint, on_error=keep, announce=False)
    if decision and decision[0] == EXIT_OK:
        return deliver(real, rest, raw)
    return rv


def _mail_decision(ctx: click.Context, opts: MailOptions, raw: bytes, rest: list[str]) -> int:
    """EXIT_OK to send; otherwise the message is held and EXIT_FLAGGED returned."""
    from ..hooks import hold, mail_text
    from ..render.text import render_verdict

    env = prepare(ctx, opts.config, opts.no_config, None, (), (), opts.lang, opts.fail_on)
    lang = env.lang
    text = mail_text(raw)
    v = env.filter("<mail>", text, env.scanner.check(text, to=opts.to, lang=lang))
    if _ORDER[v.verdict] < _ORDER[env.fail_on]:
        return EXIT_OK
    click.echo(render_verdict(text, v, "<mail>", lang), err=True)
    if opts.reason:
        _audit(env, text, v, reason_key(opts.reason), opts.reason, opts.to)
        return EXIT_OK
    if opts.interactive and _ask_on_tty(env, text, v, opts.to, lang):
        return EXIT_OK
    import shlex

    held = hold(raw)
    if lang == "zh":
        click.echo(f"leakguard: 邮件未发送，已保存到 {held}\n  修改后重新发送；或说明理由后发送："
                   f"leakguard sendmail --reason '理由' {_resend(rest, opts.sendmail)} < {shlex.quote(str(held))}", err=True)
    else:
        click.echo(f"leakguard: the message was NOT sent; it is saved in {held}\n  edit and resend it, or send it "
                   f"with a reason: leakguard sendmail --reason 'why' {_resend(rest, opts.sendmail)} < {shlex.quote(str(held))}",
                   err=True)
    return EXIT_FLAGGED


def reason_key(reason: str) -> str:
    """The reason list's key for a free-text --reason that starts with one of its labels."""
    from ..audit import REASONS

    low = reason.strip().lower()
    for key, zh, en in REASONS[:-1]:
        if low.startswith((zh, en.lower(), key)):
            return key
    return "other"


def _resend(rest: list[str], sendmail: str | None = None) -> str:
    import shlex

    own = f"--sendmail {shlex.quote(sendmail)} " if sendmail else ""
    return own + ("-- " + shlex.join(rest) if rest else "")


def _ask_on_tty(env: Env, text: str, v: Verdict, to: str | None, lang: str) -> bool:
    from .decide import _TEXT, Console, ask_reason

    try:
        tty = open("/dev/tty", "r+", encoding="utf-8")  # noqa: SIM115
    except OSError:
        return False
    with tty:
        con = Console(tty, tty, lang)
        t = _TEXT[lang]
        choice = con.menu(t["head"].format(n=len(v.findings), verdict=v.verdict), [t["cancel"], t["send"]])
        if choice != 2:
            return False
        reason = ask_reason(con)
        if reason is None:
            return False
        _audit(env, text, v, reason[0], reason[1], to)
        return True


def _audit(env: Env, text: str, v: Verdict, reason: str, note: str, to: str | None) -> None:
    from .. import audit
    from ..redact import redact
    from .decide import _line_of

    safe = redact(text, env.scanner, to=to, lang=env.lang, verdict=v).text
    path = audit.append(audit.make_entry(text, v, reason, note, "<mail>", to, masked_excerpt=_line_of(safe, v)))
    click.echo(f"leakguard: override recorded in {path}", err=True)


def deliver(sendmail: str, args: list[str], raw: bytes) -> int:
    """Hand the message, unchanged, to the real sendmail; its exit code is ours."""
    import subprocess

    try:
        return subprocess.run([sendmail, *args], input=raw, check=False).returncode
    except OSError as e:
        from ..hooks import hold

        held = hold(raw)
        click.echo(f"leakguard: cannot run {sendmail} ({e.strerror or e}); the message was NOT sent and is "
                   f"saved in {held}", err=True)
        return EXIT_USAGE
