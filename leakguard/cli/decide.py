"""The interactive pre-send decision: 取消 / 修改 / 说明理由后发送.

Shown after the report when a draft is flagged and the user is at a terminal (or with
``--interactive``).  Cancel exits 1.  Edit opens ``$VISUAL``/``$EDITOR`` on a copy of the draft
in the user's data folder (the original file is never touched), then checks the copy again.
Sending anyway needs a reason from a short list plus free text; it is appended to the audit
log (masked) and exits 0.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from ..model import LeakguardError, Verdict
from . import EXIT_FLAGGED, EXIT_OK

_ORDER = {"pass": 0, "warn": 1, "block": 2}
Result = tuple[str, str, Verdict]

_TEXT = {
    "zh": {
        "head": "发现 {n} 处风险（{verdict}）。怎么办？",
        "cancel": "取消（不发送）", "edit": "修改（用编辑器打开副本）", "send": "说明理由后发送",
        "choose": "请选择", "reason": "理由：", "note": "补充说明", "note_required": "（必填）",
        "note_optional": "（可留空）", "cancelled": "leakguard: 已取消，未发送。",
        "logged": "leakguard: 已记录到审计日志 {path}；可以发送。",
        "no_editor": "leakguard: 未设置 $VISUAL / $EDITOR，不能修改。", "edited": "leakguard: 修改稿：{path}（原文件未改动）",
        "clean": "leakguard: 修改稿已通过检查；请发送修改稿 {path}。", "invalid": "请输入编号。",
    },
    "en": {
        "head": "{n} finding(s) ({verdict}). What now?",
        "cancel": "cancel (do not send)", "edit": "edit (open a copy in your editor)", "send": "send with a reason",
        "choose": "Choose", "reason": "Reason:", "note": "Details", "note_required": " (required)",
        "note_optional": " (optional)", "cancelled": "leakguard: cancelled, not sent.",
        "logged": "leakguard: recorded in the audit log {path}; OK to send.",
        "no_editor": "leakguard: no $VISUAL / $EDITOR set, cannot edit.", "edited": "leakguard: edited copy: {path} "
        "(the original is unchanged)",
        "clean": "leakguard: the edited copy passes; send the edited copy {path}.", "invalid": "Type a number.",
    },
}


@dataclass
class Console:
    inp: TextIO
    out: TextIO
    lang: str

    def say(self, key: str, **kw: Any) -> None:
        self.out.write(_TEXT[self.lang][key].format(**kw) + "\n")
        self.out.flush()

    def ask(self, prompt: str) -> str | None:
        self.out.write(prompt)
        self.out.flush()
        line = self.inp.readline()
        return None if line == "" else line.strip()

    def menu(self, title: str, options: list[str]) -> int | None:
        """1-based choice, or None at end of input."""
        self.out.write(title + "\n" + "".join(f"  {i} {o}\n" for i, o in enumerate(options, 1)))
        while True:
            answer = self.ask(f"{_TEXT[self.lang]['choose']} [1-{len(options)}]: ")
            if answer is None:
                return None
            if answer.isdigit() and 1 <= int(answer) <= len(options):
                return int(answer)
            self.say("invalid")


def console(lang: str, draft_from_stdin: bool) -> Console:
    """Prompts on stderr; answers from stdin, or the terminal when the draft came from stdin."""
    if draft_from_stdin:
        try:
            tty = open("/dev/tty", "r+", encoding="utf-8")  # noqa: SIM115 - lives for the process
        except OSError:
            raise LeakguardError("--interactive: the draft came from stdin and there is no terminal to ask on") from None
        return Console(tty, tty, lang)
    return Console(sys.stdin, sys.stderr, lang)


def flagged(results: list[Result], fail_on: str) -> list[Result]:
    return [r for r in results if _ORDER[r[2].verdict] >= _ORDER[fail_on]]


def decide(
    results: list[Result],
    con: Console,
    fail_on: str,
    recheck: Callable[[str, str], Verdict],
    render: Callable[[list[Result]], None],
    record: Callable[[Result, str, str], Path],
    editable: Callable[[str], bool],
) -> int:
    """The prompt loop; returns the exit code."""
    t = _TEXT[con.lang]
    while True:
        bad = flagged(results, fail_on)
        if not bad:
            return EXIT_OK
        worst = max(bad, key=lambda r: _ORDER[r[2].verdict])[2].verdict
        can_edit = all(editable(label) for label, _, _ in bad)
        options = [t["cancel"]] + ([t["edit"]] if can_edit else []) + [t["send"]]
        n = sum(len(v.findings) for _, _, v in bad)
        choice = con.menu(t["head"].format(n=n, verdict=worst), options)
        picked = options[choice - 1] if choice is not None else t["cancel"]
        if picked == t["cancel"]:
            con.say("cancelled")
            return EXIT_FLAGGED
        if picked == t["edit"]:
            edited = edit_all(results, bad, con, recheck)
            if edited is None:
                continue
            results = edited
            render(results)
            if not flagged(results, fail_on):
                con.say("clean", path=", ".join(label for label, _, _ in results))
                return EXIT_OK
            continue
        reason = ask_reason(con)
        if reason is None:
            con.say("cancelled")
            return EXIT_FLAGGED
        path = None
        for r in bad:
            path = record(r, *reason)
        con.say("logged", path=path)
        return EXIT_OK


def ask_reason(con: Console) -> tuple[str, str] | None:
    from ..audit import REASONS

    t = _TEXT[con.lang]
    labels = [zh if con.lang == "zh" else en for _, zh, en in REASONS]
    choice = con.menu(t["reason"], labels)
    if choice is None:
        return None
    key = REASONS[choice - 1][0]
    required = key == "other"
    while True:
        note = con.ask(t["note"] + (t["note_required"] if required else t["note_optional"]) + ": ")
        if note is None:
            return None
        if note or not required:
            return key, note


def edit_all(results: list[Result], bad: list[Result], con: Console,
             recheck: Callable[[str, str], Verdict]) -> list[Result] | None:
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        con.say("no_editor")
        return None
    out = list(results)
    for label, text, _ in bad:
        copy = draft_copy(label, text)
        subprocess.run([*shlex.split(editor), str(copy)], check=False)
        try:
            new_text = copy.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise LeakguardError(f"{copy}: cannot read the edited copy ({e})") from None
        con.say("edited", path=copy)
        i = next(k for k, r in enumerate(out) if r[0] == label)
        out[i] = (str(copy), new_text, recheck(str(copy), new_text))
    return out


def draft_copy(label: str, text: str) -> Path:
    """A private copy of the draft in the user's data folder (kept: the user's text is never lost)."""
    import tempfile

    from ..paths import user_data_dir

    folder = user_data_dir() / "drafts"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stem = "".join(c for c in Path(label).stem if c.isalnum() or c in "-_")[:40] or "draft"
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    fd, name = tempfile.mkstemp(prefix=f"{stem}-{stamp}-", suffix=".txt", dir=folder)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    return Path(name)


def ask_override(results: list[Result], env: Any, to: str | None, lang: str, from_stdin: bool,
                 report: Callable[[list[Result]], None], explain: bool = False) -> int:
    """Wire :func:`decide` to a check run: re-check with the run's filters, audit with masking."""
    from .. import audit
    from ..attachcheck import looks_like_attachment
    from ..redact import redact

    scanner = env.scanner
    con = console(lang, from_stdin)

    def recheck(label: str, text: str) -> Verdict:
        v: Verdict = env.filter(label, text, scanner.check(text, to=to, lang=lang, explain=explain))
        return v

    def record(r: Result, reason: str, note: str) -> Path:
        label, text, v = r
        safe = redact(text, scanner, to=to, lang=lang, verdict=v).text
        entry = audit.make_entry(text, v, reason, note, label, to, masked_excerpt=_line_of(safe, v))
        return audit.append(entry)

    def editable(label: str) -> bool:
        if label.startswith("<"):
            return True
        p = Path(label)
        return not (p.is_file() and looks_like_attachment(p))

    return decide(results, con, env.fail_on, recheck, report, record, editable)


def _line_of(text: str, v: Verdict, limit: int = 80) -> str:
    lines = text.splitlines() or [""]
    first = v.findings[0] if v.findings else None
    line = lines[min(first.line, len(lines)) - 1] if first and first.line >= 1 else lines[0]
    line = line.strip()
    return line if len(line) <= limit else line[: limit - 1] + "…"
