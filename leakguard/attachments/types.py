"""Value types of the extraction layer, and the issue builder shared by every reader."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..model import LeakguardError

ISSUE_CATEGORIES = ("document", "personal_data", "marker")


@dataclass(frozen=True, slots=True)
class TextUnit:
    """One piece of text read from an attachment, with where it was found."""

    text: str
    location: str  # "p.3", "sheet 名单!B7", "header", "comment 2 (author X)", "image line 4" …
    box: tuple[int, int, int, int] | None = None  # x, y, w, h of an OCR line, in image pixels
    confidence: float | None = None  # OCR confidence 0..1


@dataclass(frozen=True, slots=True)
class DocIssue:
    """A hygiene or structural finding about the file itself (not a text match)."""

    code: str  # HYG-COMMENTS, HYG-TRACKED-CHANGES, HYG-HIDDEN, HYG-METADATA, HYG-GPS, LIST-PEOPLE …
    category: str  # document | personal_data | marker
    severity: str  # info | low | medium | high | critical
    location: str
    detail: dict[str, str]  # {"zh": …, "en": …}
    rows: int = 0  # LIST-PEOPLE: number of person rows


@dataclass(frozen=True, slots=True)
class Extraction:
    path: str
    kind: str  # image | docx | xlsx | pdf
    units: tuple[TextUnit, ...]
    issues: tuple[DocIssue, ...]


class MissingExtra(LeakguardError):
    """The optional dependencies for this file type are not installed."""


EXTRA_HINT = {
    "ocr": "reading images needs the OCR extra: pip install 'leakguard[ocr]'",
    "docs": "reading Word/Excel/PDF files needs the docs extra: pip install 'leakguard[docs]'",
}


def missing_extra(path: Path, extra: str, err: ImportError | None = None) -> LeakguardError:
    """MissingExtra when a module is absent; a plain LeakguardError when it is there but fails to load
    (e.g. OpenCV without libGL), so the user is not told to install what is already installed."""
    if err is None or isinstance(err, ModuleNotFoundError):
        return MissingExtra(f"{path}: {EXTRA_HINT[extra]}")
    reason = str(err).splitlines()[0] if str(err) else type(err).__name__
    return LeakguardError(f"{path}: the {extra} extra is installed but failed to load: {reason}")


def issue(
    code: str, category: str, severity: str, location: str, zh: str, en: str, rows: int = 0
) -> DocIssue:
    return DocIssue(code, category, severity, location, {"zh": zh, "en": en}, rows)


def join_names(names: Iterable[str]) -> str:
    """Distinct names in first-seen order, comma separated (for issue details)."""
    seen: dict[str, None] = {}
    for n in names:
        if n:
            seen.setdefault(n, None)
    return ", ".join(seen) or "?"
