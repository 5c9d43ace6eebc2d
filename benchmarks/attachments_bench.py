"""Attachment benchmark: OCR time per phone-like photo, and document extraction throughput.

    python benchmarks/attachments_bench.py [--runs 5]

Needs the extras: pip install -e '.[ocr,docs]'.  Builds its own inputs in a temp folder:
a phone-sized (1080x1440) JPEG of the repo's fake 交办单 fixture, slightly rotated and noisy,
a generated .docx (500 paragraphs + 10 tables), .xlsx (5,000 rows x 8) and a 20-page PDF
made by repeating the repo's PDF fixture pages.  Prints medians; wall times on a shared
2-core machine are noisy, so CPU time per item is printed too.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures" / "attachments"


def _timed(fn, runs: int) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(runs):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus)


def phone_photo(tmp: Path) -> Path:
    from PIL import Image, ImageFilter

    img = Image.open(FIX / "jiaoban.png").convert("RGB")
    img = img.resize((1080, int(1080 * img.height / img.width)))
    canvas = Image.new("RGB", (1080, 1440), (236, 232, 224))
    canvas.paste(img, (0, 0))
    canvas = canvas.rotate(1.5, expand=False, fillcolor=(236, 232, 224)).filter(ImageFilter.GaussianBlur(0.6))
    rnd = random.Random(7)
    px = canvas.load()
    for _ in range(20000):
        x, y = rnd.randrange(1080), rnd.randrange(1440)
        v = rnd.randrange(-30, 30)
        r, g, b = px[x, y]
        px[x, y] = (max(0, min(255, r + v)), max(0, min(255, g + v)), max(0, min(255, b + v)))
    out = tmp / "phone.jpg"
    canvas.save(out, quality=85)
    return out


def make_docx(tmp: Path) -> Path:
    import docx

    d = docx.Document()
    for i in range(500):
        d.add_paragraph(f"第{i}段：关于做好近期疫情防控工作的安排，请各单位按要求落实，及时报送进展情况。")
    for t in range(10):
        table = d.add_table(rows=20, cols=4)
        for r in range(20):
            for c in range(4):
                table.cell(r, c).text = f"表{t}行{r}列{c}"
    out = tmp / "bench.docx"
    d.save(out)
    return out


def make_xlsx(tmp: Path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "姓名", "性别", "年龄", "联系电话", "住址", "返乡日期", "备注"])
    for i in range(5000):
        ws.append([i, f"张{i}", "男", 30 + i % 40, f"139{i:08d}", f"城北路{i % 200}号", "2020-01-20", "无"])
    out = tmp / "bench.xlsx"
    wb.save(out)
    return out


def make_pdf(tmp: Path) -> Path:
    from pypdf import PdfReader, PdfWriter

    src = PdfReader(str(FIX / "notice.pdf"))
    w = PdfWriter()
    while len(w.pages) < 20:
        for p in src.pages:
            w.add_page(p)
    out = tmp / "bench.pdf"
    with open(out, "wb") as f:
        w.write(f)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    from leakguard.attachments import extract

    with open("/proc/cpuinfo", encoding="utf-8") as f:
        cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), platform.processor())
    print(f"machine: {cpu}, python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        photo = phone_photo(tmp)
        t0 = time.perf_counter()
        extract(photo)  # first call loads the OCR models
        first = time.perf_counter() - t0
        wall, cpu_t = _timed(lambda: extract(photo), args.runs)
        import rapidocr_onnxruntime

        print(f"OCR (RapidOCR {getattr(rapidocr_onnxruntime, '__version__', '1.4.x')}, PP-OCRv4 zh, onnxruntime CPU)")
        print(f"  1080x1440 phone photo: first call {first:.2f} s (model load), median {wall:.2f} s wall, "
              f"{cpu_t:.2f} s CPU over {args.runs} runs")
        for label, path, unit, count in (
            ("docx 500 paragraphs + 10 tables", make_docx(tmp), "paragraphs+cells", 500 + 10 * 80),
            ("xlsx 5,000 rows x 8", make_xlsx(tmp), "cells", 5001 * 8),
            ("pdf 20 pages", make_pdf(tmp), "pages", 20),
        ):
            wall, cpu_t = _timed(lambda p=path: extract(p), args.runs)
            mb = path.stat().st_size / 1e6
            print(f"  {label:<32} median {wall:.3f} s  ({count / wall:,.0f} {unit}/s, {mb / wall:.2f} MB/s)")


if __name__ == "__main__":
    main()
