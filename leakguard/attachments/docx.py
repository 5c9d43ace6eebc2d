"""Word (.docx): body paragraphs and tables, headers/footers, foot/endnotes, comments, tracked changes,
hidden text, document properties and embedded images.

python-docx opens and validates the package; the text walk is done on the XML directly because
python-docx's ``Paragraph.text`` drops deleted text, which is exactly what must not be lost.

Locations: ``paragraph 12``, ``table 1 r3c2``, ``header``/``header 2``, ``footer``, ``footnote 3``,
``comment 2 (author X)``, ``paragraph 4 hidden text``, ``paragraph 3 tracked deletion 1 (author X)``,
``paragraph 3 tracked insertion 1 (author X)``, ``metadata: author``, ``embedded image 1 line 2``.
A paragraph's own unit is its final text (insertions in, deletions and hidden runs out); the
deleted, inserted and hidden pieces are emitted again as their own units so that the text of a
draft's deletions is checked too (insertions therefore appear twice).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import ooxml, people
from .image import read_embedded
from .types import DocIssue, Extraction, TextUnit, issue, join_names, missing_extra

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
P, TBL, TR, TC, T, DEL_T = f"{W}p", f"{W}tbl", f"{W}tr", f"{W}tc", f"{W}t", f"{W}delText"
CONTAINERS = frozenset({f"{W}sdt", f"{W}sdtContent", f"{W}customXml", f"{W}smartTag"})
DELETED = frozenset({f"{W}del", f"{W}moveFrom"})
INSERTED = frozenset({f"{W}ins", f"{W}moveTo"})
BREAKS = {f"{W}tab": "\t", f"{W}br": "\n", f"{W}cr": "\n", f"{W}noBreakHyphen": "-"}
CT = "application/vnd.openxmlformats-officedocument.wordprocessingml."
PART_KINDS = {
    f"{CT}header+xml": "header",
    f"{CT}footer+xml": "footer",
    f"{CT}footnotes+xml": "footnote",
    f"{CT}endnotes+xml": "endnote",
    f"{CT}comments+xml": "comment",
}


@dataclass
class _Para:
    """What one paragraph holds, split by revision state (a builder, local to one walk)."""

    final: list[str] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)
    changes: dict[int, tuple[str, str, list[str]]] = field(
        default_factory=dict
    )  # id(el) -> kind, author, text
    last: str = ""

    def add(self, kind: str, text: str, rev: Any = None) -> None:
        if kind == "hidden":
            if self.last == "hidden" and self.hidden:
                self.hidden[-1] += text
            else:
                self.hidden.append(text)
        elif rev is not None:
            author = rev.get(f"{W}author") or "?"
            self.changes.setdefault(id(rev), (kind, author, []))[2].append(text)
        if kind in ("normal", "insertion"):
            self.final.append(text)
        self.last = kind


def _vanished(run: Any) -> bool:
    rpr = run.find(f"{W}rPr") if run is not None else None
    van = rpr.find(f"{W}vanish") if rpr is not None else None
    return van is not None and van.get(f"{W}val", "true") not in ("0", "false", "off")


def _state(el: Any, para: Any) -> tuple[str, Any]:
    """normal | insertion | deletion | hidden, and the revision element if any."""
    for anc in el.iterancestors():
        if anc is para:
            break
        if anc.tag in DELETED:
            return "deletion", anc
        if anc.tag in INSERTED:
            return "insertion", anc
    return ("hidden", None) if _vanished(el.getparent()) else ("normal", None)


def read_paragraph(p: Any) -> _Para:
    out = _Para()
    for el in p.iter():
        if el.tag in (T, DEL_T):
            kind, rev = _state(el, p)
            out.add(kind, el.text or "", rev)
        elif el.tag in BREAKS and el.getparent().tag == f"{W}r":
            kind, rev = _state(el, p)
            if kind in ("normal", "insertion"):
                out.final.append(BREAKS[el.tag])
    return out


def paragraphs(el: Any) -> Iterator[Any]:
    """w:p elements under ``el``, not descending into paragraphs (text boxes stay with their anchor)."""
    for child in el:
        if child.tag == P:
            yield child
        elif isinstance(child.tag, str):
            yield from paragraphs(child)


def blocks(el: Any) -> Iterator[Any]:
    """Top-level w:p and w:tbl in document order, looking through content controls."""
    for child in el:
        if child.tag in (P, TBL):
            yield child
        elif child.tag in CONTAINERS:
            yield from blocks(child)


class _Walk:
    """Accumulates units and revision/hidden counts over one document."""

    def __init__(self) -> None:
        self.units: list[TextUnit] = []
        self.counts = {"insertion": 0, "deletion": 0, "hidden": 0}
        self.authors: list[str] = []
        self.first: dict[str, str] = {}

    def emit(self, paras: list[_Para], where: str) -> str:
        text = "\n".join("".join(p.final) for p in paras).strip()
        if text:
            self.units.append(TextUnit(text, where))
        for para in paras:
            self._extras(para, where)
        return text

    def _extras(self, para: _Para, where: str) -> None:
        for piece in para.hidden:
            self._count("hidden", where)
            if piece.strip():
                self.units.append(TextUnit(piece, f"{where} hidden text"))
        for kind, author, pieces in para.changes.values():
            n = self._count(kind, where)
            self.authors.append(author)
            if "".join(pieces).strip():
                self.units.append(TextUnit("".join(pieces), f"{where} tracked {kind} {n} (author {author})"))

    def _count(self, kind: str, where: str) -> int:
        self.counts[kind] += 1
        self.first.setdefault(kind, where)
        return self.counts[kind]

    def issues(self) -> list[DocIssue]:
        found: list[DocIssue] = []
        ins, dels = self.counts["insertion"], self.counts["deletion"]
        if ins or dels:
            who = join_names(self.authors)
            found.append(
                issue(
                    "HYG-TRACKED-CHANGES",
                    "document",
                    "high" if dels else "medium",
                    self.first.get("deletion") or self.first["insertion"],
                    f"文档含未接受的修订：{ins} 处插入、{dels} 处删除（修订人：{who}），被删除的文字仍保存在文件中",
                    f"unaccepted tracked changes: {ins} insertion(s), {dels} deletion(s) by {who}; "
                    "deleted text is still inside the file",
                )
            )
        if self.counts["hidden"]:
            n = self.counts["hidden"]
            found.append(
                issue(
                    "HYG-HIDDEN",
                    "document",
                    "medium",
                    self.first["hidden"],
                    f"文档含 {n} 处隐藏文字（屏幕上看不到，但随文件发出）",
                    f"{n} piece(s) of hidden text: invisible on screen but sent with the file",
                )
            )
        return found


def _body(walk: _Walk, body: Any) -> list[DocIssue]:
    issues: list[DocIssue] = []
    lines: list[tuple[str, str]] = []
    n_para = n_tbl = 0
    for block in blocks(body):
        if block.tag == P:
            n_para += 1
            text = walk.emit([read_paragraph(block)], f"paragraph {n_para}")
            lines += [(line, f"paragraph {n_para}") for line in text.splitlines()]
            continue
        n_tbl += 1
        grid = _table(walk, block, f"table {n_tbl}")
        found = people.table_issue(grid, f"table {n_tbl}")
        issues += [found] if found else []
    return people.lines_issues(lines) + issues


def _table(walk: _Walk, tbl: Any, where: str) -> list[list[str]]:
    grid: list[list[str]] = []
    for r, tr in enumerate(tbl.iterchildren(TR), 1):
        row = []
        for c, tc in enumerate(tr.iterchildren(TC), 1):
            row.append(walk.emit([read_paragraph(p) for p in paragraphs(tc)], f"{where} r{r}c{c}"))
        grid.append(row)
    return grid


def _parse(blob: bytes) -> Any:
    from lxml import etree  # type: ignore[import-untyped,unused-ignore]

    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    return etree.fromstring(blob, parser)


def _part_units(walk: _Walk, kind: str, n: int, root: Any) -> list[tuple[str, str]]:
    """Units of one header/footer/notes/comments part; returns comment (author, location) pairs."""
    if kind in ("header", "footer"):
        walk.emit([read_paragraph(p) for p in paragraphs(root)], kind if n == 1 else f"{kind} {n}")
        return []
    comments: list[tuple[str, str]] = []
    for i, note in enumerate(root.iterchildren(f"{W}{kind}"), 1):
        if note.get(f"{W}type") in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        paras = [read_paragraph(p) for p in paragraphs(note)]
        if kind == "comment":
            author = note.get(f"{W}author") or "?"
            where = f"comment {len(comments) + 1} (author {author})"
            comments.append((author, where))
        else:
            where = f"{kind} {note.get(f'{W}id') or i}"
        walk.emit(paras, where)
    return comments


def _comments_issue(comments: list[tuple[str, str]]) -> list[DocIssue]:
    if not comments:
        return []
    who = join_names(a for a, _ in comments)
    return [
        issue(
            "HYG-COMMENTS",
            "document",
            "medium",
            comments[0][1],
            f"文档含 {len(comments)} 条批注（批注人：{who}），批注随文件发出",
            f"{len(comments)} comment(s) by {who} travel with the file",
        )
    ]


def extract_docx(path: Path) -> Extraction:
    try:
        import docx  # type: ignore[import-untyped,unused-ignore]
    except ImportError as e:
        raise missing_extra(path, "docs", e) from None
    ooxml.check_container(path, "docx")
    document = docx.Document(str(path))
    walk = _Walk()
    issues = _body(walk, document.element.body)
    seen: dict[str, int] = {}
    comments: list[tuple[str, str]] = []
    for part in sorted(document.part.package.iter_parts(), key=lambda p: str(p.partname)):
        kind = PART_KINDS.get(part.content_type)
        if kind:
            seen[kind] = seen.get(kind, 0) + 1
            comments += _part_units(walk, kind, seen[kind], _parse(part.blob))
    with zipfile.ZipFile(path) as zf:
        meta_units, meta_issues = ooxml.metadata_result(ooxml.properties(zf))
        img_units, img_issues = read_embedded(ooxml.media(zf))
    units = walk.units + meta_units + img_units
    all_issues = _comments_issue(comments) + walk.issues() + meta_issues + img_issues + issues
    return Extraction(str(path), "docx", tuple(units), tuple(all_issues))
