"""Scan throughput per export format, before/after: real ``leakguard scan`` processes, interleaved.

    python benchmarks/bulk_formats.py --size 30MB --runs 5 --before ../main
    python benchmarks/bulk_formats.py --formats qq-txt,whatsapp --jobs 1,2

Writes one export per format (benchmarks/synth.py's chat, plus a WeChatMsg TXT and a PyWxDump
CSV with some media rows and notices), then runs ``leakguard scan FILE --format jsonl
--no-config [--jobs N]`` for each checkout given (``--before`` is another checkout of the repo,
e.g. a worktree of main; this one is "after"), interleaving the runs, and prints the median wall
and CPU time (user + system of the process and its workers, from wait4) per format, job count
and checkout.  The machine is shared: CPU time is steadier than wall time.  Each checkout's
reports must be identical.  LEAKGUARD_CACHE_DIR is a private folder for the run.
"""

from __future__ import annotations

import argparse
import csv
import filecmp
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import synth  # (after the path set-up)


def write_wechatmsg_txt(out: IO[str], msgs: Iterator[synth.Msg]) -> list[int]:
    """留痕/WeChatMsg TXT (v1): 'YYYY-MM-DD HH:MM:SS name' + content + blank line; some pictures and notices."""
    planted = []
    for i, m in enumerate(msgs):
        if i % 50 == 7:
            out.write(f"{m.time} \"{m.sender}\" 撤回了一条消息\n\n")  # a v1 notice: the title alone
        out.write(f"{m.time} {m.sender}\n{'[图片]' if i % 20 == 3 else m.text}\n\n")
        if m.planted:
            planted.append(i)
    return planted


_REVOKE = ('<sysmsg type="revokemsg"><revokemsg><session>12345678@chatroom</session><newmsgid>{}</newmsgid>'
           '<replacemsg><![CDATA["{}" 撤回了一条消息]]></replacemsg></revokemsg></sysmsg>')


def write_pywxdump_csv(out: IO[str], msgs: Iterator[synth.Msg]) -> list[int]:
    """PyWxDump CSV (msg/src columns): text rows, some pictures with a media path, group notices
    and recalls (a revokemsg row naming the message two rows up)."""
    w = csv.writer(out)  # CRLF row ends, as PyWxDump writes them
    w.writerow(["id", "MsgSvrID", "type_name", "is_sender", "talker", "room_name", "msg", "src", "CreateTime"])
    planted = []
    for i, m in enumerate(msgs):
        if i % 20 == 3:
            w.writerow([i, 7 * 10**18 + i, "图片", 0, m.sender, "12345678@chatroom", "图片",
                        f"FileStorage\\MsgAttach\\{i:x}\\Image\\2024-03\\{i:08x}.dat", m.time])
        elif i % 50 == 7:
            w.writerow([i, 7 * 10**18 + i, "系统通知", 0, "", "12345678@chatroom", f"\"{m.sender}\"加入了群聊", "",
                        m.time])
        elif i % 100 == 52:
            w.writerow([i, 7 * 10**18 + i, "消息撤回1", 0, m.sender, "12345678@chatroom",
                        _REVOKE.format(7 * 10**18 + i - 2, m.sender), "", m.time])
        else:
            w.writerow([i, 7 * 10**18 + i, "文本", i % 2, m.sender, "12345678@chatroom", m.text, "", m.time])
        if m.planted:
            planted.append(i)
    return planted


WRITERS = {
    **{k: v for k, v in synth.WRITERS.items() if k != "jsonl"},
    "wechatmsg-txt": ("项目组.txt", write_wechatmsg_txt),
    "pywxdump-csv": ("wxid_demo_0_5000.csv", write_pywxdump_csv),
    "jsonl": synth.WRITERS["jsonl"],
}


def write(work: Path, fmt: str, size: int) -> Path:
    name, writer = WRITERS[fmt]
    path = work / fmt / name
    path.parent.mkdir(parents=True, exist_ok=True)
    counter = [0]
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer(f, synth.messages_until(synth.Chat(7, 2000), f, size, counter))
    return path


def scan(tree: Path, path: Path, jobs: int, out: Path, cache: Path) -> tuple[float, float]:
    env = dict(os.environ, PYTHONPATH=str(tree), LEAKGUARD_CACHE_DIR=str(cache))
    cmd = [sys.executable, "-m", "leakguard", "scan", str(path), "--format", "jsonl", "--no-config"]
    if jobs != 1:
        cmd += ["--jobs", str(jobs)]
    with open(out, "wb") as f:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=f, stderr=subprocess.DEVNULL, cwd=tree)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"scan failed: {' '.join(cmd)}")
    return wall, usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="30MB")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--jobs", default="1,2")
    ap.add_argument("--formats", default=",".join(WRITERS))
    ap.add_argument("--before", type=Path, help="another checkout to compare with")
    ap.add_argument("--workdir", type=Path)
    args = ap.parse_args(argv)
    size = int(float(args.size.upper().removesuffix("MB")) * 10**6)
    trees = {"after": ROOT} if args.before is None else {"before": args.before.resolve(), "after": ROOT}
    jobs = [int(j) for j in args.jobs.split(",")]
    work = args.workdir or Path(tempfile.mkdtemp(prefix="lg-formats-"))
    cache = work / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    inputs = {fmt: write(work, fmt, size) for fmt in args.formats.split(",")}
    times: dict[tuple[str, int, str], list[tuple[float, float]]] = {}
    for _ in range(args.runs):
        for fmt, path in inputs.items():
            for j in jobs:
                for name, tree in trees.items():
                    out = work / f"{fmt}.{j}.{name}.jsonl"
                    times.setdefault((fmt, j, name), []).append(scan(tree, path, j, out, cache))
    print("| format | jobs | " + " | ".join(f"{n} wall MB/s | {n} CPU MB/s" for n in trees) + " |")
    print("| --- | --- | " + " | ".join("--- | ---" for _ in trees) + " |")
    for fmt, path in inputs.items():
        mb = path.stat().st_size / 1e6
        for j in jobs:
            cells = []
            for name in trees:
                runs = times[(fmt, j, name)]
                wall, cpu = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
                cells.append(f"{mb / wall:.1f} | {mb / cpu:.1f}")
            same = all(filecmp.cmp(work / f"{fmt}.{j}.{n}.jsonl", work / f"{fmt}.{jobs[0]}.after.jsonl", shallow=False)
                       for n in trees)
            print(f"| {fmt} ({mb:.0f} MB) | {j} | " + " | ".join(cells) + f" |{'' if same else ' REPORTS DIFFER'}")
    print(f"\n{datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} CPUs, median of {args.runs} runs; inputs in {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
