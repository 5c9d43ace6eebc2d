"""SARIF 2.1.0 for code-scanning dashboards (``--format sarif`` on check and scan).

One run; ``columnKind: unicodeCodePoints`` so columns, ``charOffset`` and ``charLength`` count
code points, like every leakguard position.  Each rule carries its docs: name, category,
severity, advice and the summary of its first precedent.  Each result carries a region, a
fingerprint in ``partialFingerprints`` (the baseline fingerprint of the *shown* match), and the
shown match only (masked for personal data): the raw value of a sensitive finding never
appears, not even hashed (a hash of a phone number is reversed by trying the 10^4 numbers its
mask leaves open).

The writer streams: results are written as they come (``scan`` of a large log keeps only the
rule table in memory), the tool and its rules are written at the end.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from .. import __version__
from ..i18n import t
from ..model import Finding

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
FINGERPRINT_KEY = "leakguardFindingHash/v1"
_LEVEL = {"info": "note", "low": "note", "medium": "warning", "high": "error", "critical": "error"}


def artifact_uri(source: str) -> str:
    """A relative URI reference for a source name (``<stdin>`` → ``%3Cstdin%3E``)."""
    return quote(source, safe="/!-._~")


class SarifWriter:
    def __init__(self, out: IO[str], ruleset: Any, lang: str = "zh", root: Path | None = None):
        self.out, self.ruleset, self.lang = out, ruleset, lang
        self.root = root if root is not None else Path.cwd()
        self.block = float(ruleset.thresholds["block"]) if ruleset is not None else 5.0
        self.rule_index: dict[str, int] = {}
        self.rules: list[dict[str, Any]] = []
        self.count = 0
        out.write('{\n "$schema": ' + json.dumps(SARIF_SCHEMA) + ',\n "version": "2.1.0",\n "runs": [{\n'
                  '  "columnKind": "unicodeCodePoints",\n  "results": [')

    def add(self, label: str, f: Finding, text: str | None = None, line: int | None = None,
            properties: dict[str, Any] | None = None) -> None:
        """One result.  ``text`` (check): exact region; ``line`` (scan): the record's line only."""
        from ..baseline import fingerprint, source_key

        source = source_key(label, self.root)
        location: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(source)}}
        region = _region(f, text) if text is not None and not f.location else ({"startLine": line} if line else None)
        if region:
            location["region"] = region
        result: dict[str, Any] = {
            "ruleId": f.code,
            "ruleIndex": self._rule(f),
            "level": "error" if f.score >= self.block else "warning",
            "message": {"text": self._message(f)},
            "locations": [{"physicalLocation": location}],
            # personal data is hashed in its masked form: the hash of a raw phone number is
            # reversed by trying the 10^4 numbers its mask (in the message) leaves open
            "partialFingerprints": {FINGERPRINT_KEY: fingerprint(f.code, source, f.shown(False))},
            "properties": {
                "category": f.category, "severity": f.severity, "score": round(f.score, 3),
                "precedent": f.precedent.id if f.precedent else None,
                **({"location": f.location} if f.location else {}),
                **(properties or {}),
            },
        }
        self.out.write(("\n   " if self.count == 0 else ",\n   ") + json.dumps(result, ensure_ascii=False))
        self.count += 1

    def close(self, exit_code: int | None = None) -> None:
        tool = {"driver": {"name": "leakguard", "version": __version__, "semanticVersion": __version__,
                           "rules": self.rules}}
        self.out.write("\n  ],\n  \"tool\": " + json.dumps(tool, ensure_ascii=False))
        if exit_code is not None:
            inv = [{"executionSuccessful": exit_code in (0, 1), "exitCode": exit_code}]
            self.out.write(",\n  \"invocations\": " + json.dumps(inv))
        self.out.write("\n }]\n}\n")

    # ------------------------------------------------------------------ rules

    def _rule(self, f: Finding) -> int:
        i = self.rule_index.get(f.code)
        if i is None:
            i = self.rule_index[f.code] = len(self.rules)
            self.rules.append(self._descriptor(f))
        return i

    def _descriptor(self, f: Finding) -> dict[str, Any]:
        lang = self.lang
        rule = self.ruleset.rule(f.code) if self.ruleset is not None else None
        name = rule.name.get(lang, rule.name["zh"]) if rule else (f.name or f.code)
        advice = rule.advice.get(lang, rule.advice["zh"]) if rule else f.advice
        doc = rule.doc.get(lang, rule.doc.get("zh", "")) if rule and rule.doc else ""
        precedents = list(rule.precedents) if rule else ([f.precedent.id] if f.precedent else [])
        summary = self._summary(precedents[0]) if precedents else ""
        severity = rule.severity if rule else f.severity
        colon = "：" if lang == "zh" else ": "
        help_text = t("advice", lang) + colon + advice
        if summary:
            help_text += "\n" + t("precedent", lang) + colon + summary
        return {
            "id": f.code,
            "name": name,
            "shortDescription": {"text": name},
            "fullDescription": {"text": doc or f"{name} · {t(f.category, lang)} · {t(severity, lang)}"},
            "help": {"text": help_text},
            "defaultConfiguration": {"level": _LEVEL.get(severity, "warning")},
            "properties": {"category": f.category, "severity": severity, "precedents": precedents,
                           "tags": ["leak", f.category]},
        }

    def _summary(self, case_id: str) -> str:
        case = self.ruleset.cases.get(case_id) if self.ruleset is not None else None
        return case.summary.get(self.lang, case.summary["zh"]) if case else ""

    def _message(self, f: Finding) -> str:
        shown = f.shown(False)
        if self.lang == "zh":
            text = f"{f.name}「{shown}」（{t(f.category, 'zh')}，得分 {f.score:.1f}）。{f.advice}"
        else:
            text = f"{f.name} “{shown}” ({t(f.category, 'en')}, score {f.score:.1f}). {f.advice}"
        if f.precedent:
            text += f" [{f.precedent.id}]"
        return text


def _region(f: Finding, text: str) -> dict[str, Any] | None:
    from ..normalise import line_col

    if f.line < 1 or f.end > len(text):
        return None
    end_line, end_col = line_col(text, f.end)
    return {
        "startLine": f.line, "startColumn": f.column, "endLine": end_line, "endColumn": end_col,
        "charOffset": f.start, "charLength": f.end - f.start,
    }
