"""leakguard never opens a network connection: every command runs with sockets blocked.

One subprocess replaces ``socket.socket``, ``socket.create_connection``, ``getaddrinfo`` and
the other resolver/connection entry points (in ``socket`` and ``_socket``) with functions
that log the attempt and raise, then runs a plan of CLI invocations through
``leakguard.cli.main``: every command and subcommand of the click group (found by walking
the group, so a new command is covered by ``--help`` and a bare run without any change
here), ``check`` in every ``--format`` on stdin, on a photo (OCR) and on the Word / Excel /
PDF fixtures, ``scan`` of every export fixture family in every ``--format`` (HTML and any
added later included), cases/rules with ``show``, eval, and the hook, sendmail, baseline,
audit and redact commands when they exist.  The test fails if anything tried a socket.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest

ROOT = Path(__file__).parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
RISKY = "交办单拍给你们看看，别外传"
MAIL = (
    "From: a@example.invalid\nTo: b@example.invalid\nSubject: 周报\n"
    "Content-Type: text/plain; charset=utf-8\n\n{body}\n"
)

RUNNER = r"""
import io, json, os, sys
import socket, _socket

LOG = os.environ["LG_NET_LOG"]

def note(what):
    with open(LOG, "a", encoding="utf-8") as f:
        f.write(what + "\n")

def refuse(name):
    def blocked(*args, **kwargs):
        note(name)
        raise OSError(f"network blocked by the test ({name})")
    return blocked

class BlockedSocket(socket.socket):
    def __init__(self, *args, **kwargs):
        refuse("socket.socket")()

socket.socket = socket.SocketType = _socket.socket = BlockedSocket
for mod in (socket, _socket):
    for name in ("create_connection", "create_server", "getaddrinfo", "gethostbyname", "gethostbyname_ex",
                 "gethostbyaddr", "getnameinfo", "socketpair", "fromfd"):
        if hasattr(mod, name):
            setattr(mod, name, refuse(f"{mod.__name__}.{name}"))

from leakguard.cli import main

plan = json.load(open(sys.argv[1], encoding="utf-8"))
results = []
real = sys.stdin, sys.stdout, sys.stderr
for step in plan:
    os.chdir(step["cwd"])
    sys.stdin = io.TextIOWrapper(io.BytesIO(step["stdin"].encode()), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace")
    sys.stderr = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace")
    try:
        code = main(step["args"])
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
    finally:
        sys.stdout.flush(); sys.stderr.flush()
        err = sys.stderr.buffer.getvalue().decode("utf-8", "replace")
        sys.stdin, sys.stdout, sys.stderr = real
    results.append({"args": step["args"], "code": code, "stderr": err[-1500:]})
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(results, f, ensure_ascii=False)
"""


def command_paths() -> list[tuple[str, ...]]:
    """Every command and subcommand of the CLI, walked from the click group."""
    from leakguard.cli import _register, cli

    _register()
    ctx = click.Context(cli)
    out: list[tuple[str, ...]] = []

    def walk(group: click.Group, prefix: tuple[str, ...]) -> None:
        for name in group.list_commands(ctx):
            cmd = group.get_command(ctx, name)
            assert cmd is not None
            out.append((*prefix, name))
            if isinstance(cmd, click.Group):
                walk(cmd, (*prefix, name))

    walk(cli, ())
    return out


def choices(path: tuple[str, ...], option: str) -> tuple[str, ...]:
    """The choices of a command's option (e.g. every --format), read from click."""
    from leakguard.cli import cli

    cmd: Any = cli
    ctx = click.Context(cli)
    for name in path:
        cmd = cmd.get_command(ctx, name)
    for p in cmd.params:
        if isinstance(p, click.Option) and option in p.opts and isinstance(p.type, click.Choice):
            return tuple(p.type.choices)
    return ()


def has_option(path: tuple[str, ...], option: str) -> bool:
    from leakguard.cli import cli

    cmd: Any = cli
    for name in path:
        cmd = cmd.get_command(click.Context(cli), name)
    return any(option in p.opts for p in cmd.params if isinstance(p, click.Option))


def step(args: list[str], cwd: Path, stdin: str = "") -> dict[str, Any]:
    return {"args": args, "cwd": str(cwd), "stdin": stdin}


def build_plan(work: Path, paths: list[tuple[str, ...]]) -> tuple[list[dict[str, Any]], set[tuple[str, ...]]]:
    """The invocations, and the command paths they exercise beyond --help."""
    from leakguard.cases import load_cases
    from leakguard.paths import data_dir
    from leakguard.scanner import Scanner

    draft = work / "draft.txt"
    draft.write_text(RISKY + "\n身份证 110101199003074578\n", encoding="utf-8")
    families = sorted(str(p) for p in (FIXTURES / "exports").iterdir() if p.is_dir())
    case_id = next(iter(load_cases([data_dir("seeds")]))).id
    code = Scanner.default().ruleset.rules[0].code
    plan = [step(["--help"], work), step(["--version"], work)]
    plan += [step([*p, "--help"], work) for p in paths]
    rich: dict[tuple[str, ...], list[dict[str, Any]]] = {
        ("check",): [step(["check", "--format", f], work, RISKY) for f in choices(("check",), "--format")]
        + [step(["check", "--text", RISKY, "--to", "家族群", "--explain", "--lang", "en"], work),
           step(["check", str(draft)], work)]
        + [step(["check", str(f)], work) for f in sorted((FIXTURES / "attachments").iterdir()) if f.suffix != ".md"],
        ("scan",): [step(["scan", "--format", f, "-o", str(work / f"report.{f}"), *families], work)
                    for f in choices(("scan",), "--format")]
        + [step(["scan", *families], work), step(["scan", "--list-formats"], work)],
        ("cases",): [step(["cases"], work), step(["cases", "--format", "json"], work)],
        ("cases", "show"): [step(["cases", "show", case_id], work), step(["cases", "show", case_id, "--lang", "en"], work)],
        ("rules",): [step(["rules"], work), step(["rules", "--format", "json"], work)],
        ("rules", "show"): [step(["rules", "show", code], work)],
        ("eval",): [step(["eval", str(FIXTURES / "core" / "eval_small.jsonl")], work),
                    step(["eval", str(FIXTURES / "core" / "eval_small.jsonl"), "--format", "json"], work)],
        ("sendmail",): [step(["sendmail", "--sendmail", "/bin/true", "--", "-t"], work, MAIL.format(body="周五交周报")),
                        step(["sendmail", "--sendmail", "/bin/true", "--", "-t"], work, MAIL.format(body=RISKY))],
        ("baseline", "create"): [step(["baseline", "create", str(work / "bl.json"), str(draft)], work)],
        ("baseline", "update"): [step(["baseline", "update", str(work / "bl.json"), str(draft)], work)],
        ("audit",): [step(["audit"], work), step(["audit", "--format", "jsonl"], work)],
        ("redact",): [step(["redact", str(draft)], work), step(["redact"], work, RISKY)],
    }
    repo = work / "repo"
    if shutil.which("git"):
        _git_repo(repo)
        rich[("hook", "install")] = [step(["hook", "install", "--repo", str(repo)], repo)]
        rich[("hook", "run")] = [step(["hook", "run", "pre-commit"], repo)]
        rich[("hook", "uninstall")] = [step(["hook", "uninstall", "--repo", str(repo)], repo)]
    if has_option(("check",), "--hook"):  # hook mode (fail closed)
        rich[("check",)] += [step(["check", "--hook", "--to", "家族群"], work, RISKY)]
    covered: set[tuple[str, ...]] = set()
    for path in paths:
        runs = rich.get(path) or [step(list(path), work, RISKY)]  # a new command: at least a bare run
        plan += runs
        covered.add(path)
    # commands of the table that no longer exist are dropped: the walk above is the truth
    return plan, covered


def _git_repo(repo: Path) -> None:
    repo.mkdir()
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
    for args in (["init", "-q"], ["config", "user.email", "t@example.invalid"], ["config", "user.name", "t"]):
        subprocess.run(["git", *args], cwd=repo, check=True, env=env, capture_output=True)
    (repo / "notes.md").write_text(RISKY + "\n", encoding="utf-8")
    subprocess.run(["git", "add", "notes.md"], cwd=repo, check=True, env=env, capture_output=True)


def test_no_command_opens_a_socket(tmp_path: Path) -> None:
    pytest.importorskip("rapidocr_onnxruntime", reason="the OCR extra is part of the commands exercised")
    work = tmp_path / "work"
    work.mkdir()
    paths = command_paths()
    plan, covered = build_plan(work, paths)
    assert set(paths) <= covered
    plan_file, results_file, log = tmp_path / "plan.json", tmp_path / "results.json", tmp_path / "net.log"
    plan_file.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "LG_NET_LOG": str(log), "PYTHONPATH": str(ROOT), "HOME": str(home),
           "XDG_DATA_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "config"),
           "LEAKGUARD_DATA_DIR": str(home / "leakguard"), "LEAKGUARD_SENDMAIL": "/bin/true",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
    for proxy in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        env.pop(proxy, None)
    proc = subprocess.run([sys.executable, "-c", RUNNER, str(plan_file), str(results_file)], env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    attempts = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    assert attempts == [], f"socket use attempted: {sorted(set(attempts))}"
    results = json.loads(results_file.read_text(encoding="utf-8"))
    assert len(results) == len(plan)
    for r in results:
        assert "Traceback" not in r["stderr"] and "internal error" not in r["stderr"], r
        assert r["code"] in (0, 1, 2), r
    by_args = {" ".join(r["args"]): r["code"] for r in results}
    assert by_args["check --format json"] == 1  # the invocations really checked something
    assert any(k.startswith("check ") and k.endswith("jiaoban.png") and v == 1 for k, v in by_args.items())
    for fmt in choices(("scan",), "--format"):
        assert (work / f"report.{fmt}").stat().st_size > 0


def test_the_blocker_catches_a_connection(tmp_path: Path) -> None:
    """The same runner really notices a connection attempt (so the test above can fail)."""
    log = tmp_path / "net.log"
    probe = RUNNER.split("from leakguard.cli import main")[0] + (
        "import urllib.request\n"
        "try:\n    urllib.request.urlopen('http://example.invalid/', timeout=1)\nexcept OSError:\n    pass\n"
        "try:\n    socket.create_connection(('127.0.0.1', 9))\nexcept OSError:\n    pass\n")
    subprocess.run([sys.executable, "-c", probe], env={**os.environ, "LG_NET_LOG": str(log)}, check=True, timeout=60)
    attempts = log.read_text(encoding="utf-8").splitlines()
    assert "socket.getaddrinfo" in attempts or "socket.create_connection" in attempts
    assert "socket.create_connection" in attempts
