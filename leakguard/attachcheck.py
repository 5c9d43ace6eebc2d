"""Checking attachments (photos, Word, Excel, PDF): extracted text units go through the same
scanner; document-level issues (hygiene, lists of people) become findings of their own.

The attachment readers are imported only when a file looks like an attachment (by its
extension or first bytes), so checking plain text stays fast.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from .model import Finding, Step, Verdict
from .scanner import Scanner

SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".heic", ".heif", ".bmp", ".gif", ".tif", ".tiff",
                      ".docx", ".doc", ".xlsx", ".xlsm", ".xls", ".pdf"})
_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"%PDF", b"PK\x03\x04", b"RIFF", b"GIF8", b"\xd0\xcf\x11\xe0")
_ISSUE_SCORE = {"info": 1.0, "low": 2.0, "medium": 3.5, "high": 5.0, "critical": 6.0}
_ISSUE_PRECEDENT = {
    "LIST-PEOPLE": "zhongshan-returnee-list",
    "HYG-TRACKED-CHANGES": "yinchuan-draft",
    "HYG-COMMENTS": "yinchuan-draft",
    "HYG-HIDDEN": "liujiang-report",
}
_ISSUE_ADVICE = {
    "LIST-PEOPLE": {"zh": "含他人身份和联系方式的名单只在工作系统里处理，不要转发。",
                    "en": "A list of people with their identifiers stays in the work system: do not forward it."},
    "HYG-TRACKED-CHANGES": {"zh": "修订痕迹会暴露讨论过程和删掉的内容：接受或拒绝所有修订后另存为定稿再发。",
                            "en": "Tracked changes reveal deleted text and the drafting history: accept or reject all, then send a clean final copy."},
    "HYG-COMMENTS": {"zh": "批注会暴露内部讨论：删除所有批注后再发。",
                     "en": "Comments reveal internal discussion: delete them before sending."},
    "HYG-HIDDEN": {"zh": "隐藏的文字、工作表或行列仍在文件里：删除后再发。",
                   "en": "Hidden text, sheets, rows or columns are still in the file: delete them before sending."},
    "HYG-METADATA": {"zh": "文件属性里有作者、单位等信息：发送前清除文档属性。",
                     "en": "The file's properties name the author or organisation: clear them before sending."},
    "HYG-GPS": {"zh": "照片带有GPS位置：发送前去掉位置信息（或发截图）。",
                "en": "The photo carries GPS coordinates: strip the location (or send a screenshot)."},
}


def looks_like_attachment(path: Path) -> bool:
    if path.suffix.lower() in SUFFIXES:
        return True
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError:
        return False
    return head.startswith(_MAGIC) or head[4:8] == b"ftyp"


def check_attachment(scanner: Scanner, path: Path, to: str | None, lang: str, explain: bool) -> list[tuple[str, str, Verdict]]:
    """One (label, text, verdict) per text unit with findings, plus one for document issues."""
    from .attachments import extract, kind_of

    if kind_of(path) is None:
        return []
    ex = extract(path)
    out: list[tuple[str, str, Verdict]] = []
    for unit in ex.units:
        if "tracked insertion" in unit.location:
            continue  # its text is already part of the paragraph's final text
        v = scanner.check(unit.text, to=to, lang=lang, explain=explain)
        if not v.findings and not (explain and v.notes):
            continue
        extra: tuple[Step, ...] = ()
        if unit.confidence is not None:
            box = f", box {unit.box}" if unit.box else ""
            extra = (Step("ocr", 0.0, f"OCR confidence {unit.confidence:.2f}{box}"),)
        fs = tuple(replace(f, location=unit.location, steps=f.steps + extra) for f in v.findings)
        notes = tuple(replace(f, location=unit.location) for f in v.notes)
        out.append((f"{path}", unit.text, replace(v, findings=fs, notes=notes)))
    issue_findings = [_issue_finding(scanner, i, lang) for i in ex.issues]
    if issue_findings:
        warn, block = scanner.ruleset.thresholds["warn"], scanner.ruleset.thresholds["block"]
        shown = tuple(f for f in issue_findings if f.score >= warn)
        notes_ = tuple(f for f in issue_findings if f.score < warn)
        top = max((f.score for f in issue_findings), default=0.0)
        verdict = "block" if top >= block else "warn" if top >= warn else "pass"
        if shown or explain:
            out.append((f"{path}", "", Verdict(verdict, top, shown, 0, notes_ if explain else ())))
    return out


def _issue_finding(scanner: Scanner, issue: Any, lang: str) -> Finding:
    severity = issue.severity
    if issue.code == "LIST-PEOPLE":
        severity = "critical" if issue.rows >= 50 else "high" if issue.rows >= 10 else "medium"
    score = _ISSUE_SCORE.get(severity, 1.0)
    detail = issue.detail.get(lang) or issue.detail.get("zh", "")
    precedent = None
    pid = _ISSUE_PRECEDENT.get(issue.code)
    case = scanner.ruleset.cases.get(pid) if pid else None
    if case is not None:
        from .model import CaseRef

        precedent = CaseRef(case.id, case.summary.get(lang, case.summary["zh"]), 0.6, ("document_structure",))
    advice = _ISSUE_ADVICE.get(issue.code, {}).get(lang, "")
    category = issue.category if issue.category in ("document", "personal_data", "marker") else "document"
    return Finding(
        code=issue.code, category=category, severity=severity, start=0, end=0, line=0, column=0,
        match=detail, masked=detail, sensitive=False, score=score,
        steps=(Step("base", score, f"{issue.code} {severity}" + (f"; {issue.rows} rows" if issue.rows else "")),),
        precedent=precedent, advice=advice, name=detail, location=issue.location,
    )
