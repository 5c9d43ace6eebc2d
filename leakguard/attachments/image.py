"""Photos and screenshots: OCR lines, EXIF GPS (HYG-GPS) and camera metadata (HYG-METADATA)."""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..model import LeakguardError
from . import ocr, people
from .types import DocIssue, Extraction, TextUnit, issue, missing_extra

if TYPE_CHECKING:
    from PIL.Image import Image

GPS_IFD = 0x8825
EXIF_IFD = 0x8769
CAMERA_TAGS = {0x010F: "make", 0x0110: "model", 0x0131: "software", 0x013B: "artist", 0x0132: "time"}
EXIF_TAGS = {0x9003: "time taken"}
MAX_EMBEDDED_OCR = 40  # embedded images OCR'd per document; the rest are counted as not read
MIN_OCR_SIDE = 24  # smaller images (icons, bullets) are not worth OCR


def _register_heif(path: Path) -> None:
    try:
        from pillow_heif import register_heif_opener
    except ImportError as e:
        raise missing_extra(path, "ocr", e) from None
    register_heif_opener()


def open_image(source: Path | bytes, label: str) -> Image:
    """Open and fully decode an image; LeakguardError naming ``label`` when it is not readable."""
    from PIL import Image as PILImage

    try:
        img = PILImage.open(io.BytesIO(source) if isinstance(source, bytes) else source)
        img.load()
    except (OSError, SyntaxError, ValueError, PILImage.DecompressionBombError) as e:
        raise LeakguardError(f"{label}: not a readable image ({e})") from None
    return img


def _dms(value: Any) -> float | None:
    try:
        deg = float(value[0]) + float(value[1]) / 60 + float(value[2]) / 3600
    except (TypeError, ValueError, IndexError, ZeroDivisionError):
        return None
    return None if math.isnan(deg) else deg


def gps_position(img: Image) -> tuple[float, float] | None:
    gps = img.getexif().get_ifd(GPS_IFD)
    lat, lon = _dms(gps.get(2)), _dms(gps.get(4))
    if lat is None or lon is None:
        return None
    if str(gps.get(1, "N")).upper().startswith("S"):
        lat = -lat
    if str(gps.get(3, "E")).upper().startswith("W"):
        lon = -lon
    return round(lat, 5), round(lon, 5)


def exif_issues(img: Image) -> list[DocIssue]:
    found: list[DocIssue] = []
    pos = gps_position(img)
    if pos:
        found.append(
            issue(
                "HYG-GPS",
                "personal_data",
                "medium",
                "EXIF GPS",
                f"照片带有 GPS 定位（纬度 {pos[0]}，经度 {pos[1]}），会暴露拍摄地点",
                f"the photo carries GPS coordinates ({pos[0]}, {pos[1]}) that reveal where it was taken",
            )
        )
    exif = img.getexif()
    fields = {name: str(exif[tag]).strip() for tag, name in CAMERA_TAGS.items() if exif.get(tag)}
    sub = exif.get_ifd(EXIF_IFD)
    fields.update({name: str(sub[tag]).strip() for tag, name in EXIF_TAGS.items() if sub.get(tag)})
    if fields:
        listing = "; ".join(f"{k}={v}" for k, v in fields.items())
        found.append(
            issue(
                "HYG-METADATA",
                "document",
                "low",
                "EXIF",
                f"照片带有拍摄设备/时间信息：{listing}",
                f"the photo carries device/time metadata: {listing}",
            )
        )
    return found


def extract_image(path: Path) -> Extraction:
    ocr.require(path)
    from PIL import ImageOps

    from .detect import HEIF_BRANDS

    with path.open("rb") as fh:
        head = fh.read(12)
    if head[8:12] in HEIF_BRANDS:
        _register_heif(path)
    img = open_image(path, str(path))
    issues = exif_issues(img)
    lines = ocr.read_lines(ImageOps.exif_transpose(img))
    issues += people.lines_issues(ocr.row_texts(lines, "image"), people.split_tabs)
    return Extraction(str(path), "image", tuple(ocr.to_units(lines, "image")), tuple(issues))


# --------------------------------------------------------------------------- images inside documents


@dataclass(frozen=True, slots=True)
class Embedded:
    origin: str  # "word/media/image1.png", "p.2" …
    load: Callable[[], bytes]  # deferred: PDF images are only decoded when OCR can read them


def ocr_available() -> bool:
    try:
        ocr.require(Path("-"))
    except LeakguardError:
        return False
    return True


def _ocr_one(item: Embedded, n: int) -> tuple[list[TextUnit], list[DocIssue]] | None:
    try:
        img = open_image(item.load(), item.origin)
    except Exception:  # noqa: BLE001 - an unreadable embedded image (EMF, broken stream) is counted, not fatal
        return None
    if min(img.size) < MIN_OCR_SIDE:
        return [], []
    from PIL import ImageOps

    lines = ocr.read_lines(ImageOps.exif_transpose(img))
    prefix = f"embedded image {n}"
    return ocr.to_units(lines, prefix), people.lines_issues(ocr.row_texts(lines, prefix), people.split_tabs)


def read_embedded(items: Sequence[Embedded]) -> tuple[list[TextUnit], list[DocIssue]]:
    """OCR embedded images when the OCR extra is there; always report how many there are."""
    if not items:
        return [], []
    if not ocr_available():
        return [], [_images_issue(len(items), 0, 0, 0, ocr_missing=True)]
    units: list[TextUnit] = []
    issues: list[DocIssue] = []
    unread = 0
    for n, item in enumerate(items[:MAX_EMBEDDED_OCR], 1):
        got = _ocr_one(item, n)
        if got is None:
            unread += 1
            continue
        units += got[0]
        issues += got[1]
    over = max(0, len(items) - MAX_EMBEDDED_OCR)
    read = len(items) - unread - over
    return units, [_images_issue(len(items), read, unread, over, ocr_missing=False), *issues]


def _images_issue(total: int, read: int, unread: int, over: int, *, ocr_missing: bool) -> DocIssue:
    if ocr_missing:
        zh = f"含 {total} 张嵌入图片，未识别其中文字（需安装 OCR 扩展：pip install 'leakguard[ocr]'）"
        en = f"{total} embedded image(s); their text was not read (needs the OCR extra: leakguard[ocr])"
    else:
        zh = f"含 {total} 张嵌入图片，已识别文字 {read} 张"
        en = f"{total} embedded image(s), text read from {read}"
        if unread or over:
            zh += f"；{unread} 张无法解码，{over} 张超出上限 {MAX_EMBEDDED_OCR} 未识别"
            en += f"; {unread} could not be decoded, {over} over the limit of {MAX_EMBEDDED_OCR} not read"
    return issue("HYG-EMBEDDED-IMAGES", "document", "info", "embedded images", zh, en)
