"""Excel (.xlsx): cell values with sheet/cell references, cell comments, hidden sheets/rows/columns,
lists of people, document properties and embedded images.

Locations: ``sheet 名单!B7``, ``sheet 名单!C3 comment 1 (author X)``, ``sheet 名单!A1:H1`` (the header
row of a LIST-PEOPLE table), ``sheet 备注`` (hidden), ``metadata: author``, ``embedded image 1 line 2``.
Values are the cached results Excel saved (formulas are not evaluated).
"""

from __future__ import annotations

import warnings
import zipfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from . import ooxml, people
from .image import read_embedded
from .types import DocIssue, Extraction, TextUnit, issue, join_names, missing_extra


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value).strip()


def _sheet_units(ws: Any) -> tuple[list[TextUnit], list[list[str]], list[tuple[str, str, str]]]:
    """Cell units, the grid of cell texts, and (author, location, text) of each cell comment."""
    units: list[TextUnit] = []
    grid: list[list[str]] = []
    comments: list[tuple[str, str, str]] = []
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped,unused-ignore]

    prefix = f"sheet {ws.title}!"
    for r, row in enumerate(ws.iter_rows(), 1):
        texts = [cell_text(cell.value) for cell in row]
        grid.append(texts)
        for c, (cell, text) in enumerate(zip(row, texts, strict=True), 1):
            if text:
                units.append(TextUnit(text, f"{prefix}{get_column_letter(c)}{r}"))
            if cell.comment is not None and cell.comment.text.strip():
                where = f"{prefix}{get_column_letter(c)}{r}"
                comments.append((cell.comment.author or "?", where, cell.comment.text.strip()))
    return units, grid, comments


def _hidden_lines(ws: Any, grid: list[list[str]]) -> tuple[int, int]:
    """Hidden rows and hidden columns that hold something."""
    from openpyxl.utils import column_index_from_string  # type: ignore[import-untyped,unused-ignore]

    rows = sum(
        1 for r, dim in ws.row_dimensions.items() if dim.hidden and r <= len(grid) and any(grid[r - 1])
    )
    hidden_cols: set[int] = set()
    for key, dim in ws.column_dimensions.items():
        if dim.hidden:
            lo = dim.min or column_index_from_string(key)
            hidden_cols.update(range(lo, (dim.max or lo) + 1))
    cols = sum(1 for c in hidden_cols if any(len(row) >= c and row[c - 1] for row in grid))
    return rows, cols


def _hidden_issues(ws: Any, grid: list[list[str]]) -> list[DocIssue]:
    found: list[DocIssue] = []
    where = f"sheet {ws.title}"
    if ws.sheet_state in ("hidden", "veryHidden"):
        very = ws.sheet_state == "veryHidden"
        found.append(
            issue(
                "HYG-HIDDEN",
                "document",
                "high" if very else "medium",
                where,
                f"工作表“{ws.title}”被{'深度' if very else ''}隐藏，内容仍随文件发出",
                f"sheet {ws.title!r} is {ws.sheet_state}: its content is still sent with the file",
            )
        )
    rows, cols = _hidden_lines(ws, grid)
    if rows or cols:
        found.append(
            issue(
                "HYG-HIDDEN",
                "document",
                "medium",
                where,
                f"工作表“{ws.title}”有 {rows} 行、{cols} 列被隐藏但含内容",
                f"sheet {ws.title!r} has {rows} hidden row(s) and {cols} hidden column(s) with content",
            )
        )
    return found


def _people_issue(title: str, grid: list[list[str]]) -> DocIssue | None:
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped,unused-ignore]

    found = people.find_header(grid)
    if found is None:
        return None
    r = found[0] + 1
    last = get_column_letter(max(1, len(grid[found[0]])))
    return people.table_issue(grid, f"sheet {title}!A{r}:{last}{r}")


def _comments(entries: list[tuple[str, str, str]]) -> tuple[list[TextUnit], list[DocIssue]]:
    units = [
        TextUnit(text, f"{where} comment {n} (author {author})")
        for n, (author, where, text) in enumerate(entries, 1)
    ]
    if not entries:
        return units, []
    who = join_names(a for a, _, _ in entries)
    return units, [
        issue(
            "HYG-COMMENTS",
            "document",
            "medium",
            entries[0][1],
            f"工作簿含 {len(entries)} 条单元格批注（批注人：{who}），批注随文件发出",
            f"{len(entries)} cell comment(s) by {who} travel with the file",
        )
    ]


def extract_xlsx(path: Path) -> Extraction:
    try:
        import openpyxl  # type: ignore[import-untyped,unused-ignore]
    except ImportError as e:
        raise missing_extra(path, "docs", e) from None
    ooxml.check_container(path, "xlsx")
    with warnings.catch_warnings():  # "extension is not supported" chatter from openpyxl
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path, data_only=True, keep_links=False)
    units: list[TextUnit] = []
    issues: list[DocIssue] = []
    comments: list[tuple[str, str, str]] = []
    for ws in wb.worksheets:
        sheet_units, grid, sheet_comments = _sheet_units(ws)
        units += sheet_units
        comments += sheet_comments
        issues += _hidden_issues(ws, grid)
        found = _people_issue(ws.title, grid)
        issues += [found] if found else []
    wb.close()
    comment_units, comment_issues = _comments(comments)
    with zipfile.ZipFile(path) as zf:
        meta_units, meta_issues = ooxml.metadata_result(ooxml.properties(zf))
        img_units, img_issues = read_embedded(ooxml.media(zf))
    return Extraction(
        str(path),
        "xlsx",
        tuple(units + comment_units + meta_units + img_units),
        tuple(comment_issues + issues + meta_issues + img_issues),
    )
