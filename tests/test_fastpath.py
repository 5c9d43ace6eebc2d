"""The click-free fast path of ``leakguard check`` gives exactly what the click CLI gives.

Every case runs the real entry point (``leakguard.cli.main()`` on ``sys.argv``, as the console
script does) twice in a subprocess: as is, and with ``LEAKGUARD_NO_FASTPATH=1`` (click).  Exit
code, stdout and stderr must be byte-identical, and a child reports which modules it loaded, so
each case also pins which path ran: the cases the fast path accepts must not load click (nor
the click command group), the ones it declines must go to click.  Faults (an internal error,
Ctrl-C, end of input inside the check) are injected by the child before it calls ``main``.
"""

from __future__ import annotations

import inspect
import os
import pty
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).parents[1]
ATT = Path(__file__).parent / "fixtures" / "attachments"

PLAIN = "各位同事好，明天上午九点在三楼会议室开部门例会，请大家准时参加。"
RISKY = "交办单拍给你们看看，别外传"
WARNISH = "县防控办的工作材料我转到老乡QQ群了，大家参考 [文件]"
FIGURES = "报销的事情找财务小李，她的分机是8023。新来的同事明天报到，工位在靠窗那一排。"
PII = "隔离点跑出来的那个人电话是13800138000，身份证110101199003074514，他是密接，大家注意"

CHILD = r"""
import os, sys
fault = os.environ.get("LG_TEST_FAULT")
if fault:
    import leakguard.scanner
    def check(*args, **kwargs):
        if fault == "interrupt":
            raise KeyboardInterrupt
        if fault == "eof":
            raise EOFError
        raise RuntimeError("simulated internal error")
    leakguard.scanner.Scanner.check = check
from leakguard.cli import main
try:
    raise SystemExit(main())
finally:
    loaded = [m for m in ("click", "leakguard.cli.app") if m in sys.modules]
    os.write(int(os.environ["LG_TEST_FD"]), " ".join(loaded).encode())
"""


@dataclass(frozen=True)
class Run:
    rc: int
    out: bytes
    err: bytes
    loaded: frozenset[str]  # of click, leakguard.cli.app

    @property
    def result(self) -> tuple[int, bytes, bytes]:
        return self.rc, self.out, self.err


def child(args: list[str], data: bytes = b"", cwd: Path | None = None, env: dict[str, str] | None = None,
          click: bool = False, stdout: int | None = None, **popen: Any) -> Run:
    r, w = os.pipe()
    full = {k: v for k, v in os.environ.items()
            if k not in ("LEAKGUARD_NO_FASTPATH", "LEAKGUARD_BYPASS", "PYTHONIOENCODING", "_LEAKGUARD_COMPLETE")}
    full |= {"PYTHONPATH": str(ROOT), "LG_TEST_FD": str(w), **(env or {})}
    if click:
        full["LEAKGUARD_NO_FASTPATH"] = "1"
    p = subprocess.Popen([sys.executable, "-c", CHILD, *args], stdin=popen.pop("stdin", subprocess.PIPE),
                         stdout=subprocess.PIPE if stdout is None else stdout,
                         stderr=popen.pop("stderr", subprocess.PIPE), cwd=cwd, env=full, pass_fds=(w,), **popen)
    os.close(w)
    out, err = p.communicate(data if p.stdin else None, timeout=120)
    with os.fdopen(r, "rb") as f:
        loaded = frozenset(f.read().decode().split())
    return Run(p.returncode, out or b"", err or b"", loaded)


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Folders with and without settings files, and input files of every kind."""
    base = tmp_path_factory.mktemp("fastpath")
    dirs = {name: base / name for name in ("plain", "toml", "pyproject", "allow", "bad", "files")}
    for d in dirs.values():
        d.mkdir()
    (dirs["toml"] / ".leakguard.toml").write_text(
        'lang = "en"\nfail_on = "block"\ndisable = ["DOC105", "NOPE999"]\ncolour = "red"\n', encoding="utf-8")
    (dirs["pyproject"] / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.leakguard]\nlang = "en"\n\n[tool.leakguard.thresholds]\nwarn = 2.0\n',
        encoding="utf-8")
    (dirs["allow"] / ".leakguard.toml").write_text('[allow]\nterms = ["交办单"]\n', encoding="utf-8")
    (dirs["bad"] / ".leakguard.toml").write_text('fail_on = "sometimes"\n', encoding="utf-8")
    files = dirs["files"]
    (files / "draft.txt").write_text(RISKY + "\n第二行：" + PII + "\n", encoding="utf-8")
    (files / "plain.txt").write_text(PLAIN, encoding="utf-8")
    (files / "gbk.txt").write_bytes(WARNISH.encode("gb18030"))
    (files / "bad.txt").write_bytes(b"\xff\xfe\xfa\x00\x81" * 3 + RISKY.encode("utf-8")[:4])
    (files / "ignored.txt").write_text(RISKY + "  # leakguard:ignore\n", encoding="utf-8")
    (files / "-dash.txt").write_text(RISKY, encoding="utf-8")
    (files / "sub").mkdir()
    for name in ("draft.docx", "corrupt.docx", "jiaoban.png"):
        shutil.copy(ATT / name, files / name)
    for name in ("lexicon_extra.toml", "lexicon_bad_syntax.toml"):
        shutil.copy(ROOT / "tests" / "fixtures" / "core" / name, files / name)
    return dirs


# (id, argv after "check", stdin, folder, extra environment)
ACCEPTED: list[tuple[str, list[str], str | bytes, str, dict[str, str]]] = [
    ("stdin-plain", [], PLAIN, "plain", {}),
    ("stdin-risky", [], RISKY, "plain", {}),
    ("stdin-figures", [], FIGURES, "plain", {}),
    ("stdin-pii-masked", [], PII, "plain", {}),
    ("stdin-pii-shown", ["--show-matches"], PII, "plain", {}),
    ("dash", ["-"], WARNISH, "plain", {}),
    ("json", ["--format", "json"], RISKY, "plain", {}),
    ("json-en-eq", ["--format=json", "--lang=en"], PII, "plain", {}),
    ("explain-en", ["--lang", "en", "--explain"], FIGURES, "plain", {}),
    ("explain-json", ["--explain", "--format", "json", "--show-matches"], PII, "plain", {}),
    ("to", ["--to", "家族群"], WARNISH, "plain", {}),
    ("to-eq-fail-on", ["--to=XX局工作群", "--fail-on", "block"], WARNISH, "plain", {}),
    ("fail-on-eq", ["--fail-on=block"], RISKY, "plain", {}),
    ("texts", ["--text", RISKY, "--text", PLAIN], "", "plain", {}),
    ("text-eq-empty", ["--text="], "", "plain", {}),
    ("text-file-stdin", ["--text", WARNISH, "files/draft.txt", "-"], PII, "", {}),
    ("files-json", ["files/draft.txt", "files/plain.txt", "--format", "json"], "", "", {}),
    ("gb18030", ["files/gbk.txt"], "", "", {}),
    ("encoding", ["--encoding", "gb18030", "files/gbk.txt"], "", "", {}),
    ("encoding-eq-utf8", ["--encoding=utf-8", "files/draft.txt"], "", "", {}),
    ("bad-encoding-name", ["--encoding", "klingon", "--text", PLAIN], "", "plain", {}),
    ("bad-bytes-file", ["files/bad.txt"], "", "", {}),
    ("bad-bytes-stdin", [], b"abc\xff\xc0\x80" + RISKY.encode("utf-8"), "plain", {}),
    ("empty-stdin", [], "", "plain", {}),
    ("missing-file", ["files/nope.txt"], "", "", {}),
    ("directory", ["files/sub"], "", "", {}),
    ("several-one-missing", ["files/plain.txt", "files/nope.txt", "files/draft.txt"], "", "", {}),
    ("inline-ignore", ["files/ignored.txt"], "", "", {}),
    ("double-dash", ["--to", "家族群", "--", "files/-dash.txt"], "", "", {}),
    ("value-like-option", ["--to", "--hook", "--text", "--explain"], "", "plain", {}),
    ("last-value-wins", ["--format", "json", "--format", "text", "--lang", "en", "--lang", "zh"], RISKY, "plain", {}),
    ("interspersed", ["files/plain.txt", "--lang", "en", "files/draft.txt", "--no-color"], "", "", {}),
    ("no-interactive", ["--no-interactive"], RISKY, "plain", {}),
    ("escape-in-text", [], "\x1b[31m" + RISKY + "\x1b[0m 文件", "plain", {}),
    ("escape-in-name", ["files/\x1b[1mnope.txt"], "", "", {}),
    ("docx", ["files/draft.docx"], "", "", {}),
    ("corrupt-docx", ["files/corrupt.docx", "files/plain.txt"], "", "", {}),
    ("photo", ["files/jiaoban.png"], "", "", {}),
    # an organisation's own lexicon
    ("lexicon", ["--lexicon", "files/lexicon_extra.toml"], "蓝鲸行动的材料先发你看", "", {}),
    ("lexicon-eq-twice", ["--lexicon=files/lexicon_extra.toml", "--lexicon", "files/lexicon_extra.toml"], RISKY,
     "", {}),
    ("only-lexicon", ["--only-lexicon", "files/lexicon_extra.toml", "--format", "json"], "蓝鲸行动，" + RISKY, "", {}),
    ("lexicon-missing", ["--lexicon", "files/nope.toml"], PLAIN, "", {}),
    ("lexicon-bad", ["--lexicon", "files/lexicon_bad_syntax.toml"], PLAIN, "", {}),
    ("lexicon-hook-bad", ["--hook", "--lexicon", "files/lexicon_bad_syntax.toml"], PLAIN, "", {}),
    ("lexicon-folder-settings", ["--lexicon", "files"], WARNISH, "toml", {}),
    # hook mode: fail closed, bypass
    ("hook-risky", ["--hook", "--to", "家族群"], RISKY, "plain", {}),
    ("hook-plain", ["--hook"], PLAIN, "plain", {}),
    ("pre-commit", ["--hook", "--no-interactive", "--bypass-hint", "git commit --no-verify", "files/draft.txt"],
     "", "", {}),
    ("hook-missing", ["--hook", "files/nope.txt"], "", "", {}),
    ("hook-bypass", ["--hook"], RISKY, "plain", {"LEAKGUARD_BYPASS": "1"}),
    ("hook-bypass-texts", ["--hook", "--text", RISKY, "--to", "家族群"], "", "plain", {"LEAKGUARD_BYPASS": "1"}),
    ("bypass-without-hook", [], RISKY, "plain", {"LEAKGUARD_BYPASS": "1"}),
    ("hook-internal-error", ["--hook"], RISKY, "plain", {"LG_TEST_FAULT": "boom"}),
    ("internal-error", [], RISKY, "plain", {"LG_TEST_FAULT": "boom"}),
    ("interrupt", [], RISKY, "plain", {"LG_TEST_FAULT": "interrupt"}),
    ("hook-interrupt", ["--hook"], RISKY, "plain", {"LG_TEST_FAULT": "interrupt"}),
    ("eof", ["--text", RISKY], "", "plain", {"LG_TEST_FAULT": "eof"}),
    ("hook-eof", ["--hook"], RISKY, "plain", {"LG_TEST_FAULT": "eof"}),
    # settings files
    ("settings", [], WARNISH, "toml", {}),
    ("settings-lang-given", ["--lang", "zh", "--format", "json"], RISKY, "toml", {}),
    ("settings-fail-on-given", ["--fail-on", "warn"], WARNISH, "toml", {}),
    ("no-config", ["--no-config"], RISKY, "toml", {}),
    ("pyproject", [], WARNISH, "pyproject", {}),
    ("allow-list", ["--explain"], RISKY, "allow", {}),
    ("bad-settings", [], RISKY, "bad", {}),
    ("bad-settings-hook", ["--hook"], RISKY, "bad", {}),
    ("bad-settings-no-config", ["--no-config"], RISKY, "bad", {}),
    ("c-locale", [], RISKY, "plain", {"LC_ALL": "C", "LANG": "C"}),
]


def _folder(place: dict[str, Path], key: str) -> Path:
    return place[key] if key else place["files"].parent


@pytest.mark.parametrize(("args", "stdin", "where", "env"), [c[1:] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED])
def test_fast_path_output_is_identical_to_click(place: dict[str, Path], tmp_path: Path, args: list[str],
                                                 stdin: str | bytes, where: str, env: dict[str, str]) -> None:
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    env = {"LEAKGUARD_DATA_DIR": str(tmp_path / "data"), **env}
    fast = child(["check", *args], data, _folder(place, where), env)
    slow = child(["check", *args], data, _folder(place, where), env, click=True)
    assert fast.result == slow.result
    assert slow.loaded == {"click", "leakguard.cli.app"}
    assert "leakguard.cli.app" not in fast.loaded, "the fast path did not take this command line"
    if b"\x1b" not in data and not any("\x1b" in a for a in args):  # ESC: the line goes to click.echo
        assert "click" not in fast.loaded
    assert b"Traceback" not in fast.err


def test_bypass_is_audited_on_the_fast_path(tmp_path: Path) -> None:
    env = {"LEAKGUARD_DATA_DIR": str(tmp_path), "LEAKGUARD_BYPASS": "1"}
    run = child(["check", "--hook", "--to", "家族群"], RISKY.encode(), tmp_path, env)
    assert run.rc == 0 and "click" not in run.loaded
    log = (tmp_path / "audit.jsonl").read_text(encoding="utf-8")
    assert '"bypass"' in log and "家族群" in log and RISKY not in log


@pytest.mark.parametrize("hook", [False, True], ids=["plain", "hook"])
def test_closed_stdout_pipe_is_handled_as_click_does(tmp_path: Path, hook: bool) -> None:
    runs = []
    for click in (False, True):
        r, w = os.pipe()
        os.close(r)  # nobody reads: the report's write fails with EPIPE
        try:
            runs.append(child(["check", *(["--hook"] if hook else []), "--text", RISKY], b"", tmp_path,
                              {"LEAKGUARD_DATA_DIR": str(tmp_path)}, click=click, stdout=w))
        finally:
            os.close(w)
    fast, slow = runs
    assert fast.result == slow.result and slow.rc != 0
    assert "leakguard.cli.app" not in fast.loaded and "leakguard.cli.app" in slow.loaded


# ----------------------------------------------------------------------------- what goes to click

DECLINED: list[tuple[str, list[str], dict[str, str]]] = [
    ("no-command", [], {}),
    ("version", ["--version"], {}),
    ("other-command", ["rules", "show", "DOC101"], {}),
    ("check-help", ["check", "--help"], {}),
    ("check-h", ["check", "-h"], {}),
    ("option-before-command", ["-h", "check"], {}),
    ("unknown-option", ["check", "--no-such-option", "--text", PLAIN], {}),
    ("misspelt-option", ["check", "--fromat", "json", "--text", PLAIN], {}),
    ("missing-value", ["check", "--text", PLAIN, "--to"], {}),
    ("flag-with-value", ["check", "--hook=yes", "--text", PLAIN], {}),
    ("bad-choice", ["check", "--format", "JSON", "--text", PLAIN], {}),
    ("sarif", ["check", "--format", "sarif", "--text", RISKY], {}),
    ("color", ["check", "--color", "--text", RISKY], {}),
    ("interactive", ["check", "--interactive", "--text", PLAIN], {}),
    ("config", ["check", "--config", "nope.toml", "--text", PLAIN], {}),
    ("non-utf8-stdout", ["check", "--text", RISKY], {"PYTHONIOENCODING": "latin-1"}),
    ("ascii-stdout", ["check", "--text", PLAIN], {"PYTHONIOENCODING": "ascii"}),
    ("debug", ["check", "--text", PLAIN], {"LEAKGUARD_DEBUG": "1"}),
    ("completion", ["check", "--te"], {"_LEAKGUARD_COMPLETE": "bash_complete", "COMP_WORDS": "leakguard check --te",
                                        "COMP_CWORD": "2"}),
]


@pytest.mark.parametrize(("args", "env"), [c[1:] for c in DECLINED], ids=[c[0] for c in DECLINED])
def test_other_command_lines_go_to_click(tmp_path: Path, args: list[str], env: dict[str, str]) -> None:
    run = child(args, b"", tmp_path, env)
    assert "leakguard.cli.app" in run.loaded, "the fast path took a command line it must leave to click"
    assert run.result == child(args, b"", tmp_path, env, click=True).result


def test_check_help_is_clicks_help(tmp_path: Path) -> None:
    run = child(["check", "--help"], b"", tmp_path)
    assert run.rc == 0 and run.out.startswith(b"Usage: leakguard check [OPTIONS] [FILES]...")
    assert b"--hook" in run.out and b"--bypass-hint" not in run.out  # click's help, hidden option hidden


def test_a_terminal_for_the_prompt_goes_to_click(tmp_path: Path) -> None:
    """stdin and stderr on a terminal: the check could ask 取消/修改/说明理由 — click's path."""
    try:
        main, tty = pty.openpty()
    except OSError as e:
        pytest.skip(f"no pseudo-terminal: {e}")
    try:
        run = child(["check", "--text", PLAIN], b"", tmp_path, stdin=tty, stderr=tty)
    finally:
        os.close(tty)
        os.close(main)
    assert run.rc == 0 and "leakguard.cli.app" in run.loaded


def test_no_fastpath_variable_forces_click(tmp_path: Path) -> None:
    assert "click" in child(["check", "--text", PLAIN], b"", tmp_path, click=True).loaded
    assert "click" not in child(["check", "--text", PLAIN], b"", tmp_path).loaded


# ----------------------------------------------------------------------------- the real entry points


def _imports(cmd: list[str], tmp_path: Path, stdin: bytes) -> tuple[int, bytes, set[str]]:
    env = {k: v for k, v in os.environ.items() if k != "LEAKGUARD_NO_FASTPATH"}
    env |= {"PYTHONPATH": str(ROOT), "PYTHONPROFILEIMPORTTIME": "1"}
    p = subprocess.run(cmd, input=stdin, capture_output=True, cwd=tmp_path, env=env, timeout=60,
                       check=False)
    mods = {line.rsplit("|", 1)[1].strip() for line in p.stderr.decode().splitlines()
            if line.startswith("import time:") and "|" in line}
    return p.returncode, p.stdout, mods


def test_python_m_leakguard_takes_the_fast_path(tmp_path: Path) -> None:
    rc, out, mods = _imports([sys.executable, "-m", "leakguard", "check"], tmp_path, RISKY.encode())
    assert rc == 1 and b"DOC101" in out
    assert "leakguard.scanner" in mods and not {"click", "leakguard.cli.app"} & mods
    rc, out, mods = _imports([sys.executable, "-m", "leakguard", "check", "--help"], tmp_path, b"")
    assert rc == 0 and b"Usage:" in out and "click" in mods


def test_console_script_takes_the_fast_path(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("leakguard")
    if not script.exists():
        pytest.skip("leakguard console script not installed next to this Python")
    rc, out, mods = _imports([str(script), "check", "--format", "json"], tmp_path, RISKY.encode())
    assert rc == 1 and b'"DOC101"' in out
    assert "leakguard.scanner" in mods and not {"click", "leakguard.cli.app"} & mods


# ----------------------------------------------------------------------------- the grammar, against click's parser

TOKENS = ["--to", "--to=家族群", "家族群", "-家族群", "--text", "--text=交办单", "--text=", "交办单", "--format", "json",
          "text", "sarif", "JSON", "--format=json", "--lang", "en", "zh", "--lang=zh", "--fail-on", "block", "warn",
          "--fail-on=warn", "--hook", "--no-config", "--explain", "--show-matches", "--no-interactive", "--no-color",
          "--encoding", "gb18030", "--encoding=utf-8", "--bypass-hint", "-", "--", "a.txt", "a=b.txt", "", "-x",
          "--hook=1", "--help", "-h", "--color", "--interactive", "--config", "--lexicon", "--to=", "--to=a=b", "--t", "=",
          "---", "--lexicon=x.toml", "--only-lexicon", "x.toml", "--only-lexicon=", "--lex"]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=9))
def test_parse_reads_what_click_reads(tokens: list[str]) -> None:
    """Whatever the fast path accepts, click's own parser reads the same way (the reverse need not
    hold: the fast path may leave a valid command line to click)."""
    from leakguard.cli.check import check_cmd
    from leakguard.cli.checkrun import run_check
    from leakguard.cli.fast import parse

    opts = parse(["check", *tokens])
    if opts is None:
        return
    import click

    ctx = check_cmd.make_context("check", list(tokens))  # raises if click would refuse the line
    got = {name: p.default for name, p in inspect.signature(run_check).parameters.items()} | opts
    for key in ("lexicons", "only"):  # given as strings (click makes Paths of them: same files)
        got[key] = tuple(map(Path, got[key]))
    want = dict(ctx.params)
    want["lang_given"] = ctx.get_parameter_source("lang") is click.core.ParameterSource.COMMANDLINE
    assert got == want


def test_parse_examples() -> None:
    from leakguard.cli.fast import parse

    assert parse(["check"]) == {"files": (), "texts": ()}
    assert parse(["check", "--to=家族群", "-", "--hook", "--text", "a", "--lang", "en", "--", "--x"]) == {
        "to": "家族群", "hook": True, "lang": "en", "lang_given": True, "files": ("-", "--x"), "texts": ("a",)}
    for declined in (["scan"], ["check", "-h"], ["check", "--to"], ["check", "--format", "sarif"],
                     ["check", "--explain=yes"], ["check", "--interactive"], ["check", "--config", "x"], []):
        assert parse(declined) is None, declined


# ----------------------------------------------------------------------------- a terminal on stdout


def test_colours_are_written_as_click_style_writes_them() -> None:
    import click

    from leakguard.cli.output import style

    for fg in (None, "red", "green", "yellow", "blue", "bright_red"):
        for bold in (None, True, False):
            kw = {k: v for k, v in (("fg", fg), ("bold", bold)) if v is not None}
            assert style("交办单 x", **kw) == click.style("交办单 x", **kw), kw
    assert style("x", fg="red", underline=True) == click.style("x", fg="red", underline=True)


def _on_a_terminal(args: list[str], data: bytes, cwd: Path, click: bool) -> tuple[Run, bytes]:
    """Run with stdout on a pseudo-terminal; what the terminal received."""
    import threading

    main, tty = pty.openpty()
    got: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # EIO: the child closed the terminal
                return
            if not chunk:
                return
            got.append(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        run = child(args, data, cwd, click=click, stdout=tty)
    finally:
        os.close(tty)
        reader.join(timeout=30)
        os.close(main)
    return run, b"".join(got)


@pytest.mark.parametrize(("args", "stdin"), [([], RISKY), ([], PLAIN), (["--lang", "en", "--explain"], PII),
                                             (["--format", "json"], RISKY), (["--hook", "--to", "家族群"], RISKY),
                                             ([], "\x1b[31m" + RISKY)])
def test_a_terminal_on_stdout_gets_what_click_writes(tmp_path: Path, args: list[str], stdin: str) -> None:
    """`echo draft | leakguard check` typed at a shell: the report on a terminal, in colour."""
    try:
        fast, fast_tty = _on_a_terminal(["check", *args], stdin.encode(), tmp_path, click=False)
        slow, slow_tty = _on_a_terminal(["check", *args], stdin.encode(), tmp_path, click=True)
    except OSError as e:
        pytest.skip(f"no pseudo-terminal: {e}")
    assert (fast.rc, fast.err, fast_tty) == (slow.rc, slow.err, slow_tty)
    assert "leakguard.cli.app" not in fast.loaded and "click" not in fast.loaded
    assert fast_tty and (b"\x1b[" in fast_tty) == ("--format" not in args)
