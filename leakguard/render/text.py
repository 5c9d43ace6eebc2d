"""Human-readable report of one checked text, CJK-width aware."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..i18n import t
from ..model import Finding, Step, Verdict

_LONG_DIGITS = r"\d[\d \-]{5,}\d"  # compiled (and cached by re) on first use
Style = Callable[..., str]


# Code-point ranges whose display width is known without unicodedata (checked against it in
# tests/test_startup.py): printable ASCII, Latin-1 (· ×), general punctuation (— …), arrows
# (→) and box drawing 1; CJK symbols and punctuation, CJK ideographs and full-width forms 2.
# Other text asks unicodedata (a library load a plain report can skip).
_NARROW = ((0x20, 0x7E), (0xA0, 0xFF), (0x2010, 0x2027), (0x2190, 0x21FF), (0x2500, 0x257F))
_WIDE = ((0x3000, 0x303E), (0x4E00, 0x9FFF), (0xFF01, 0xFF60), (0xFFE0, 0xFFE6))


def width(s: str) -> int:
    n = 0
    for c in s:
        o = ord(c)
        if 0x20 <= o <= 0x7E or any(lo <= o <= hi for lo, hi in _NARROW):
            n += 1
        elif any(lo <= o <= hi for lo, hi in _WIDE):
            n += 2
        else:
            return _width(s)
    return n


def _width(s: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in s)


def _plain(s: str, **_: object) -> str:
    return s


def mask_digits(s: str) -> str:
    """Mask long digit runs in context snippets: they may be personal data we did not flag."""
    def repl(m: re.Match[str]) -> str:
        v = m.group()
        return v[:3] + "*" * (len(v) - 5) + v[-2:]
    return re.sub(_LONG_DIGITS, repl, s)


def context(text: str, f: Finding, others: list[Finding], show: bool, radius: int = 24) -> tuple[str, str, str]:
    """The text around a finding, split into (before, match, after), personal data masked."""
    line_start = max(text.rfind("\n", 0, f.start), text.rfind("\r", 0, f.start)) + 1
    nl = [i for i in (text.find("\n", f.end), text.find("\r", f.end)) if i != -1]
    line_end = min(nl) if nl else len(text)
    a = max(line_start, f.start - radius)
    b = min(line_end, f.end + radius)

    def clean(lo: int, hi: int) -> str:
        if lo >= hi:
            return ""
        piece = text[lo:hi]
        if show:
            return piece
        # mask other sensitive spans overlapping the window
        for o in sorted(others, key=lambda o: -o.start):
            if o.sensitive and o.start < hi and lo < o.end:
                s0, s1 = max(o.start, lo) - lo, min(o.end, hi) - lo
                piece = piece[:s0] + "*" * (s1 - s0) + piece[s1:]
        return mask_digits(piece)

    before = ("…" if a > line_start else "") + clean(a, f.start)
    after = clean(f.end, b) + ("…" if b < line_end else "")
    return before, f.shown(show), after


def step_text(s: Step, lang: str) -> str:
    sign = f"{s.delta:+.1f}"
    if s.kind in ("cue", "damper") and ": " in s.detail:
        sig, word = s.detail.split(": ", 1)
        return f"{t(sig, lang)} {sign}（{word}）" if lang == "zh" else f"{t(sig, lang)} {sign} ({word})"
    if s.kind == "destination":
        parts = s.detail.split(":", 2)
        label = t(parts[0], lang)
        who = parts[2] if len(parts) > 2 else ""
        return f"{t('destination', lang)}·{label} {sign}（{who}）" if lang == "zh" else f"destination {label} {sign} ({who})"
    if s.kind == "requires":
        return f"{t('requires', lang)}（{s.detail}）" if lang == "zh" else f"{t('requires', lang)} ({s.detail})"
    return f"{t(s.kind, lang)} {sign}（{s.detail}）" if lang == "zh" else f"{t(s.kind, lang)} {sign} ({s.detail})"


def render_finding(
    text: str, f: Finding, label: str, lang: str, show: bool, style: Style, others: list[Finding]
) -> list[str]:
    sep = "；" if lang == "zh" else "; "
    colon = "：" if lang == "zh" else ": "
    where = f"{label}:{f.line}:{f.column}" if f.line else label
    head = (
        f"{where}  {style(f.code, bold=True)} {f.name} · {t(f.category, lang)} · "
        f"{t(f.severity, lang)} · {t('score', lang)} {f.score:.1f}"
    )
    if f.location:
        head += f"  [{f.location}]"
    before, match, after = context(text, f, others, show)
    lines = [head]
    lines.append("  │ " + before + style(match, fg="red", bold=True) + after)
    if style is _plain:
        lines.append("  │ " + " " * width(before) + "^" * max(1, width(match)))
    lines.append("  " + t("reason", lang) + colon + sep.join(step_text(s, lang) for s in f.steps))
    if f.precedent:
        p = f.precedent
        fit = f"{t('fit', lang)} {p.fit:.2f}"
        lines.append(f"  {t('precedent', lang)}{colon}{p.summary}  [{p.id}，{fit}]" if lang == "zh"
                     else f"  {t('precedent', lang)}{colon}{p.summary}  [{p.id}, {fit}]")
    lines.append("  " + t("advice", lang) + colon + f.advice)
    return lines


def render_verdict(
    text: str,
    v: Verdict,
    label: str,
    lang: str = "zh",
    show: bool = False,
    explain: bool = False,
    style: Style = _plain,
) -> str:
    out: list[str] = []
    everything = list(v.findings) + list(v.notes)
    for f in v.findings:
        out.extend(render_finding(text, f, label, lang, show, style, everything))
        out.append("")
    if explain and v.notes:
        out.append(t("below", lang) + ("：" if lang == "zh" else ":"))
        for f in v.notes:
            out.extend("  " + x for x in render_finding(text, f, label, lang, show, style, everything))
        out.append("")
    colour = {"pass": "green", "warn": "yellow", "block": "red"}[v.verdict]
    quiet = not v.findings and not (explain and v.notes)
    if quiet:  # nothing to explain: no score to puzzle over
        body = f"{t(v.verdict, lang)}（{v.verdict}）" if lang == "zh" else f"{t(v.verdict, lang)} ({v.verdict})"
    elif lang == "zh":
        body = f"{t(v.verdict, lang)}（{v.verdict}，{t('score', lang)} {v.score:.1f}）"
    else:
        body = f"{t(v.verdict, lang)} ({v.verdict}, {t('score', lang)} {v.score:.1f})"
    summary = f"{t('verdict', lang)}{'：' if lang == 'zh' else ': '}" + style(body, fg=colour, bold=True)
    if quiet:
        summary += "  " + t("no_findings", lang)
    out.append(f"{label}  {summary}" if label != "<stdin>" and label != "<text>" else summary)
    if not show and any(f.sensitive for f in everything):
        out.append("  " + t("masked_note", lang))
    return "\n".join(out)
