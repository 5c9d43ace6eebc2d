"""Tables of people (LIST-PEOPLE): a header row naming a person column plus identifying columns.

A table qualifies when its header has a name column (姓名 …) and at least one identifying column
(身份证号/证件号码, 联系电话/手机, 住址/地址, 返乡日期/来源地, 诊断/症状 …).  Works on real tables
(docx tables, xlsx sheets: :func:`table_issue`) and on CSV-like blocks of text lines (PDF pages,
OCR rows, pasted text: :func:`lines_issues`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence

from .types import DocIssue, issue

# Checked in this order: the first role whose keyword occurs in a header cell wins
# (so 联系人电话 is a phone column, 联系人 a name column).
ROLE_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("id", ("身份证", "证件号", "身份号码", "护照号", "证件编号")),
    ("phone", ("电话", "手机", "联系方式", "手机号")),
    ("health", ("诊断", "症状", "病情", "病史", "核酸", "检测结果", "体温", "病因")),
    ("travel", ("返乡", "来源地", "来自", "途经", "行程", "旅居", "抵达", "返程", "返回日期")),
    ("address", ("住址", "地址", "居住地", "户籍地", "住所", "现居")),
    ("name", ("姓名", "名字", "患者", "联系人", "户主", "人员名称")),
)
ROLE_ZH = {
    "id": "证件号",
    "phone": "电话",
    "health": "健康/诊断",
    "travel": "行程",
    "address": "住址",
    "name": "姓名",
}
ROLE_EN = {
    "id": "ID number",
    "phone": "phone",
    "health": "health",
    "travel": "travel",
    "address": "address",
    "name": "name",
}
IDENTIFYING = frozenset({"id", "phone", "health", "travel", "address"})
MAX_HEADER_CELL = 12  # longer cells are text, not column titles
HEADER_SCAN_ROWS = 10
FIELD_SPLIT = re.compile(r"\t|[,，;；|｜]|\s{2,}")
SPACE_SPLIT = re.compile(r"\s+")


def severity_for(rows: int) -> str:
    if rows >= 50:
        return "critical"
    if rows >= 10:
        return "high"
    return "medium" if rows >= 3 else "low"


def _norm(cell: str) -> str:
    return re.sub(r"[\s*:：]", "", unicodedata.normalize("NFKC", cell))


def _title_like(text: str) -> bool:
    """Short, no digits, no sentence punctuation: a column title rather than a sentence or a value."""
    return 0 < len(text) <= MAX_HEADER_CELL and not any(ch.isdigit() or ch in "。！？!?" for ch in text)


def cell_role(cell: str) -> str | None:
    text = _norm(cell)
    if not _title_like(text):
        return None
    for role, words in ROLE_KEYWORDS:
        if any(w in text for w in words):
            return role
    return None


def header_roles(cells: Sequence[str]) -> dict[int, str]:
    """Column index -> role, or {} when the row is not a people-table header."""
    roles: dict[int, str] = {}
    for i, cell in enumerate(cells):
        role = cell_role(cell)
        if role and not (role == "name" and "name" in roles.values()):
            roles[i] = role
    if "name" in roles.values() and IDENTIFYING & set(roles.values()):
        return roles
    return {}


def _describe(roles: dict[int, str], rows: int, location: str) -> DocIssue:
    kinds = list(dict.fromkeys(roles[i] for i in sorted(roles)))
    zh = f"含人员名单：{rows} 行，列含{'、'.join(ROLE_ZH[k] for k in kinds)}"
    en = f"contains a list of people: {rows} rows with columns {', '.join(ROLE_EN[k] for k in kinds)}"
    return issue("LIST-PEOPLE", "personal_data", severity_for(rows), location, zh, en, rows=rows)


def _is_person_row(row: Sequence[str], roles: dict[int, str]) -> bool:
    name_col = next(i for i, r in roles.items() if r == "name")
    if name_col >= len(row) or not row[name_col].strip():
        return False
    return any(i < len(row) and row[i].strip() for i, r in roles.items() if r != "name")


def find_header(rows: Sequence[Sequence[str]]) -> tuple[int, dict[int, str]] | None:
    for idx, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        roles = header_roles(row)
        if roles:
            return idx, roles
    return None


def table_issue(rows: Sequence[Sequence[str]], location: str) -> DocIssue | None:
    """LIST-PEOPLE for a grid of cell texts (header within the first rows), or None."""
    found = find_header(rows)
    if found is None:
        return None
    start, roles = found
    count = sum(1 for row in rows[start + 1 :] if _is_person_row(row, roles))
    return _describe(roles, count, location) if count else None


def split_fields(line: str) -> list[str]:
    """Cells of a CSV-like line: tab, comma, semicolon, bar or 2+ spaces; else single spaces."""
    fields = [f.strip() for f in FIELD_SPLIT.split(line.strip()) if f.strip()]
    if len(fields) < 2:
        fields = [f for f in SPACE_SPLIT.split(line.strip()) if f]
    return fields


def split_tabs(line: str) -> list[str]:
    return [f.strip() for f in line.split("\t") if f.strip()]


def lines_issues(
    lines: Sequence[tuple[str, str]], split: Callable[[str], list[str]] = split_fields
) -> list[DocIssue]:
    """LIST-PEOPLE for CSV-like blocks in ``(text line, location)`` pairs.

    A block is a header line (every field a short title, with a name and an identifying column)
    followed by consecutive data lines with at least half as many fields (and at least two); it ends
    at the first line with fewer.  The issue is located at the header line.
    """
    found: list[DocIssue] = []
    i = 0
    while i < len(lines):
        fields = split(lines[i][0])
        roles = header_roles(fields) if all(_title_like(_norm(f)) for f in fields) else {}
        if not roles:
            i += 1
            continue
        need = max(2, (len(fields) + 1) // 2)
        j = i + 1
        while j < len(lines) and len(split(lines[j][0])) >= need:
            j += 1
        if j - i - 1:
            found.append(_describe(roles, j - i - 1, lines[i][1]))
        i = j
    return found


def mentions_name_column(text: str) -> bool:
    """Cheap pre-check: does the text contain any name-column keyword at all?"""
    return any(w in text for w in dict(ROLE_KEYWORDS)["name"])


def text_issues(text: str, location: str) -> list[DocIssue]:
    """LIST-PEOPLE for one text (e.g. a pasted CSV or a PDF page)."""
    return lines_issues([(line, location) for line in text.splitlines()])
