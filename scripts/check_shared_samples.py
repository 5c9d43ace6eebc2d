#!/usr/bin/env python3
"""Development check: parse every sample under ../shared/samples/chat-exports/ with format
auto-detection and print, per file, the detected format, the message count and the bad
records.  Each sample is also read the way ``scan`` reads it (in chunks, with big and tiny
chunks) and must give the same messages and bad records.  Exits 0 when every sample parses
without a bad record and both ways agree, 1 otherwise, and skips cleanly (exit 0) when the
shared folder is absent (e.g. in a fresh clone or in CI).

    python scripts/check_shared_samples.py [-v] [SAMPLES_DIR]
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT = REPO.parent / "shared" / "samples" / "chat-exports"
sys.path.insert(0, str(REPO))

from leakguard.sources import BadRecord, Message, bulk, detect_format, iter_messages
from leakguard.sources.base import Chunk


def samples(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() != ".md")


def check(path: Path, verbose: bool) -> int:
    fmt = detect_format(path)
    messages, bad, kinds = 0, [], Counter()
    for item in iter_messages([path]):
        if isinstance(item, BadRecord):
            bad.append(item)
        else:
            assert isinstance(item, Message)
            messages += 1
            kinds[item.kind] += 1
            if verbose:
                print(f"    {item.line:>4} {item.kind:<7} {item.time or '-':<25} {item.sender or '-'}: "
                      f"{item.text[:60]!r}{' (recalled)' if item.recalled else ''}")
    shown = ", ".join(f"{k}={v}" for k, v in sorted(kinds.items()))
    chunks, differ = _chunked(path)
    print(f"{path.parent.name}/{path.name}: format={fmt} messages={messages} bad={len(bad)} [{shown}]"
          f" chunks={chunks}{' CHUNKED READING DIFFERS' if differ else ''}")
    for b in bad:
        print(f"    BAD {b.path}:{b.line}: {b.reason}")
    return len(bad) + differ


def _chunked(path: Path) -> tuple[int, bool]:
    """(chunks, whether any reading in chunks differs from the ordinary one)."""

    def unnumbered(items: list[object]) -> list[object]:
        return [replace(m, index=0) if isinstance(m, Message) else m for m in items]

    ordinary = unnumbered(list(iter_messages([path])))
    size = bulk.CHUNK_BYTES
    count, differ = 0, False
    for chunk_bytes in (size, 97):
        bulk.CHUNK_BYTES = chunk_bytes
        items: list[object] = []
        for item in iter_messages([path], chunks=True):
            if isinstance(item, Chunk):
                count += 1
                items.extend(bulk.expand(item))
            else:
                items.append(item)
        differ = differ or unnumbered(items) != ordinary
    bulk.CHUNK_BYTES = size
    return count, differ


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    args = [a for a in argv if a != "-v"]
    root = Path(args[0]) if args else DEFAULT
    if not root.is_dir():
        print(f"skipped: {root} not found")
        return 0
    total_bad = sum(check(p, verbose) for p in samples(root))
    print(f"total bad records (and differences): {total_bad}")
    return 1 if total_bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
