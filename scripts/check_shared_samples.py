#!/usr/bin/env python3
"""Development check: parse every sample under ../shared/samples/chat-exports/ with format
auto-detection and print, per file, the detected format, the message count and the bad
records.  Exits 0 when every sample parses without a bad record, 1 otherwise, and skips
cleanly (exit 0) when the shared folder is absent (e.g. in a fresh clone or in CI).

    python scripts/check_shared_samples.py [-v] [SAMPLES_DIR]
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT = REPO.parent / "shared" / "samples" / "chat-exports"
sys.path.insert(0, str(REPO))

from leakguard.sources import BadRecord, Message, detect_format, iter_messages


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
    print(f"{path.parent.name}/{path.name}: format={fmt} messages={messages} bad={len(bad)} [{shown}]")
    for b in bad:
        print(f"    BAD {b.path}:{b.line}: {b.reason}")
    return len(bad)


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    args = [a for a in argv if a != "-v"]
    root = Path(args[0]) if args else DEFAULT
    if not root.is_dir():
        print(f"skipped: {root} not found")
        return 0
    total_bad = sum(check(p, verbose) for p in samples(root))
    print(f"total bad records: {total_bad}")
    return 1 if total_bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
