"""`leakguard check`: check drafts before they are sent (the click command).

The command's work is :func:`leakguard.cli.checkrun.run_check`, shared with the click-free
fast path (``leakguard.cli.fast``); this module only declares the options.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from .app import cli
from .checkrun import run_check
from .common import guard_options, lang_given, lang_option, lexicon_options

if TYPE_CHECKING:
    from pathlib import Path


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
def check_cmd(
    ctx: click.Context,
    files: tuple[str, ...],
    texts: tuple[str, ...],
    to: str | None,
    fmt: str,
    fail_on: str | None,
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
    bypass_hint: str | None,
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
    return run_check(files, texts, to, fmt, fail_on, show_matches, explain, encoding, color, lang, lang_given(ctx),
                     lexicons, only, config, no_config, baseline, interactive, hook, bypass_hint)
