"""``leakguard redact``: a safe version of a draft (the input is never modified).

* personal data found by the detectors is replaced by its masked form
  (ID ``1101**********123X``, phone ``139****5678``), whether or not it was flagged;
* in a flagged personal-data record, names of private persons become 某某: the person cues
  near the finding (小王 / 老王 / 王某 → 某某, 姓王 → 姓某) and, on the record's line, a two- or
  three-character name starting with a surname from those cues, ending where a known word or a
  particle starts (王建国，… / 王建国确诊了 → 某某，… / 某某确诊了);
* each other flagged finding (document, meeting, decision, rumour, marking) adds one
  suggestion line: what to send instead.  Masking cannot make forwarding a 讨论稿 safe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .model import Finding, Verdict

_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_SMALL_OLD = re.compile(r"^[小老].$")
_SURNAME_OF = re.compile(r"^姓(.)$")
_X_MOU = re.compile(r"^.某+$")
PLACEHOLDER = "某某"
_PARTICLES = frozenset("的是在说和跟与已被于因也都去从到")
Edit = tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class Redaction:
    text: str
    masked: int  # personal-data values masked
    names: int  # names replaced by 某某
    suggestions: tuple[str, ...]
    verdict: Verdict  # of the original text

    def render(self) -> str:
        if not self.suggestions:
            return self.text
        sep = "" if self.text.endswith("\n") or not self.text else "\n"
        return self.text + sep + "\n" + "\n".join(self.suggestions) + "\n"


def redact(text: str, scanner: Any, to: str | None = None, lang: str = "zh", verdict: Verdict | None = None) -> Redaction:
    v = verdict if verdict is not None else scanner.check(text, to=to, lang=lang, explain=True)
    edits = [(f.start, f.end, f.masked) for f in (*v.findings, *v.notes) if f.sensitive]
    masked = len(edits)
    records = [f for f in v.findings if f.category == "personal_data"]
    names = person_edits(text, scanner, records) if records else []
    merged = _merge(edits + names)
    n_names = sum(1 for e in merged if e[2] in (PLACEHOLDER, "姓某"))
    return Redaction(_apply(text, merged), masked, n_names, suggestions(v.findings, lang), v)


def suggestions(findings: tuple[Finding, ...], lang: str) -> tuple[str, ...]:
    out: dict[str, str] = {}
    for f in findings:
        if f.category == "personal_data" or f.code in out:
            continue
        shown = f.shown(False)
        if lang == "zh":
            out[f.code] = f"【leakguard 建议】{f.name}「{shown}」（第 {f.line} 行）：{f.advice}"
        else:
            out[f.code] = f"[leakguard suggestion] {f.name} “{shown}” (line {f.line}): {f.advice}"
    return tuple(out.values())


def person_edits(text: str, scanner: Any, records: list[Finding]) -> list[Edit]:
    """Replacements of private persons' names near flagged personal-data findings."""
    from .normalise import normalise

    norm = normalise(text)
    hits = scanner.hits(norm.text)
    cues = scanner.ruleset.cues
    edits: list[Edit] = []
    occupied: list[tuple[int, int]] = []
    for h in hits:
        a, b = norm.to_original(h.start, h.end)
        occupied.append((a, b))
        if h.kind != "c" or cues[h.index].signal != "person":
            continue
        window = cues[h.index].window
        if not any(f.start - window <= b and a <= f.end + window for f in records):
            continue
        new = _replacement(norm.text[h.start:h.end])
        if new is not None:
            edits.append((a, b, new))
    edits.extend(_record_names(text, records, _surnames(cues), occupied))
    return edits


def _replacement(key: str) -> str | None:
    if _SMALL_OLD.match(key) or _X_MOU.match(key):
        return PLACEHOLDER
    if _SURNAME_OF.match(key):
        return "姓某"
    return None


def _surnames(cues: Any) -> frozenset[str]:
    out: set[str] = set()
    for cue in cues:
        if cue.signal != "person":
            continue
        for term in cue.terms:
            m = _SURNAME_OF.match(term)
            if m:
                out.add(m.group(1))
    return frozenset(out)


def _record_names(text: str, records: list[Finding], surnames: frozenset[str],
                  occupied: list[tuple[int, int]]) -> list[Edit]:
    """On the line of a record: a Han run starting with a surname, cut where a known word or a
    particle (的 是 在 …) begins, of two or three characters (王建国确诊了 → 某某确诊了)."""
    if not surnames:
        return []
    edits: list[Edit] = []
    seen_lines: set[int] = set()
    for f in records:
        lo = max(text.rfind("\n", 0, f.start), text.rfind("\r", 0, f.start)) + 1
        if lo in seen_lines:
            continue
        seen_lines.add(lo)
        nl = [i for i in (text.find("\n", f.end), text.find("\r", f.end)) if i != -1]
        hi = min(nl) if nl else len(text)
        for m in _HAN_RUN.finditer(text, lo, hi):
            a, b = m.span()
            if text[a] not in surnames or any(x <= a < y for x, y in occupied):
                continue
            end = min([b] + [x for x, _ in occupied if a < x < b]
                      + [i for i in range(a + 2, min(b, a + 4)) if text[i] in _PARTICLES])
            if 2 <= end - a <= 3:
                edits.append((a, end, PLACEHOLDER))
    return edits


def _merge(edits: list[Edit]) -> list[Edit]:
    """Non-overlapping edits, the earliest-starting (then longest) winning."""
    out: list[Edit] = []
    for e in sorted(set(edits), key=lambda e: (e[0], -(e[1] - e[0]))):
        if out and e[0] < out[-1][1]:
            continue
        out.append(e)
    return out


def _apply(text: str, edits: list[Edit]) -> str:
    for a, b, new in reversed(edits):  # from the end: earlier offsets stay valid
        text = text[:a] + new + text[b:]
    return text
