"""Everyday-text false-positive rate: share of texts in JSONL corpora that leakguard flags.

    python scripts/fp_rate.py ../shared/corpora/*.jsonl [--show 20]

Development script (reads corpora outside the repo); each line needs a "text" field.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

from leakguard import Scanner


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--show", type=int, default=0, help="print this many flagged texts per file")
    args = ap.parse_args()
    sc = Scanner.default()
    total = flagged = 0
    for path in args.files:
        n = f = 0
        codes: Counter[str] = Counter()
        shown = 0
        t0 = time.perf_counter()
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                text = json.loads(line)["text"]
                v = sc.check(text)
                n += 1
                if v.flagged:
                    f += 1
                    codes.update(x.code for x in v.findings[:1])
                    if shown < args.show:
                        shown += 1
                        top = v.findings[0]
                        print(f"  [{top.code} {v.score:.1f}] {text[:120]!r}")
        dt = time.perf_counter() - t0
        total += n
        flagged += f
        print(f"{path.name}: {f}/{n} flagged = {f / n:.4%}  ({dt:.1f}s)  top codes: {codes.most_common(6)}")
    print(f"ALL: {flagged}/{total} = {flagged / total:.4%}")


if __name__ == "__main__":
    main()
