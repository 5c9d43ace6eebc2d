"""Pre-send integrations: git hooks and the sendmail wrapper (library side; CLI in cli/hook.py).

Git: ``leakguard hook install`` writes small ``pre-commit`` and ``commit-msg`` shell scripts
that run ``leakguard hook run …`` (``leakguard`` on PATH, else ``python3 -m leakguard``;
``$LEAKGUARD`` overrides the command).  An existing hook is never overwritten without
``--force``, which keeps it as ``<hook>.leakguard-backup``; our script runs that backup after
a clean check, and ``uninstall`` puts it back.  Any failure of leakguard blocks the commit
(fail closed) and the message names the bypass, ``git commit --no-verify``.

Mail: :func:`mail_text` is what a message says (subject, text and HTML parts, attachment
names); :func:`hold` keeps a blocked message in the user's data folder, so it is never lost.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
from collections.abc import Callable
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from .model import LeakguardError

MARKER = "# leakguard-hook v1"
HOOKS = ("pre-commit", "commit-msg")
BACKUP_SUFFIX = ".leakguard-backup"
MAX_STAGED_BYTES = 5_000_000  # larger staged files are skipped (named on stderr)
_SCISSORS = "------------------------ >8 ------------------------"

_FIND_LEAKGUARD = """\
if [ -n "${LEAKGUARD:-}" ]; then
  set -- $LEAKGUARD
elif command -v leakguard >/dev/null 2>&1; then
  set -- leakguard
elif python3 -c 'import leakguard' >/dev/null 2>&1; then
  set -- python3 -m leakguard
else
  echo "leakguard: not installed (no 'leakguard' on PATH, no python3 module) — commit blocked (fail closed)." >&2
  echo "leakguard: install it, remove the hook with 'leakguard hook uninstall', or commit anyway: git commit --no-verify" >&2
  exit 1
fi
"""

_TAIL = """\
rc=$?
if [ "$rc" -eq 0 ]; then
  legacy="$0{backup}"
  if [ -x "$legacy" ]; then exec "$legacy" {legacy_args}; fi
  exit 0
fi
if [ "$rc" -ne 1 ]; then
  echo "leakguard: the check failed (exit $rc) — commit blocked (fail closed); to commit anyway: git commit --no-verify" >&2
fi
exit 1
"""


def hook_script(hook: str) -> str:
    if hook not in HOOKS:
        raise LeakguardError(f"unknown hook {hook!r}; leakguard installs {', '.join(HOOKS)}")
    what = "the staged text files" if hook == "pre-commit" else "the commit message"
    head = (f"#!/bin/sh\n{MARKER} ({hook}): installed by `leakguard hook install`, removed by "
            "`leakguard hook uninstall`.\n"
            f"# Checks {what} for leaks before the commit is made. Bypass once: git commit --no-verify\n")
    if hook == "commit-msg":
        body = 'msgfile="$1"\n' + _FIND_LEAKGUARD + '"$@" hook run commit-msg "$msgfile"\n'
        tail = _TAIL.replace("{legacy_args}", '"$msgfile"')
    else:
        body = _FIND_LEAKGUARD + '"$@" hook run pre-commit\n'
        tail = _TAIL.replace("{legacy_args}", "")
    return head + body + tail.replace("{backup}", BACKUP_SUFFIX)


def git(repo: Path, *args: str, binary: bool = False) -> Any:
    try:
        p = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise LeakguardError("git is not installed (or not on PATH)") from None
    if p.returncode != 0:
        msg = p.stderr.decode("utf-8", "replace").strip().splitlines()
        raise LeakguardError(f"{repo}: git {' '.join(args[:2])}: {msg[-1] if msg else 'failed'}")
    return p.stdout if binary else p.stdout.decode("utf-8", "surrogateescape")


def hooks_dir(repo: Path) -> Path:
    """The repository's hooks folder (honours core.hooksPath and worktrees)."""
    out = git(repo, "rev-parse", "--git-path", "hooks").strip()
    path = Path(out)
    return path if path.is_absolute() else (repo / path)


def is_ours(path: Path) -> bool:
    try:
        with path.open("r", encoding="utf-8", errors="replace") as f:
            return MARKER in f.read(500)
    except OSError:
        return False


def install(repo: Path, force: bool = False, confirm: Callable[[Path], bool] | None = None) -> list[str]:
    """Install both hooks; returns one line per action.  Refuses to replace a foreign hook unless
    ``force`` (or ``confirm(path)`` says yes), and then keeps it as ``<hook>.leakguard-backup``."""
    folder = hooks_dir(repo)
    folder.mkdir(parents=True, exist_ok=True)
    plan: list[tuple[Path, bool]] = []
    for hook in HOOKS:
        path = folder / hook
        backup = path.with_name(hook + BACKUP_SUFFIX)
        foreign = path.exists() and not is_ours(path)
        if foreign:
            if backup.exists():
                raise LeakguardError(f"{path}: exists and so does {backup.name}; move one of them away first")
            if not force and not (confirm is not None and confirm(path)):
                raise LeakguardError(f"{path}: a hook is already installed; rerun with --force to keep it as "
                                     f"{backup.name} (it still runs after leakguard passes)")
        plan.append((path, foreign))
    done = []
    for path, foreign in plan:
        if foreign:
            os.replace(path, path.with_name(path.name + BACKUP_SUFFIX))
            done.append(f"{path}: existing hook kept as {path.name}{BACKUP_SUFFIX}")
        _write_executable(path, hook_script(path.name))
        done.append(f"{path}: installed")
    return done


def uninstall(repo: Path) -> list[str]:
    folder = hooks_dir(repo)
    done = []
    for hook in HOOKS:
        path = folder / hook
        backup = path.with_name(hook + BACKUP_SUFFIX)
        if path.exists() and not is_ours(path):
            done.append(f"{path}: not installed by leakguard, left alone")
            continue
        if path.exists():
            path.unlink()
            done.append(f"{path}: removed")
        if backup.exists():
            os.replace(backup, path)
            done.append(f"{path}: restored from {backup.name}")
    return done


def _write_executable(path: Path, content: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(content)
        os.chmod(tmp, 0o755)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# ----------------------------------------------------------------------------- what is committed


def staged_files(repo: Path) -> list[str]:
    out = git(repo, "diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR")
    return [p for p in out.split("\0") if p]


def staged_blob(repo: Path, path: str) -> bytes:
    """The staged content of ``path`` (what will be committed, not the working tree)."""
    data: bytes = git(repo, "cat-file", "blob", f":{path}", binary=True)
    return data


def looks_binary(data: bytes) -> bool:
    return b"\0" in data[:8192]


def commit_message_text(raw: str, comment_char: str = "#") -> str:
    """The message git will store: comment lines blanked (line numbers kept), the diff below
    the scissors line of ``commit -v`` dropped."""
    lines = raw.split("\n")
    out = []
    for line in lines:
        if line.startswith(comment_char) and _SCISSORS in line:
            break
        out.append("" if line.startswith(comment_char) else line)
    return "\n".join(out)


# ----------------------------------------------------------------------------- mail


class _HTMLText(HTMLParser):
    _BLOCK = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote"})
    _SKIP = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self._SKIP:
            self.skip += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self.skip:
            self.skip -= 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_text(html: str) -> str:
    p = _HTMLText()
    p.feed(html)
    p.close()
    return "".join(p.parts)


def mail_text(raw: bytes) -> str:
    """Subject, text/plain and text/html (tags stripped) parts, and attachment names."""
    import email
    import email.policy

    msg = email.message_from_bytes(raw, policy=email.policy.default)
    parts = [_header(msg, "Subject")]
    for part in msg.walk():
        if part.is_multipart():
            continue
        name = _filename(part)
        if name:
            parts.append(f"附件：{name}")
        ctype = part.get_content_type()
        if not ctype.startswith("text/"):
            continue
        body = _part_text(part)
        parts.append(html_text(body) if ctype == "text/html" else body)
    return "\n".join(p for p in parts if p)


def _header(msg: Any, name: str) -> str:
    try:
        return str(msg.get(name, "") or "")
    except (ValueError, LookupError, TypeError):
        return ""


def _filename(part: Any) -> str:
    try:
        return str(part.get_filename() or "")
    except (ValueError, LookupError, TypeError):
        return ""


def _part_text(part: Any) -> str:
    try:
        return str(part.get_content())
    except (LookupError, ValueError, TypeError, AssertionError):
        payload = part.get_payload(decode=True) or b""
        return bytes(payload).decode("utf-8", "replace")


def hold(raw: bytes, folder: Path | None = None) -> Path:
    """Keep a blocked message in ``user_data_dir()/held`` (private, written atomically)."""
    from .paths import user_data_dir

    folder = folder or user_data_dir() / "held"
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = folder / f"{stamp}-{hashlib.sha256(raw).hexdigest()[:10]}.eml"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".held-", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
        os.replace(tmp, path)
    except OSError as e:
        raise LeakguardError(f"{folder}: cannot save the held message ({e.strerror or e})") from None
    return path
