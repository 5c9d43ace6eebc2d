"""Pre-send integrations end to end: real git hooks in a temp repository, the sendmail wrapper
against a fake sendmail, and fail-closed hook mode."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from leakguard.cli import main
from leakguard.cli.hook import parse_mail_args
from leakguard.hooks import BACKUP_SUFFIX, commit_message_text, hook_script, html_text, mail_text
from leakguard.scanner import Scanner

LEAK = "交办单拍给你们看看，别外传"
CLEAN = "明天上午九点开会，请准时参加"
ID = "11010519491231002X"
LEAKGUARD = f"{sys.executable} -m leakguard"

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "data"
    monkeypatch.setenv("LEAKGUARD_DATA_DIR", str(d))
    monkeypatch.delenv("LEAKGUARD_BYPASS", raising=False)
    monkeypatch.delenv("LEAKGUARD_SENDMAIL", raising=False)
    monkeypatch.chdir(tmp_path)  # no settings file of the developer's checkout applies
    return d


# ----------------------------------------------------------------------------- git


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LEAKGUARD": LEAKGUARD, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo.parent),
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, env=env, check=check)


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    r = tmp_path / "repo"
    r.mkdir()
    git(r, "init", "-q")
    return r


def commits(repo: Path) -> int:
    p = git(repo, "rev-list", "--count", "HEAD", check=False)
    return int(p.stdout) if p.returncode == 0 else 0


def add(repo: Path, name: str, text: str) -> None:
    (repo / name).write_text(text, encoding="utf-8")
    git(repo, "add", name)


@needs_git
def test_hook_blocks_a_leak_passes_clean_text_and_no_verify_still_works(repo: Path) -> None:
    assert main(["hook", "install", "--repo", str(repo)]) == 0
    add(repo, "clean.txt", CLEAN)
    ok = git(repo, "commit", "-qm", "clean", check=False)
    assert ok.returncode == 0, ok.stderr
    assert commits(repo) == 1
    add(repo, "leak.md", "# 周报\n" + LEAK + "\n")
    blocked = git(repo, "commit", "-qm", "weekly", check=False)
    assert blocked.returncode != 0 and commits(repo) == 1
    out = blocked.stdout + blocked.stderr
    assert "leak.md:2:1  DOC101" in out and "git commit --no-verify" in out
    assert (repo / "leak.md").read_text(encoding="utf-8").endswith(LEAK + "\n")  # the text is where it was
    assert git(repo, "diff", "--cached", "--name-only").stdout.strip() == "leak.md"  # still staged
    forced = git(repo, "commit", "--no-verify", "-qm", "weekly", check=False)
    assert forced.returncode == 0 and commits(repo) == 2


@needs_git
def test_hook_checks_the_staged_content_not_the_working_tree(repo: Path) -> None:
    main(["hook", "install", "--repo", str(repo)])
    add(repo, "a.txt", LEAK)
    (repo / "a.txt").write_text(CLEAN, encoding="utf-8")  # fixed in the tree, but not staged
    assert git(repo, "commit", "-qm", "x", check=False).returncode != 0
    git(repo, "add", "a.txt")
    assert git(repo, "commit", "-qm", "x", check=False).returncode == 0


@needs_git
def test_commit_msg_hook(repo: Path) -> None:
    main(["hook", "install", "--repo", str(repo)])
    add(repo, "a.txt", CLEAN)
    p = git(repo, "commit", "-qm", "讨论稿发你看看，别外传", check=False)
    assert p.returncode != 0 and "DEC102" in p.stdout + p.stderr and commits(repo) == 0
    assert git(repo, "commit", "-qm", "add notes", check=False).returncode == 0


def test_commit_message_comments_are_ignored_but_lines_kept() -> None:
    raw = "标题\n# 交办单拍给你们\n正文\n# ------------------------ >8 ------------------------\n+交办单\n"
    assert commit_message_text(raw) == "标题\n\n正文"


@needs_git
def test_binary_files_are_skipped_and_named(repo: Path) -> None:
    main(["hook", "install", "--repo", str(repo)])
    (repo / "img.bin").write_bytes(b"\x89PNG\0\0" + LEAK.encode())
    git(repo, "add", "img.bin")
    p = git(repo, "commit", "-qm", "img", check=False)
    assert p.returncode == 0 and "img.bin: not checked (binary" in p.stderr


@needs_git
def test_existing_hook_is_not_overwritten_without_force_and_is_restored(
        repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hooks = repo / ".git" / "hooks"
    marker = tmp_path / "legacy-ran"
    mine = f"#!/bin/sh\necho ran >> '{marker}'\nexit 0\n"
    (hooks / "pre-commit").write_text(mine, encoding="utf-8")
    (hooks / "pre-commit").chmod(0o755)
    assert main(["hook", "install", "--repo", str(repo)]) == 2
    err = capsys.readouterr().err
    assert "already installed" in err and "--force" in err and len(err.strip().splitlines()) == 1
    assert (hooks / "pre-commit").read_text(encoding="utf-8") == mine
    assert not (hooks / "commit-msg").exists()  # nothing half-installed
    assert main(["hook", "install", "--repo", str(repo), "--force"]) == 0
    assert (hooks / ("pre-commit" + BACKUP_SUFFIX)).read_text(encoding="utf-8") == mine
    # the old hook still runs after a clean check, and not after a blocked one
    add(repo, "a.txt", CLEAN)
    assert git(repo, "commit", "-qm", "a", check=False).returncode == 0
    assert marker.read_text() == "ran\n"
    add(repo, "b.txt", LEAK)
    assert git(repo, "commit", "-qm", "b", check=False).returncode != 0
    assert marker.read_text() == "ran\n"
    # reinstalling over our own hook is fine and keeps the backup
    assert main(["hook", "install", "--repo", str(repo)]) == 0
    assert main(["hook", "uninstall", "--repo", str(repo)]) == 0
    assert (hooks / "pre-commit").read_text(encoding="utf-8") == mine
    assert not (hooks / ("pre-commit" + BACKUP_SUFFIX)).exists() and not (hooks / "commit-msg").exists()


@needs_git
def test_uninstall_leaves_a_foreign_hook_alone(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hook = repo / ".git" / "hooks" / "commit-msg"
    hook.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    assert main(["hook", "uninstall", "--repo", str(repo)]) == 0
    assert "left alone" in capsys.readouterr().out and hook.exists()


@needs_git
def test_a_failing_leakguard_blocks_the_commit(repo: Path, tmp_path: Path) -> None:
    main(["hook", "install", "--repo", str(repo)])
    broken = tmp_path / "broken-leakguard"
    broken.write_text("#!/bin/sh\necho 'leakguard: internal error: boom' >&2\nexit 3\n", encoding="utf-8")
    broken.chmod(0o755)
    add(repo, "a.txt", CLEAN)
    env = {**os.environ, "LEAKGUARD": str(broken), "HOME": str(tmp_path), "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@x.invalid", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@x.invalid"}
    p = subprocess.run(["git", "-C", str(repo), "commit", "-qm", "a"], capture_output=True, text=True, env=env,
                       check=False)
    assert p.returncode != 0 and commits(repo) == 0
    assert "the check failed (exit 3) — commit blocked (fail closed)" in p.stderr
    assert "git commit --no-verify" in p.stderr


def test_hook_script_shape() -> None:
    for hook in ("pre-commit", "commit-msg"):
        s = hook_script(hook)
        assert s.startswith("#!/bin/sh\n# leakguard-hook v1") and "python3 -m leakguard" in s
        assert f'"$@" hook run {hook}' in s and "git commit --no-verify" in s


# ----------------------------------------------------------------------------- fail closed in process


def boom(*_: Any, **__: Any) -> Any:
    raise RuntimeError("simulated crash")


def test_check_hook_fails_closed_on_an_internal_error(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(Scanner, "check", boom)
    assert main(["check", "--text", CLEAN]) == 3  # outside hook mode: an internal error
    capsys.readouterr()
    assert main(["check", "--hook", "--text", CLEAN]) == 1  # hook mode: a block
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "blocked (fail closed)" in err and "simulated crash" in err
    assert err.endswith("to send anyway: LEAKGUARD_BYPASS=1")
    assert main(["check", "--hook", "--bypass-hint", "git commit --no-verify", "--text", CLEAN]) == 1
    assert capsys.readouterr().err.strip().endswith("to send anyway: git commit --no-verify")


def test_check_hook_input_error_also_names_the_bypass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--hook", str(tmp_path / "missing.txt")]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "missing.txt" in err and "LEAKGUARD_BYPASS=1" in err


@needs_git
def test_hook_run_fails_closed(repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    add(repo, "a.txt", CLEAN)
    monkeypatch.chdir(repo)
    assert main(["hook", "run", "pre-commit"]) == 0
    monkeypatch.setattr(Scanner, "check", boom)
    assert main(["hook", "run", "pre-commit"]) == 1
    assert "git commit --no-verify" in capsys.readouterr().err


# ----------------------------------------------------------------------------- sendmail


def message(body: str, subject: str = "周报", html: str | None = None) -> bytes:
    m = EmailMessage()
    m["Subject"], m["From"], m["To"] = subject, "me@example.invalid", "you@example.invalid"
    m.set_content(body)
    if html is not None:
        m.add_alternative(html, subtype="html")
    return bytes(m)


@pytest.fixture()
def fake_sendmail(tmp_path: Path) -> Path:
    script = tmp_path / "fake-sendmail"
    script.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > '{tmp_path}/sent.args'\ncat > '{tmp_path}/sent.eml'\n",
                      encoding="utf-8")
    script.chmod(0o755)
    return script


def sendmail(monkeypatch: pytest.MonkeyPatch, raw: bytes, *argv: str) -> int:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    return main(["sendmail", *argv])


def test_clean_mail_arrives_byte_identical_with_its_arguments(
        fake_sendmail: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = message(CLEAN)
    assert sendmail(monkeypatch, raw, "--sendmail", str(fake_sendmail), "-oi", "-f", "me", "--", "you@x") == 0
    assert (tmp_path / "sent.eml").read_bytes() == raw
    assert (tmp_path / "sent.args").read_text().split("\n")[:-1] == ["-oi", "-f", "me", "--", "you@x"]


def test_blocked_mail_is_held_not_lost(fake_sendmail: Path, tmp_path: Path, data_dir: Path,
                                       monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    raw = message("plain part", html=f"<p>各位：</p><p>{LEAK}</p><script>var x=1</script>")
    monkeypatch.setenv("LEAKGUARD_SENDMAIL", str(fake_sendmail))
    assert sendmail(monkeypatch, raw, "-oi", "you@x") == 1
    assert not (tmp_path / "sent.eml").exists()
    [held] = list((data_dir / "held").iterdir())
    assert held.read_bytes() == raw and oct(held.stat().st_mode & 0o777) == "0o600"
    err = capsys.readouterr().err
    assert "DOC101" in err and str(held) in err and "leakguard sendmail --reason" in err
    # sending the held message with a reason: delivered unchanged and audited
    assert sendmail(monkeypatch, held.read_bytes(), "--reason", "已获授权：主任同意", "--", "-oi", "you@x") == 0
    assert (tmp_path / "sent.eml").read_bytes() == raw
    log = (data_dir / "audit.jsonl").read_text(encoding="utf-8")
    assert '"reason": "authorised"' in log and '"source": "<mail>"' in log


def test_sendmail_fails_closed_and_keeps_the_message(fake_sendmail: Path, tmp_path: Path, data_dir: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(Scanner, "check", boom)
    raw = message(CLEAN)
    assert sendmail(monkeypatch, raw, "--sendmail", str(fake_sendmail), "--", "you@x") == 1
    assert not (tmp_path / "sent.eml").exists()
    [held] = list((data_dir / "held").iterdir())
    assert held.read_bytes() == raw
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "fail closed" in err and str(held) in err and "LEAKGUARD_BYPASS=1" in err
    monkeypatch.setenv("LEAKGUARD_BYPASS", "1")
    assert sendmail(monkeypatch, raw, "--sendmail", str(fake_sendmail), "--", "you@x") == 0
    assert (tmp_path / "sent.eml").read_bytes() == raw


def test_missing_real_sendmail_keeps_the_message(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    raw = message(CLEAN)
    assert sendmail(monkeypatch, raw, "--sendmail", str(tmp_path / "nope")) == 2
    [held] = list((data_dir / "held").iterdir())
    assert held.read_bytes() == raw and "NOT sent" in capsys.readouterr().err


def test_sendmail_end_to_end_in_a_subprocess(fake_sendmail: Path, tmp_path: Path) -> None:
    raw = message(f"名单：{ID}，确诊，别外传", subject="=?utf-8?b?5ZCN5Y2V?=")
    p = subprocess.run([sys.executable, "-m", "leakguard", "sendmail", "--sendmail", str(fake_sendmail), "-t"],
                       input=raw, capture_output=True, env={**os.environ}, check=False)
    assert p.returncode == 1 and not (tmp_path / "sent.eml").exists()
    assert ID.encode() not in p.stderr and b"1101**********002X" in p.stderr


def test_mail_text_reads_subject_parts_and_attachment_names() -> None:
    m = EmailMessage()
    m["Subject"] = "请看附件"
    m.set_content("正文一行")
    m.add_alternative("<div>网页<b>正文</b><style>p{}</style></div>", subtype="html")
    m.add_attachment(b"\x89PNG", maintype="image", subtype="png", filename="交办单.png")
    text = mail_text(bytes(m))
    assert "请看附件" in text and "正文一行" in text and "网页正文" in text and "附件：交办单.png" in text
    assert "p{}" not in text and "\x89PNG" not in text


def test_html_text_breaks_blocks() -> None:
    assert html_text("<p>一</p><p>二<br>三</p>").split() == ["一", "二", "三"]


def test_mail_args_parsing() -> None:
    opts, rest = parse_mail_args(("--sendmail", "/x", "--to=家族群", "--interactive", "-oi", "--", "a@b"))
    assert (opts.sendmail, opts.to, opts.interactive, rest) == ("/x", "家族群", True, ["-oi", "--", "a@b"])
    opts, rest = parse_mail_args(("--reason", "误报", "--", "-t"))
    assert opts.reason == "误报" and rest == ["-t"]
