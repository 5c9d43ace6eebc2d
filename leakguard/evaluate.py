"""Score the checker against labelled drafts (JSONL: id, text, label risky|benign, category, precedent)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .model import LeakguardError
from .scanner import Scanner

RISKY_CATEGORIES = ("document", "meeting", "personal_data", "unreleased_decision", "rumor")


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    text: str
    label: str
    category: str
    precedent: str


@dataclass
class Prediction:
    id: str
    label: str
    precedent: str
    category: str
    score: float


@dataclass
class Report:
    n: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    per_category: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    precedent_hits: int = 0
    risky: int = 0
    flagged_risky: int = 0
    missed: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)
    wrong_precedent: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def benign_pass_rate(self) -> float:
        return self.tn / (self.tn + self.fp) if self.tn + self.fp else 0.0

    @property
    def precedent_match(self) -> float:
        return self.precedent_hits / self.risky if self.risky else 0.0

    @property
    def precedent_match_flagged(self) -> float:
        return self.precedent_hits / self.flagged_risky if self.flagged_risky else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "items": self.n,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "benign_pass_rate": round(self.benign_pass_rate, 4),
            "precedent_match": round(self.precedent_match, 4),
            "precedent_match_flagged": round(self.precedent_match_flagged, 4),
            "confusion": {"tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn},
            "per_category": {
                c: {"correct": k, "total": n, "rate": round(k / n, 4) if n else 0.0}
                for c, (k, n) in sorted(self.per_category.items())
            },
            "missed": self.missed,
            "false_alarms": self.false_alarms,
            "wrong_precedent": self.wrong_precedent,
        }


def read_items(path: Path) -> Iterator[Item]:
    from .textio import read_text

    for lineno, line in enumerate(read_text(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
        except json.JSONDecodeError as e:
            raise LeakguardError(f"{path}:{lineno}: invalid JSON ({e.msg})") from None
        if not isinstance(d, dict) or not isinstance(d.get("text"), str):
            raise LeakguardError(f"{path}:{lineno}: each line needs an object with a string 'text'")
        label = d.get("label", "")
        if label not in ("risky", "benign"):
            raise LeakguardError(f"{path}:{lineno}: 'label' must be risky or benign, got {label!r}")
        yield Item(str(d.get("id", f"line-{lineno}")), d["text"], label, str(d.get("category", "")),
                   str(d.get("precedent", "") or ""))


def predict(scanner: Scanner, item: Item) -> Prediction:
    v = scanner.check(item.text)
    top = v.findings[0] if v.findings else None
    return Prediction(
        id=item.id,
        label="risky" if v.flagged else "benign",
        precedent=top.precedent.id if top and top.precedent else "",
        category=top.category if top else "",
        score=v.score,
    )


def evaluate(scanner: Scanner, items: Iterable[Item], predictions: list[Prediction] | None = None) -> Report:
    rep = Report()
    for item in items:
        p = predict(scanner, item)
        if predictions is not None:
            predictions.append(p)
        rep.n += 1
        y, yhat = item.label == "risky", p.label == "risky"
        rep.tp += y and yhat
        rep.fp += (not y) and yhat
        rep.fn += y and not yhat
        rep.tn += (not y) and not yhat
        if item.category:
            rep.per_category[item.category][0] += y == yhat
            rep.per_category[item.category][1] += 1
        if y:
            rep.risky += 1
            if yhat:
                rep.flagged_risky += 1
                if item.precedent and p.precedent == item.precedent:
                    rep.precedent_hits += 1
                elif item.precedent:
                    rep.wrong_precedent.append(f"{item.id} ({p.precedent or '-'} ≠ {item.precedent})")
            else:
                rep.missed.append(item.id)
        elif yhat:
            rep.false_alarms.append(item.id)
    return rep


def render(rep: Report) -> str:
    lines = [
        (f"items: {rep.n}   risky-vs-benign  P={rep.precision:.3f}  R={rep.recall:.3f}  F1={rep.f1:.3f}  "
         f"(tp={rep.tp} fp={rep.fp} fn={rep.fn} tn={rep.tn})"),
        f"benign pass rate: {rep.benign_pass_rate:.3f}",
        (f"precedent match: {rep.precedent_hits}/{rep.risky} = {rep.precedent_match:.3f} of risky items; "
         f"{rep.precedent_match_flagged:.3f} of flagged risky items"),
        "per category:",
    ]
    for c, (k, n) in sorted(rep.per_category.items(), key=lambda kv: (kv[0] not in RISKY_CATEGORIES, kv[0])):
        side = "recall" if c in RISKY_CATEGORIES else "pass rate"
        lines.append(f"  {c:<20} {side:<10} {k}/{n} = {k / n:.3f}" if n else f"  {c}: 0")
    if rep.missed:
        lines.append("missed (risky passed): " + " ".join(rep.missed))
    if rep.false_alarms:
        lines.append("false alarms (benign flagged): " + " ".join(rep.false_alarms))
    if rep.wrong_precedent:
        lines.append("wrong precedent: " + "; ".join(rep.wrong_precedent))
    return "\n".join(lines)
