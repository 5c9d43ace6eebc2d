"""The scanning pipeline: normalise → match → detect → score with context → explain.

A :class:`Scanner` owns one compiled :class:`~leakguard.ruleset.Ruleset` (one automaton)
and is safe to reuse for any number of texts; it holds no per-text state.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from .model import CaseRef, Finding, Step, Verdict
from .normalise import Normalised, line_col, normalise
from .ruleset import Rule, Ruleset, load_ruleset

_DIGITS = re.compile(r"\d{5}")
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
SEVERITY_ORDER = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
# Person identifiers that make a record of a person when they co-occur (aggregates).
_PERSON_KINDS = frozenset({"cn_id", "mobile", "address", "plate", "passport", "hk_macau_permit", "bank_card"})


class Hit(NamedTuple):
    kind: str  # r(ule) | c(ue) | k(case keyword) | g(ate) | d(etection)
    index: int  # rule / cue / case index
    start: int  # normalised coordinates
    end: int


@dataclass(frozen=True, slots=True)
class Candidate:
    rule: Rule
    start: int  # normalised
    end: int
    valid: bool | None = None
    detail: str = ""
    value: str = ""
    kind: str = ""  # detector kind, "" for lexicon terms
    sensitive: bool = False


class Scanner:
    """Checks texts against one ruleset.

    >>> from leakguard import Scanner
    >>> Scanner.default().check("明天上午九点开调度会").verdict
    'pass'
    """

    _default: Scanner | None = None

    def __init__(self, ruleset: Ruleset, lang: str = "zh"):
        self.ruleset = ruleset
        self.lang = lang

    @classmethod
    def default(cls) -> Scanner:
        """The scanner for the bundled lexicons and cases (built once per process)."""
        if cls._default is None:
            cls._default = cls(load_ruleset())
        return cls._default

    @classmethod
    def from_paths(cls, paths: Sequence[Path] | None = None, extra: Sequence[Path] = (), lang: str = "zh") -> Scanner:
        return cls(load_ruleset(paths, extra), lang=lang)

    # ------------------------------------------------------------------ matching

    def hits(self, norm: str) -> list[Hit]:
        rs = self.ruleset
        out: list[Hit] = []
        if not len(rs._automaton):
            return out
        entries, keylen, boundary = rs._entries, rs._keylen, rs._boundary
        n = len(norm)
        for end, idx in rs._automaton.iter(norm):
            start = end - keylen[idx] + 1
            if idx in boundary and (
                (start > 0 and norm[start - 1] in _ASCII_ALNUM) or (end + 1 < n and norm[end + 1] in _ASCII_ALNUM)
            ):
                continue
            for kind, i in entries[idx]:
                out.append(Hit(kind, i, start, end + 1))
        return out

    def _detections(self, norm: str, hits: list[Hit]) -> list[Candidate]:
        rs = self.ruleset
        wanted: dict[str, Rule] = {}
        for h in hits:
            if h.kind == "g":
                r = rs.rules[h.index]
                wanted[r.detector or ""] = r
        if rs._digit_detectors and _DIGITS.search(norm):
            for i in rs._digit_detectors:
                r = rs.rules[i]
                wanted[r.detector or ""] = r
        if not wanted:
            return []
        from . import detectors  # deferred: compiles its patterns on first use

        out = []
        for d in detectors.detect(norm, wanted):
            rule = wanted[d.kind]
            out.append(Candidate(rule, d.start, d.end, d.valid, d.detail, d.value, d.kind, d.sensitive))
        return out

    # ------------------------------------------------------------------ checking

    def check(self, text: str, to: str | None = None, lang: str | None = None, explain: bool = False) -> Verdict:
        """Check one message (or draft).  ``to`` names the destination, e.g. ``家族群``."""
        if not text:
            return Verdict("pass", 0.0, ())
        norm = normalise(text)
        hits = self.hits(norm.text)
        candidates = [Candidate(self.ruleset.rules[h.index], h.start, h.end) for h in hits if h.kind == "r"]
        candidates = _prune_overlaps(candidates) + self._detections(norm.text, hits)
        if not candidates:
            return Verdict("pass", 0.0, (), len(text))
        cues = _prune_cues([h for h in hits if h.kind == "c"])
        case_kw = {self.ruleset._case_ids[h.index] for h in hits if h.kind == "k"}
        dest = self._destination(to)
        return self._score(text, norm, candidates, cues, case_kw, dest, lang or self.lang, explain)

    def _destination(self, to: str | None) -> list[Step]:
        if not to:
            return []
        steps: dict[str, Step] = {}
        for h in self.hits(normalise(to).text):
            if h.kind != "c":
                continue
            cue = self.ruleset.cues[h.index]
            if cue.signal in ("channel", "work_channel"):
                prev = steps.get(cue.signal)
                if prev is None or abs(cue.weight) > abs(prev.delta):
                    steps[cue.signal] = Step("destination", cue.weight, f"{cue.signal}:{cue.feature}:{to}")
        return list(steps.values())

    def _score(
        self,
        text: str,
        norm: Normalised,
        candidates: list[Candidate],
        cues: list[Hit],
        case_kw: set[str],
        dest: list[Step],
        lang: str,
        explain: bool,
    ) -> Verdict:
        rs = self.ruleset
        warn, block = rs.thresholds["warn"], rs.thresholds["block"]
        provided = _provided(candidates)
        aggregate = _aggregate(candidates)
        findings: list[Finding] = []
        notes: list[Finding] = []
        for cand in candidates:
            rule = cand.rule
            steps = [Step("base", rule.base, f"{rule.code} {rule.severity}")]
            if cand.valid is True:
                steps.append(Step("validator", 0.5, cand.detail))
            elif cand.valid is False:
                if rule.invalid == "drop":
                    continue
                steps.append(Step("validator", -rule.base, cand.detail))
            signals: dict[str, Step] = {}
            features: set[str] = set(rule.features)
            for h in cues:
                cue = rs.cues[h.index]
                if cue.applies_to and rule.category not in cue.applies_to:
                    continue
                if cue.scope == "near" and (h.end < cand.start - cue.window or h.start > cand.end + cue.window):
                    continue
                if h.start < cand.end and cand.start < h.end and cue.weight > 0:
                    continue  # a cue word inside the match itself is not extra evidence
                if cue.feature:
                    features.add(cue.feature)
                _keep_strongest(signals, cue.signal, Step("cue" if cue.weight >= 0 else "damper", cue.weight,
                                                          f"{cue.signal}: {_orig(norm, h.start, h.end)}"))
            for (cat, sig), (weight, who, span) in provided.items():
                # evidence is lent only within a category: a 确诊 in a news item does not make
                # a rumour or a lab-report mention "about a patient"
                if cat != rule.category or span == (cand.start, cand.end) or who == rule.code or sig in signals:
                    continue
                _keep_strongest(signals, sig, Step("cue", weight, f"{sig}: {who}"))
            missing = [s for s in rule.requires if s not in signals or signals[s].delta <= 0]
            steps.extend(signals.values())
            steps.extend(dest)
            severity = rule.severity
            if aggregate and cand.kind in _PERSON_KINDS:
                steps.append(Step("aggregate", 2.0, aggregate))
                severity = "critical"
            score = sum(s.delta for s in steps)
            if rule.requires and len(missing) == len(rule.requires):
                steps.append(Step("requires", 0.0, "missing: " + ", ".join(rule.requires)))
                score = min(score, warn - 0.01)
            f = self._finding(text, norm, cand, severity, score, tuple(steps), features, case_kw, lang)
            (findings if score >= warn else notes).append(f)
        findings = _dedupe(findings)
        top = max((f.score for f in findings), default=max((f.score for f in notes), default=0.0))
        verdict = "block" if top >= block else "warn" if top >= warn else "pass"
        return Verdict(verdict, top, tuple(findings), len(text), tuple(notes) if explain else ())

    def _finding(
        self,
        text: str,
        norm: Normalised,
        cand: Candidate,
        severity: str,
        score: float,
        steps: tuple[Step, ...],
        features: set[str],
        case_kw: set[str],
        lang: str,
    ) -> Finding:
        rule = cand.rule
        start, end = norm.to_original(cand.start, cand.end)
        line, col = line_col(text, start)
        raw = text[start:end]
        masked = raw
        if cand.sensitive:
            from .detectors import mask

            masked = mask(cand.kind, cand.value or raw)
        return Finding(
            code=rule.code,
            category=rule.category,
            severity=severity,
            start=start,
            end=end,
            line=line,
            column=col,
            match=raw,
            masked=masked,
            sensitive=cand.sensitive,
            score=score,
            steps=steps,
            precedent=self.precedent(rule, features, case_kw, lang),
            advice=rule.advice.get(lang, rule.advice["zh"]),
            name=rule.name.get(lang, rule.name["zh"]),
        )

    # ------------------------------------------------------------------ precedents

    def precedent(self, rule: Rule, features: set[str], case_kw: set[str], lang: str = "zh") -> CaseRef | None:
        """The case whose features best fit the evidence; ``fit`` in 0..1."""
        best: tuple[float, int, str, tuple[str, ...]] | None = None
        for case in self.ruleset.cases.values():
            if case.parent:
                continue
            prior = 0.0
            if case.id in rule.precedents:
                prior = 1.0 - 0.15 * rule.precedents.index(case.id)
            elif not case.messaging_leak:
                continue
            same = 1.0 if case.category == rule.category else 0.0
            shared = tuple(sorted(features & case.features))
            overlap = len(shared) / max(3, min(len(case.features), 6))
            kw = 1.0 if case.id in case_kw else 0.0
            fit = 0.35 * prior + 0.15 * same + 0.3 * min(1.0, overlap) + 0.2 * kw
            if kw:
                shared = ("keyword",) + shared
            rank = -rule.precedents.index(case.id) if case.id in rule.precedents else -99
            key = (fit, rank, case.id, shared)
            if best is None or key[:2] > best[:2]:
                best = key
        if best is None or best[0] <= 0:
            return None
        case = self.ruleset.cases[best[2]]
        return CaseRef(case.id, case.summary.get(lang, case.summary["zh"]), min(1.0, best[0]), best[3])


def _orig(norm: Normalised, start: int, end: int) -> str:
    a, b = norm.to_original(start, end)
    return norm.original[a:b]


def _keep_strongest(signals: dict[str, Step], signal: str, step: Step) -> None:
    prev = signals.get(signal)
    if prev is None or abs(step.delta) > abs(prev.delta):
        signals[signal] = step


def _prune_overlaps(cands: list[Candidate]) -> list[Candidate]:
    """Drop a term hit inside a longer hit of the same category (调查报告 ⊃ 报告)."""
    cands.sort(key=lambda c: (c.start, -(c.end - c.start)))
    kept: list[Candidate] = []
    for c in cands:
        if any(k.start <= c.start and c.end <= k.end and k.rule.category == c.rule.category for k in kept):
            continue
        kept.append(c)
    return kept


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """Best first; drop a finding that overlaps a stronger one of the same category."""
    findings.sort(key=lambda f: (-f.score, f.start))
    kept: list[Finding] = []
    for f in findings:
        if any(k.category == f.category and f.start < k.end and k.start < f.end for k in kept):
            continue
        kept.append(f)
    return kept


def _prune_cues(cues: list[Hit]) -> list[Hit]:
    """Drop a cue word inside a longer cue word (官方 inside 官方还没): the longer one speaks."""
    if len(cues) < 2:
        return cues
    return [
        h for h in cues
        if not any(o.start <= h.start and h.end <= o.end and (o.end - o.start) > (h.end - h.start) for o in cues)
    ]


def _provided(cands: Iterable[Candidate]) -> dict[tuple[str, str], tuple[float, str, tuple[int, int]]]:
    """Signals that findings lend each other within a category (an ID number near 确诊)."""
    out: dict[tuple[str, str], tuple[float, str, tuple[int, int]]] = {}
    for c in cands:
        p = c.rule.provides
        if p is None or c.valid is False:
            continue
        sig, weight = p
        key = (c.rule.category, sig)
        if key not in out or weight > out[key][0]:
            out[key] = (weight, c.rule.code, (c.start, c.end))
    return out


def _aggregate(cands: Sequence[Candidate]) -> str:
    """Several person records in one text (a pasted list) → an aggregate step."""
    kinds: dict[str, int] = {}
    for c in cands:
        if c.kind in _PERSON_KINDS and c.valid is not False:
            kinds[c.kind] = kinds.get(c.kind, 0) + 1
    total = sum(kinds.values())
    ids = kinds.get("cn_id", 0)
    if ids >= 2 or total >= 4 or (total >= 3 and len(kinds) >= 2):
        return "records: " + ", ".join(f"{k}×{v}" for k, v in sorted(kinds.items()))
    return ""


def check(text: str, to: str | None = None, lang: str = "zh") -> Verdict:
    """Check one draft with the bundled lexicons: ``leakguard.check("…").verdict``."""
    return Scanner.default().check(text, to=to, lang=lang)


def as_dict(v: Verdict, show_matches: bool = False) -> dict[str, Any]:
    return v.to_dict(show_matches)
