"""Offline OCR with RapidOCR (``rapidocr_onnxruntime`` 1.4.x: PP-OCRv4 Chinese models inside the wheel,
ONNX Runtime on the CPU; nothing is downloaded at run time).

Heavy imports happen only in :func:`engine`; the engine is built once per process and reused
(loading the three models costs ~0.4 s).  Call :func:`reset_engine` to drop it.
"""

from __future__ import annotations

import logging
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .types import TextUnit, missing_extra

if TYPE_CHECKING:
    from PIL.Image import Image

_ENGINE: list[Any] = []  # the one cached RapidOCR instance (a list so no `global` is needed)
ROW_TOLERANCE = 0.6  # boxes whose vertical centres differ by less than this × line height share a row


@dataclass(frozen=True, slots=True)
class OcrLine:
    text: str
    box: tuple[int, int, int, int]  # x, y, w, h
    confidence: float


def require(path: Path) -> None:
    """Raise MissingExtra (naming ``path``) unless the OCR stack imports."""
    try:
        import numpy  # noqa: F401
        import PIL.Image  # noqa: F401
        import rapidocr_onnxruntime  # type: ignore[import-untyped,unused-ignore]  # noqa: F401
    except ImportError as e:
        raise missing_extra(path, "ocr", e) from None


def engine() -> Any:
    if not _ENGINE:
        from rapidocr_onnxruntime import RapidOCR  # type: ignore[import-untyped,unused-ignore]

        logging.getLogger("RapidOCR").setLevel(logging.WARNING)
        _ENGINE.append(RapidOCR())
    return _ENGINE[0]


def reset_engine() -> None:
    _ENGINE.clear()


def _box(points: Any) -> tuple[int, int, int, int]:
    xs = [float(p[0]) for p in points]
    ys = [float(p[1]) for p in points]
    x, y = int(min(xs)), int(min(ys))
    return x, y, int(max(xs)) - x, int(max(ys)) - y


def read_lines(image: Image) -> list[OcrLine]:
    """Text lines of an image in reading order (rows top to bottom, left to right in a row)."""
    result, _elapse = engine()(image.convert("RGB"))
    lines = [OcrLine(str(text), _box(points), round(float(score), 3)) for points, text, score in result or ()]
    return [ln for row in rows(lines) for ln in row]


def to_units(lines: list[OcrLine], prefix: str) -> list[TextUnit]:
    return [TextUnit(ln.text, f"{prefix} line {i}", ln.box, ln.confidence) for i, ln in enumerate(lines, 1)]


def rows(lines: list[OcrLine]) -> list[list[OcrLine]]:
    """Group lines into visual rows (for tables photographed as separate cell boxes)."""
    if not lines:
        return []
    height = statistics.median(ln.box[3] for ln in lines) or 1
    ordered = sorted(lines, key=lambda ln: ln.box[1] + ln.box[3] / 2)
    grouped: list[list[OcrLine]] = [[ordered[0]]]
    for ln in ordered[1:]:
        row = grouped[-1]
        centre = statistics.fmean(r.box[1] + r.box[3] / 2 for r in row)
        if abs(ln.box[1] + ln.box[3] / 2 - centre) < ROW_TOLERANCE * height:
            row.append(ln)
        else:
            grouped.append([ln])
    return [sorted(r, key=lambda ln: ln.box[0]) for r in grouped]


def row_texts(lines: list[OcrLine], prefix: str) -> list[tuple[str, str]]:
    """Each visual row as tab-separated cells, located at its first OCR line number."""
    number = {id(ln): i for i, ln in enumerate(lines, 1)}
    return [
        ("\t".join(ln.text for ln in row), f"{prefix} line {min(number[id(ln)] for ln in row)}")
        for row in rows(lines)
    ]
