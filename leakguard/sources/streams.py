"""Opening inputs as text streams and wrapping stream parsers as path parsers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import TextIO

from ..textio import open_text
from .base import ESCAPE, Format, ParseOptions, PathParser, Sniffer, StreamParser, Unit, finish


def open_stream(path: Path, encoding: str | None) -> TextIO:
    """open_text, but undecodable bytes become lone surrogates instead of stopping the
    file (error handler :data:`base.ESCAPE`); :func:`base.finish` reports each affected
    message as a BadRecord."""
    stream = open_text(path, encoding)
    stream.reconfigure(errors=ESCAPE)  # type: ignore[attr-defined]
    return stream


def path_parser(body: StreamParser) -> PathParser:
    def parse(path: Path, encoding: str | None, options: ParseOptions) -> Iterator[Unit]:
        with open_stream(path, encoding) as stream:
            yield from finish(body(stream, str(path), options))

    return parse


def stream_format(name: str, description: str, sniff: Sniffer, body: StreamParser) -> Format:
    return Format(name, description, sniff, path_parser(body), body)


_NL = re.compile(r"\r\n|\r|\n")


def head_lines(head: str, limit: int = 400) -> list[str]:
    """The first lines of a sniffed head (the last, possibly cut, line dropped when the
    head is long enough to have been truncated)."""
    lines = _NL.split(head, limit)[:limit]
    if len(head) >= 60000 and len(lines) > 1:
        lines.pop()
    return lines


def paragraph_firsts(lines: list[str]) -> list[str]:
    return [ln for i, ln in enumerate(lines) if ln.strip() and (i == 0 or not lines[i - 1].strip())]


def share(lines: list[str], rx: re.Pattern[str], need: int = 2) -> float:
    """Fraction of ``lines`` matching ``rx`` (0 unless at least ``need`` match, or all of
    them in a shorter input)."""
    if not lines:
        return 0.0
    hits = sum(1 for ln in lines if rx.fullmatch(ln.strip()))
    return hits / len(lines) if hits >= min(need, len(lines)) else 0.0


def member_name(label: str) -> str:
    """The file name of a label ('dir/x.txt' or 'a.zip!dir/x.txt')."""
    return PurePosixPath(label.rsplit("!", 1)[-1].replace("\\", "/")).name


def stem_of(label: str) -> str:
    name = member_name(label)
    return name.rsplit(".", 1)[0] if "." in name else name
