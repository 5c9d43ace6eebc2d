"""The scanning pipeline: normalise → match → detect → score with context → explain.

A :class:`Scanner` owns one compiled :class:`~leakguard.ruleset.Ruleset` (one matcher over
every key) and is safe to reuse for any number of texts; it holds no per-text state (only
caches of per-rule and per-destination results, which depend on the ruleset alone).

:meth:`Scanner.check` checks one text.  :meth:`Scanner.check_many` checks a batch of
messages with one normalisation and one automaton pass over the batch joined by newlines
(no key contains a newline, and normalising never crosses one); a message without a rule
term, a detector gate or a digit stretch cannot produce a finding and passes at once, the
others go through the same steps as :meth:`check` with their share of the batch's hits.
The verdicts are identical to calling :meth:`check` on each message.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from itertools import accumulate
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from .model import CaseRef, Finding, Step, Verdict
from .normalise import Normalised, line_col, normalise
from .ruleset import ALNUM, KINDS, CaseInfo, Rule, Ruleset, load_ruleset

if TYPE_CHECKING:
    from pathlib import Path

_DIGITS: re.Pattern[str] | None = None  # the digit detectors' gate (digitgate.GATE)
_TRIGGERS = re.compile(b"[\x01\x02]")  # in the per-hit kinds of a batch: a rule term or a gate
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
SEVERITY_ORDER = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
# Person identifiers that make a record of a person when they co-occur (aggregates).
_PERSON_KINDS = frozenset({"cn_id", "mobile", "address", "plate", "passport", "hk_macau_permit", "bank_card"})
_T = TypeVar("_T", bound=tuple[Any, ...])
# Joins the messages of a batch: not a key character, never stripped, not Han, not ASCII
# alphanumeric (the word-boundary test) and not a digit, so nothing matches across it.
_SEP = "\x00"
_DEST_CACHE = 4096  # destinations (conversation names) whose cue steps are remembered
# A scoring step before it is reported: (kind, delta, detail), where the detail is None for
# the rule's base step and an int for the cue hit it names (texts are made only when needed).
_Raw = tuple[str, float, "str | int | None"]


# Functional NamedTuples (as in ruleset): the class form would compile a ForwardRef per
# string annotation of this module on every start-up.
Hit = NamedTuple("Hit", [  # noqa: UP014
    ("kind", str),  # r(ule) | c(ue) | k(case keyword) | g(ate) | d(etection)
    ("index", int),  # rule / cue / case index (shadows tuple.index)
    ("start", int),  # normalised coordinates
    ("end", int),
])
Candidate = NamedTuple("Candidate", [  # noqa: UP014
    ("rule", Rule),
    ("start", int),  # normalised
    ("end", int),
    ("valid", bool | None),
    ("detail", str),
    ("value", str),
    ("kind", str),  # detector kind, "" for lexicon terms
    ("sensitive", bool),
])


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
        self._dest: dict[str, tuple[Step, ...]] = {}
        self._cases: dict[str, list[tuple[CaseInfo, float, int, int]]] = {}
        self._batch_ok: bool | None = None
        self._trigger: bytes | None = None
        self._prefilters: dict[str | None, re.Pattern[str] | None] = {}
        self._key_info: list[tuple[Any, ...]] = []

    @classmethod
    def default(cls) -> Scanner:
        """The scanner for the bundled lexicons and cases (built once per process)."""
        if cls._default is None:
            cls._default = cls(load_ruleset())
        return cls._default

    @classmethod
    def from_paths(cls, paths: Sequence[str | Path] | None = None, extra: Sequence[str | Path] = (),
                   lang: str = "zh") -> Scanner:
        return cls(load_ruleset(paths, extra), lang=lang)

    # ------------------------------------------------------------------ matching

    def hits(self, norm: str) -> list[Hit]:
        return self._hits(norm, self.ruleset._matcher.find(norm))

    def _hits(self, norm: str, found: Iterable[tuple[int, int]], shift: int = 0) -> list[Hit]:
        """Hits from matcher output (``shift`` is subtracted: batch → message coordinates)."""
        rs = self.ruleset
        keys, codes, multi = rs._matcher.keys, rs._codes, rs._multi
        out: list[Hit] = []
        n = len(norm)
        for end, idx in found:
            end -= shift
            key = keys[idx]
            start = end - len(key) + 1
            if (key[0] in ALNUM or key[-1] in ALNUM) and (  # an ASCII key needs a word boundary
                (start > 0 and norm[start - 1] in _ASCII_ALNUM) or (end + 1 < n and norm[end + 1] in _ASCII_ALNUM)
            ):
                continue
            code = codes[idx]
            if code >= 0:
                out.append(Hit(KINDS[code & 3], code >> 2, start, end + 1))
            else:
                for kind, i in multi[-code - 1]:
                    out.append(Hit(kind, i, start, end + 1))
        return out

    def _detections(self, norm: str, hits: list[Hit], batch: _Batch | None = None) -> list[Candidate]:
        """Detector findings in a message; in a batch, a detector runs only where its
        prefilter matched (a necessary condition) and the digit detectors where the batch
        found a digit stretch."""
        rs = self.ruleset
        wanted: dict[str, Rule] = {}
        for h in hits:
            if h.kind == "g":
                r = rs.rules[h.index]
                if batch is None or batch.may_find(r.detector):
                    wanted[r.detector or ""] = r
        # both branches of the digit gate need an ASCII digit: without one, skip compiling it
        if rs._digit_detectors and (batch.digits if batch is not None else
                                    any(d in norm for d in "0123456789") and _digits().search(norm)):
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
        return self._verdict(text, norm, hits, self._candidates(norm.text, hits), to, lang, explain)

    def check_many(
        self,
        texts: Sequence[str],
        tos: Sequence[str | None] | None = None,
        lang: str | None = None,
        explain: bool = False,
        flagged_only: bool = False,
    ) -> list[Verdict]:
        """Check a batch of messages (``tos[i]`` is message i's destination): the same verdicts
        as ``[check(t, to) for t, to in zip(texts, tos)]``, several times faster for chat logs.

        ``flagged_only``: a message that is not flagged may come back as a plain pass (score 0)
        instead of its sub-threshold score; flagged messages are unaffected.  Messages whose
        every candidate lacks all of its rule's required signals are then not scored at all."""
        tos = tos if tos is not None else [None] * len(texts)
        if len(texts) < 2 or not self._can_batch():
            return [self.check(t, to, lang, explain) for t, to in zip(texts, tos)]
        joined = _SEP.join(texts)
        if joined.count(_SEP) != len(texts) - 1:  # a message holds the separator itself
            return [self.check(t, to, lang, explain) for t, to in zip(texts, tos)]
        norm = normalise(joined)
        parts = norm.text.split(_SEP)  # each message's normalised text
        # Start of message k: in the batch text o_at[k] + k, in the normalised text n_at[k] + k
        # (the k separators before it).
        o_at = list(accumulate(map(len, texts), initial=0))
        n_at = [x + k for k, x in enumerate(accumulate(map(len, parts), initial=0))]
        batch = _Batch(self, norm.text, n_at)
        hits_of, armed = self._split(batch)
        digits = self._digit_messages(norm.text, n_at)
        out = list(map(passed, map(len, texts)))  # a message without a term, gate or digit run
        for k in sorted(armed.union(digits)):
            found = hits_of(k)
            batch.at(k, k in digits)
            if flagged_only and self._hopeless(found, batch):
                continue
            own = parts[k]
            hits = self._hits(own, found, n_at[k])
            if k not in digits and not any(h.kind in "rg" for h in hits):
                continue
            candidates = self._candidates(own, hits, batch)
            if candidates and not (flagged_only and self._capped(candidates, hits)):
                o0 = o_at[k] + k
                own_norm = _slice(norm, own, texts[k], o0, o0 + len(texts[k]), n_at[k])
                out[k] = self._verdict(texts[k], own_norm, hits, candidates, tos[k], lang, explain)
        return out

    def _capped(self, candidates: list[Candidate], hits: list[Hit]) -> bool:
        """Whether every candidate is held below the warn threshold by its rule's ``requires``:
        none of the required signals occurs as a cue or is lent by another candidate."""
        signals: set[str] | None = None
        for cand in candidates:
            requires = cand.rule.requires
            if not requires:
                return False
            if signals is None:
                cues = self.ruleset.cues
                signals = {cues[h.index].signal for h in hits if h.kind == "c"}
                signals.update(c.rule.provides[0] for c in candidates if c.rule.provides is not None)
            if not signals.isdisjoint(requires):
                return False
        return True

    def _hopeless(self, found: list[tuple[int, int]], batch: _Batch) -> bool:
        """What :meth:`_capped` would say, decided from a message's raw matcher hits before
        any Hit or Candidate is built: True only if no detector can run in the message and
        every rule term's rule lacks all of its required signals among the cues and what the
        terms lend.  The raw hits include the few an ASCII word-boundary test would drop, so
        the rules and signals seen here are a superset of :meth:`_capped`'s, which can only
        make this answer False where that one is True, never the other way round."""
        if batch.digits:
            return False
        info = self._key_info
        signals: set[str] = set()
        requires: list[frozenset[str]] = []
        for _, idx in found:
            needs, lends, cues, gates = info[idx]
            if needs is None or any(map(batch.may_find, gates)):
                return False
            requires.extend(needs)
            signals.update(lends, cues)
        return all(map(signals.isdisjoint, requires))

    def _can_batch(self) -> bool:
        """Joining messages with the separator is safe when no key contains it."""
        if self._batch_ok is None:
            rs = self.ruleset
            self._batch_ok = not any(_SEP in k for k in rs._matcher.keys)
            self._key_info = [self._about(idx) for idx in range(len(rs._codes))]
            # Per key: 1 if it is a rule term, else 2 if it only opens detector gates, else 0.
            trigger = bytearray(len(rs._codes))
            for idx, c in enumerate(rs._codes):
                kinds = {KINDS[c & 3]} if c >= 0 else {kind for kind, _ in rs._multi[-c - 1]}
                trigger[idx] = 1 if "r" in kinds else 2 if "g" in kinds else 0
            self._trigger = bytes(trigger)
        return self._batch_ok

    def _split(self, batch: _Batch) -> tuple[Callable[[int], list[tuple[int, int]]], set[int]]:
        """The matcher's hits in a batch: a function giving message k's hits (code points, batch
        coordinates), and the messages that may produce a candidate: those with a rule term,
        and those with a detector gate where that detector's prefilter matches.

        Only the hits of rule terms and gates are looked at one by one here (in UTF-16 offsets,
        as the automaton gives them); the hits of a message are converted when it is checked."""
        norm, n_at = batch.norm, batch.n_at
        raw, highs = self.ruleset._matcher.find_units(norm)
        trigger = self._trigger
        assert trigger is not None
        ends = list(map(itemgetter(0), raw))
        kinds = bytes(map(trigger.__getitem__, map(itemgetter(1), raw)))
        # Offsets: a hit's u is a byte offset in the UTF-16 text (unit u >> 1); an astral
        # character takes two units, so the units before code point x are x + (astral before x).
        astral = [h - i for i, h in enumerate(highs)]  # code points of the astral characters

        def hits_of(k: int) -> list[tuple[int, int]]:
            a, b = n_at[k], n_at[k + 1]
            if highs:
                a, b = a + bisect_left(astral, a), b + bisect_left(astral, b)
            lo, hi = bisect_left(ends, 2 * a), bisect_left(ends, 2 * b)
            if highs:
                return [((u >> 1) - bisect_left(highs, u >> 1), idx) for u, idx in raw[lo:hi] if u & 1]
            return [(u >> 1, idx) for u, idx in raw[lo:hi] if u & 1]

        armed: set[int] = set()
        gated: set[int] = set()
        gates: set[int] = set()  # keys that opened a gate
        for m in _TRIGGERS.finditer(kinds):
            i = m.start()
            unit = ends[i] >> 1
            k = bisect_right(n_at, unit - bisect_left(highs, unit) if highs else unit) - 1
            if kinds[i] == 1:
                armed.add(k)
            else:
                gated.add(k)
                gates.add(raw[i][1])
        gated -= armed
        if gated:
            # A gated message goes on if the prefilter of a detector gated in this batch matches
            # in it (a superset of "of a detector gated in it": the extra ones find nothing).
            rules = self.ruleset.rules
            passing: set[int] = set()
            for kind in {rules[i].detector for idx in gates for i in self._gated_rules(idx)}:
                where = batch.prefiltered(kind)
                if where is None:
                    passing = gated
                    break
                passing |= where
            armed |= gated & passing
        return hits_of, armed

    def _prefilter(self, kind: str | None) -> re.Pattern[str] | None:
        """A detector's compiled prefilter (None: it has none)."""
        if kind not in self._prefilters:
            from . import detectors

            source = getattr(detectors, "PREFILTERS", {}).get(kind)
            self._prefilters[kind] = re.compile(source) if source else None
        return self._prefilters[kind]

    def _about(self, idx: int) -> tuple[tuple[frozenset[str], ...] | None, tuple[str, ...], tuple[str, ...],
                                        tuple[str | None, ...]]:
        """For :meth:`_hopeless`, what a hit of key ``idx`` brings: the ``requires`` of its
        rules (None if one of them requires nothing), the signals those rules lend, its cues'
        signals and the detectors it gates."""
        rs = self.ruleset
        c = rs._codes[idx]
        pairs = [(KINDS[c & 3], c >> 2)] if c >= 0 else rs._multi[-c - 1]
        rules = [rs.rules[i] for kind, i in pairs if kind == "r"]
        needs = None if any(not r.requires for r in rules) else tuple(frozenset(r.requires) for r in rules)
        lends = tuple(r.provides[0] for r in rules if r.provides is not None)
        cues = tuple(rs.cues[i].signal for kind, i in pairs if kind == "c")
        gates = tuple(rs.rules[i].detector for kind, i in pairs if kind == "g")
        return needs, lends, cues, gates

    def _gated_rules(self, idx: int) -> list[int]:
        c = self.ruleset._codes[idx]
        pairs = [(KINDS[c & 3], c >> 2)] if c >= 0 else self.ruleset._multi[-c - 1]
        return [i for kind, i in pairs if kind == "g"]

    def _digit_messages(self, norm: str, n_at: list[int]) -> set[int]:
        """Messages holding a digit stretch (the gate of the digit-based detectors)."""
        out: set[int] = set()
        if not self.ruleset._digit_detectors:
            return out
        digits = _digits()
        m = digits.search(norm)
        while m is not None:
            k = bisect_right(n_at, m.start()) - 1
            out.add(k)
            m = digits.search(norm, n_at[k + 1])
        return out

    def _candidates(self, norm: str, hits: list[Hit], batch: _Batch | None = None) -> list[Candidate]:
        """Rule-term hits (the longest of nested ones) and detector findings."""
        rules = self.ruleset.rules
        candidates = [Candidate(rules[h.index], h.start, h.end, None, "", "", "", False) for h in hits if h.kind == "r"]
        return _cap(_prune_overlaps(_cap(candidates, 4 * MAX_PER_RULE)) + self._detections(norm, hits, batch),
                    MAX_PER_RULE)

    def _verdict(
        self,
        text: str,
        norm: Normalised,
        hits: list[Hit],
        candidates: list[Candidate],
        to: str | None,
        lang: str | None,
        explain: bool,
    ) -> Verdict:
        if not candidates:
            return Verdict("pass", 0.0, (), len(text))
        cues = _prune_cues(_cap_hits([h for h in hits if h.kind == "c"], MAX_PER_CUE))
        case_kw = {self.ruleset._case_ids[h.index] for h in hits if h.kind == "k"}
        dest = self._destination(to)
        return self._score(text, norm, candidates, cues, case_kw, dest, lang or self.lang, explain)

    def _destination(self, to: str | None) -> tuple[Step, ...]:
        if not to:
            return ()
        cached = self._dest.get(to)
        if cached is not None:
            return cached
        steps: dict[str, Step] = {}
        for h in self.hits(normalise(to).text):
            if h.kind != "c":
                continue
            cue = self.ruleset.cues[h.index]
            if cue.signal in ("channel", "work_channel"):
                prev = steps.get(cue.signal)
                if prev is None or abs(cue.weight) > abs(prev.delta):
                    steps[cue.signal] = Step("destination", cue.weight, f"{cue.signal}:{cue.feature}:{to}")
        if len(self._dest) >= _DEST_CACHE:
            self._dest.clear()
        self._dest[to] = out = tuple(steps.values())
        return out

    def _score(
        self,
        text: str,
        norm: Normalised,
        candidates: list[Candidate],
        cues: list[Hit],
        case_kw: set[str],
        dest: Sequence[Step],
        lang: str,
        explain: bool,
    ) -> Verdict:
        rs = self.ruleset
        warn, block = rs.thresholds["warn"], rs.thresholds["block"]
        provided = _provided(candidates)
        aggregate = _aggregate(candidates)
        scored: list[tuple[float, Candidate, str, tuple[Step, ...], set[str]]] = []
        notes: list[Finding] = []
        note_top: float | None = None
        said: dict[int, str] = {}  # cue hit → its detail text

        def steps_of(rule: Rule, raw: list[_Raw]) -> tuple[Step, ...]:
            """The steps in full (only for what is reported: most candidates end as a number)."""
            out = []
            for kind, delta, detail in raw:
                if detail is None:
                    detail = f"{rule.code} {rule.severity}"
                elif isinstance(detail, int):
                    n = detail
                    detail = said.get(n)
                    if detail is None:
                        h = cues[n]
                        said[n] = detail = f"{rs.cues[h.index].signal}: {_orig(norm, h.start, h.end)}"
                out.append(Step(kind, delta, detail))
            return tuple(out)

        for cand in candidates:
            rule = cand.rule
            raw: list[_Raw] = [("base", rule.base, None)]
            if cand.valid is True:
                raw.append(("validator", 0.5, cand.detail))
            elif cand.valid is False:
                if rule.invalid == "drop":
                    continue
                raw.append(("validator", -rule.base, cand.detail))
            signals: dict[str, _Raw] = {}
            features: set[str] = set(rule.features)
            for n, h in enumerate(cues):
                cue = rs.cues[h.index]
                if cue.applies_to and rule.category not in cue.applies_to:
                    continue
                if cue.scope == "near" and (h.end < cand.start - cue.window or h.start > cand.end + cue.window):
                    continue
                if h.start < cand.end and cand.start < h.end and cue.weight > 0:
                    continue  # a cue word inside the match itself is not extra evidence
                if cue.feature:
                    features.add(cue.feature)
                _keep_strongest(signals, cue.signal, ("cue" if cue.weight >= 0 else "damper", cue.weight, n))
            for (cat, sig), (weight, who, span) in provided.items():
                # evidence is lent only within a category: a 确诊 in a news item does not make
                # a rumour or a lab-report mention "about a patient"
                if cat != rule.category or span == (cand.start, cand.end) or who == rule.code or sig in signals:
                    continue
                _keep_strongest(signals, sig, ("cue", weight, f"{sig}: {who}"))
            missing = [s for s in rule.requires if s not in signals or signals[s][1] <= 0]
            raw.extend(signals.values())
            raw.extend((d.kind, d.delta, d.detail) for d in dest)
            severity = rule.severity
            if aggregate and cand.kind in _PERSON_KINDS:
                raw.append(("aggregate", 2.0, aggregate))
                severity = "critical"
            score = sum(delta for _, delta, _ in raw)
            if rule.requires and len(missing) == len(rule.requires):
                raw.append(("requires", 0.0, "missing: " + ", ".join(rule.requires)))
                score = min(score, warn - 0.01)
            if score >= warn:
                scored.append((score, cand, severity, steps_of(rule, raw), features))
            elif explain:
                notes.append(self._finding(text, norm, cand, severity, score, steps_of(rule, raw), features,
                                           case_kw, lang))
            elif note_top is None or score > note_top:
                note_top = score  # a note is only reported with explain; its score still counts
        findings = [
            self._finding(text, norm, cand, severity, score, steps, features, case_kw, lang)
            for score, cand, severity, steps, features in _dedupe(norm, scored)
        ]
        if findings:
            top = max(f.score for f in findings)
        elif notes:
            top = max(f.score for f in notes)
        else:
            top = note_top if note_top is not None else 0.0
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
        """The case whose features best fit the evidence; ``fit`` in 0..1.

        fit = 0.35 × prior (listed in the rule's precedents, first highest) + 0.15 × same
        category + 0.3 × feature overlap + 0.2 × a case keyword occurs; best (fit, rank) wins.
        """
        best: tuple[float, int] | None = None
        best_case: CaseInfo | None = None
        for case, base, rank, denom in self._eligible(rule):
            kw = 1.0 if case.id in case_kw else 0.0
            fit = base + 0.3 * min(1.0, len(features & case.features) / denom) + 0.2 * kw
            if best is None or (fit, rank) > best:
                best, best_case = (fit, rank), case
        if best is None or best_case is None or best[0] <= 0:
            return None
        case = best_case
        shared = tuple(sorted(features & case.features))
        if case.id in case_kw:
            shared = ("keyword",) + shared
        return CaseRef(case.id, case.summary.get(lang, case.summary["zh"]), min(1.0, best[0]), shared)

    def _eligible(self, rule: Rule) -> list[tuple[CaseInfo, float, int, int]]:
        """Per rule, the cases it may cite with the evidence-independent part of their fit."""
        table = self._cases.get(rule.code)
        if table is None:
            table = []
            for case in self.ruleset.cases.values():
                if case.parent:
                    continue
                prior = 0.0
                if case.id in rule.precedents:
                    prior = 1.0 - 0.15 * rule.precedents.index(case.id)
                elif not case.messaging_leak:
                    continue  # not a messaging leak: cited only when a rule lists it
                same = 1.0 if case.category == rule.category else 0.0
                rank = -rule.precedents.index(case.id) if case.id in rule.precedents else -99
                table.append((case, 0.35 * prior + 0.15 * same, rank, max(3, min(len(case.features), 6))))
            self._cases[rule.code] = table
        return table


class _Batch:
    """One batch of :meth:`Scanner.check_many`: its normalised text, where each message
    starts in it, and, per detector, the messages where the detector's prefilter matches
    (found with one scan of the batch, on first need).  The prefilters never match the
    separator, so a match lies within one message.  ``at(k, digits)`` selects the message
    whose detectors :meth:`Scanner._detections` is about to run."""

    __slots__ = ("_found", "_scanner", "digits", "k", "n_at", "norm")

    def __init__(self, scanner: Scanner, norm: str, n_at: list[int]) -> None:
        self._scanner = scanner
        self.norm = norm
        self.n_at = n_at
        self._found: dict[str | None, set[int] | None] = {}
        self.k = -1
        self.digits = False

    def prefiltered(self, kind: str | None) -> set[int] | None:
        """The messages where ``kind``'s prefilter matches (None: the detector has none)."""
        if kind not in self._found:
            pattern = self._scanner._prefilter(kind)
            n_at = self.n_at
            self._found[kind] = None if pattern is None else {
                bisect_right(n_at, m.start()) - 1 for m in pattern.finditer(self.norm)}
        return self._found[kind]

    def at(self, k: int, digits: bool) -> None:
        self.k, self.digits = k, digits

    def may_find(self, kind: str | None) -> bool:
        """Whether ``kind``'s detector can find anything in the current message."""
        where = self.prefiltered(kind)
        return where is None or self.k in where


@lru_cache(maxsize=4096)
def passed(length: int) -> Verdict:
    """The verdict of a message that cannot produce a finding (shared: verdicts are immutable)."""
    return Verdict("pass", 0.0, (), length) if length else Verdict("pass", 0.0, ())


def _slice(norm: Normalised, own: str, text: str, o0: int, o1: int, n0: int) -> Normalised:
    """The part of a batch's Normalised that belongs to one message: what normalise(text) gives.

    The message spans [o0, o1) of the original batch text; the pieces starting inside it
    (a removed run ends there) are its pieces, moved to the message's coordinates.
    """
    if norm.identity:
        return Normalised(own, text)
    o_starts = norm.o_starts
    j0 = bisect_right(o_starts, o0)
    j1 = bisect_right(o_starts, o1)
    if j0 == j1:
        return Normalised(own, text)
    n_starts = norm.n_starts
    return Normalised(
        own, text,
        (0,) + tuple(n_starts[j] - n0 for j in range(j0, j1)),
        (0,) + tuple(o_starts[j] - o0 for j in range(j0, j1)),
    )


def _digits() -> re.Pattern[str]:
    """What a text needs for a digit detector (ID, phone, card number) to match: a stretch of
    digits, which may be grouped with spaces or dashes (138 0013 8000), or a bracketed area code."""
    global _DIGITS
    if _DIGITS is None:
        from .digitgate import GATE

        _DIGITS = re.compile(GATE)
    return _DIGITS


def _orig(norm: Normalised, start: int, end: int) -> str:
    a, b = norm.to_original(start, end)
    return norm.original[a:b]


def _keep_strongest(signals: dict[str, _Raw], signal: str, step: _Raw) -> None:
    prev = signals.get(signal)
    if prev is None or abs(step[1]) > abs(prev[1]):
        signals[signal] = step


# A hostile or huge message (the same word 10,000 times) must not make scoring quadratic:
# only the first hits of each rule and each cue are scored.  Ordinary messages never get close.
MAX_PER_RULE = 16
MAX_PER_CUE = 32


def _cap(cands: list[Candidate], limit: int) -> list[Candidate]:
    seen: dict[str, int] = {}
    out: list[Candidate] = []
    for c in cands:
        n = seen.get(c.rule.code, 0)
        if n < limit:
            seen[c.rule.code] = n + 1
            out.append(c)
    return out


def _cap_hits(hits: list[Hit], limit: int) -> list[Hit]:
    if len(hits) <= limit:
        return hits
    seen: dict[int, int] = {}
    out: list[Hit] = []
    for h in hits:
        n = seen.get(h.index, 0)
        if n < limit:
            seen[h.index] = n + 1
            out.append(h)
    return out


def _prune_overlaps(cands: list[Candidate]) -> list[Candidate]:
    """Drop a term hit inside a longer hit of the same category (调查报告 ⊃ 报告)."""
    cands.sort(key=lambda c: (c.start, -(c.end - c.start)))
    kept: list[Candidate] = []
    for c in cands:
        if any(k.start <= c.start and c.end <= k.end and k.rule.category == c.rule.category for k in kept):
            continue
        kept.append(c)
    return kept


def _dedupe(norm: Normalised, scored: list[_T]) -> list[_T]:
    """Best first; drop a finding that overlaps a stronger one of the same category.

    ``scored`` holds (score, candidate, …) tuples; spans are compared in original coordinates.
    """
    spans = [norm.to_original(x[1].start, x[1].end) for x in scored]
    order = sorted(range(len(scored)), key=lambda i: (-scored[i][0], spans[i][0]))
    kept: list[int] = []
    for i in order:
        cat, (a, b) = scored[i][1].rule.category, spans[i]
        if any(scored[k][1].rule.category == cat and a < spans[k][1] and spans[k][0] < b for k in kept):
            continue
        kept.append(i)
    return [scored[i] for i in kept]


def _prune_cues(cues: list[Hit]) -> list[Hit]:
    """Drop a cue word inside a longer cue word (官方 inside 官方还没): the longer one speaks.

    A hit lies inside a longer one when another starts before it and ends at or after its end,
    or starts with it and ends after it.  One sweep in (start, longest first) order finds them.
    """
    if len(cues) < 2:
        return cues
    order = sorted(range(len(cues)), key=lambda i: (cues[i].start, -cues[i].end))
    inside = [False] * len(cues)
    reach = -1  # furthest end of the hits starting before the current start
    group_start, group_end, group_reach = -1, -1, -1
    for i in order:
        h = cues[i]
        if h.start != group_start:
            reach = max(reach, group_reach)
            group_start, group_end = h.start, h.end
        group_reach = max(group_reach, h.end)
        inside[i] = reach >= h.end or h.end < group_end
    return [h for h, drop in zip(cues, inside) if not drop]


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
