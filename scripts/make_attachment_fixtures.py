#!/usr/bin/env python3
"""Generate the attachment fixtures in tests/fixtures/attachments/ (run once; the outputs are committed).

Every name, number, place and sentence below is invented for the tests.

Needs (development only, not runtime deps of leakguard):
  * a CJK TrueType font: Debian ``fonts-wqy-zenhei`` (``apt-get install fonts-wqy-zenhei``);
    another one can be given with ``--font PATH``;
  * Pillow (image fixtures), openpyxl (xlsx), reportlab (pdf), pypdf + cryptography (pdf comment
    and encryption), msoffcrypto-tool (password-protected xlsx).
The docx is written as raw OOXML with zipfile (python-docx cannot write comments or revisions).

Usage:  python scripts/make_attachment_fixtures.py [--out DIR] [--font PATH]
"""

from __future__ import annotations

import argparse
import io
import random
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "attachments"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)
FIXED_TIME = datetime(2022, 3, 14, 9, 30, 0)

# --------------------------------------------------------------------------- synthetic people

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
SURNAMES = "陈刘赵孙周吴郑冯褚卫蒋沈韩杨朱秦尤许何吕"
GIVEN = ("晓明", "建国", "丽华", "志强", "秀英", "文静", "海燕", "国庆", "雪梅", "立新", "春生", "玉兰")
AREAS = ("420102", "420106", "420111", "430104", "510107")  # area-code shaped prefixes
ORIGINS = ("甲市", "乙市", "丙县", "丁区")


def id_check_digit(first17: str) -> str:
    """GB 11643-1999 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def synthetic_id(rng: random.Random) -> str:
    birth = f"{rng.randint(1950, 2004)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body = f"{rng.choice(AREAS)}{birth}{rng.randint(0, 999):03d}"
    return body + id_check_digit(body)


def synthetic_phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randint(0, 999_999_999):09d}"


def synthetic_people(n: int, seed: int = 23) -> list[dict[str, str]]:
    rng = random.Random(seed)
    people = []
    for i in range(n):
        people.append(
            {
                "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
                "sex": rng.choice("男女"),
                "id": synthetic_id(rng),
                "phone": synthetic_phone(rng),
                "address": f"XX镇{rng.choice('东西南北')}街{rng.randint(1, 99)}号",
                "date": f"2022-03-{rng.randint(1, 14):02d}",
                "origin": ORIGINS[i % len(ORIGINS)],
            }
        )
    return people


# --------------------------------------------------------------------------- images


def find_font(explicit: str | None) -> str:
    for cand in ([explicit] if explicit else []) + list(FONT_CANDIDATES):
        if cand and Path(cand).exists():
            return cand
    raise SystemExit("no CJK font found: apt-get install fonts-wqy-zenhei (or pass --font PATH)")


JIAOBAN_LINES = (
    ("title", "XX镇疫情防控交办单"),
    ("center", "（第023号）"),
    ("body", "交办单位：XX镇疫情防控指挥部办公室"),
    ("body", "承办单位：各村（社区）"),
    ("body", "交办事项："),
    ("body", "一、今日18时前完成返乡人员信息摸排，逐户登记。"),
    ("body", "二、对重点人员落实居家健康监测，每日两次测温。"),
    ("body", "三、排查结果报镇指挥部，不得对外发布。"),
    ("body", "办理时限：2022年3月15日前"),
)
TABLE_HEAD = ("姓名", "联系电话", "现住址", "返乡日期")


def render_jiaoban(font_path: str, out: Path) -> None:
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("L", (1000, 1400), 246)
    draw = ImageDraw.Draw(img)
    title_font = ImageFont.truetype(font_path, 52)
    font = ImageFont.truetype(font_path, 34)
    y = 90
    for style, text in JIAOBAN_LINES:
        f = title_font if style == "title" else font
        width = draw.textlength(text, font=f)
        x = (1000 - width) / 2 if style in ("title", "center") else 90
        draw.text((x, y), text, font=f, fill=20)
        y += 95 if style == "title" else 64
    y += 30
    cols = (90, 260, 500, 760)
    rows = [TABLE_HEAD] + [
        (p["name"], p["phone"], p["address"], p["date"][5:]) for p in synthetic_people(3, 7)
    ]
    for row in rows:
        for x, cell in zip(cols, row, strict=True):
            draw.text((x, y), cell, font=font, fill=20)
        draw.line((80, y + 50, 920, y + 50), fill=120, width=2)
        y += 66
    y += 40
    draw.text((90, y), "此件内部传阅，请勿外传。", font=font, fill=20)
    draw.text((560, y + 80), "2022年3月14日", font=font, fill=20)
    photo = img.rotate(1.2, resample=Image.Resampling.BICUBIC, fillcolor=200)
    photo.quantize(16).save(out, optimize=True)


SCREEN_LINES = ("内部会议 请勿拍照外传", "关于XX片区管控调整的讨论", "讨论稿 仅供参会人员参阅")


def render_screen_photo(font_path: str, out: Path) -> None:
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", (900, 600), (18, 40, 92))
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(font_path, 44)
    for i, text in enumerate(SCREEN_LINES):
        draw.text((80, 120 + i * 120), text, font=font, fill=(240, 240, 240))
    exif = img.getexif()
    exif[0x010F] = "FakePhone"  # Make
    exif[0x0110] = "FP-1"  # Model
    exif[0x0132] = "2022:03:14 10:05:00"  # DateTime
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (30.0, 33.0, 12.5)
    gps[3] = "E"
    gps[4] = (114.0, 18.0, 45.0)
    img.save(out, quality=80, exif=exif)


def render_small_label(font_path: str, text: str) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("L", (520, 110), 255)
    draw = ImageDraw.Draw(img)
    draw.text((30, 30), text, font=ImageFont.truetype(font_path, 44), fill=0)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


# --------------------------------------------------------------------------- docx (raw OOXML)

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def _run(text: str, *, hidden: bool = False, deleted: bool = False) -> str:
    props = "<w:rPr><w:vanish/></w:rPr>" if hidden else ""
    tag = "w:delText" if deleted else "w:t"
    return f'<w:r>{props}<{tag} xml:space="preserve">{text}</{tag}></w:r>'


def _para(*parts: str) -> str:
    return "<w:p>" + "".join(parts) + "</w:p>"


def _table(rows: list[tuple[str, ...]]) -> str:
    out = ['<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr>']
    for row in rows:
        cells = "".join(f"<w:tc>{_para(_run(c))}</w:tc>" for c in row)
        out.append(f"<w:tr>{cells}</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def _inline_image(rid: str) -> str:
    return (
        '<w:r><w:drawing><wp:inline><wp:extent cx="2286000" cy="480000"/><wp:docPr id="1" name="图片 1"/>'
        '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        '<pic:pic><pic:nvPicPr><pic:cNvPr id="1" name="image1.png"/><pic:cNvPicPr/></pic:nvPicPr>'
        f'<pic:blipFill><a:blip r:embed="{rid}"/></pic:blipFill>'
        '<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="2286000" cy="480000"/></a:xfrm>'
        '<a:prstGeom prst="rect"/></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>'
    )


DOCX_TITLE = "关于调整XX片区管控措施的通知（讨论稿）"


def docx_document_xml() -> str:
    people = synthetic_people(4, 11)
    body = [
        _para(_run(DOCX_TITLE)),
        _para(_run("各村（社区）：根据近期排查情况，现将有关事项通知如下。")),
        _para(
            _run("一、XX片区管控措施"),
            '<w:del w:id="1" w:author="李某" w:date="2022-03-14T09:00:00Z">'
            + _run("拟于下周一起全部解除", deleted=True)
            + "</w:del>",
            '<w:ins w:id="2" w:author="李某" w:date="2022-03-14T09:01:00Z">'
            + _run("视排查结果另行研究")
            + "</w:ins>",
            _run("。"),
        ),
        _para(_run("二、请各单位做好解释工作"), _run("（内部掌握，不对外公布）", hidden=True), _run("。")),
        _para(
            '<w:commentRangeStart w:id="0"/>',
            _run("三、附重点人员名单如下。"),
            '<w:commentRangeEnd w:id="0"/>',
            '<w:r><w:commentReference w:id="0"/></w:r>',
        ),
        _table(
            [("序号", "姓名", "联系电话", "住址")]
            + [(str(i + 1), p["name"], p["phone"], p["address"]) for i, p in enumerate(people)]
        ),
        _para(_inline_image("rIdImg1")),
        _para(_run("XX县卫生健康局")),
        (
            '<w:sectPr><w:headerReference w:type="default" r:id="rIdHdr1"/>'
            '<w:footerReference w:type="default" r:id="rIdFtr1"/></w:sectPr>'
        ),
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}"'
        ' xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"'
        ' xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
        ' xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        "<w:body>" + "".join(body) + "</w:body></w:document>"
    )


def _part(root: str, inner: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:{root} xmlns:w="{W_NS}" xmlns:r="{R_NS}">{inner}</w:{root}>'
    )


def docx_parts(image_png: bytes) -> dict[str, bytes | str]:
    ct_main = "application/vnd.openxmlformats-officedocument.wordprocessingml"
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="png" ContentType="image/png"/>'
        f'<Override PartName="/word/document.xml" ContentType="{ct_main}.document.main+xml"/>'
        f'<Override PartName="/word/comments.xml" ContentType="{ct_main}.comments+xml"/>'
        f'<Override PartName="/word/header1.xml" ContentType="{ct_main}.header+xml"/>'
        f'<Override PartName="/word/footer1.xml" ContentType="{ct_main}.footer+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
        "</Types>"
    )
    root_rels = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG_REL}">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
        'metadata/core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{REL}/extended-properties" Target="docProps/app.xml"/>'
        "</Relationships>"
    )
    doc_rels = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG_REL}">'
        f'<Relationship Id="rIdCmt" Type="{REL}/comments" Target="comments.xml"/>'
        f'<Relationship Id="rIdHdr1" Type="{REL}/header" Target="header1.xml"/>'
        f'<Relationship Id="rIdFtr1" Type="{REL}/footer" Target="footer1.xml"/>'
        f'<Relationship Id="rIdImg1" Type="{REL}/image" Target="media/image1.png"/>'
        "</Relationships>"
    )
    comments = _part(
        "comments",
        '<w:comment w:id="0" w:author="张某" w:date="2022-03-14T09:05:00Z" w:initials="张">'
        + _para(_run("名单先别发群里，等领导定了再说"))
        + "</w:comment>",
    )
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{DOCX_TITLE}</dc:title><dc:creator>王某某</dc:creator>"
        "<cp:lastModifiedBy>李某</cp:lastModifiedBy>"
        '<dcterms:modified xsi:type="dcterms:W3CDTF">2022-03-14T09:10:00Z</dcterms:modified>'
        "</cp:coreProperties>"
    )
    app = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>Microsoft Office Word</Application><Company>XX县卫生健康局</Company></Properties>"
    )
    return {
        "[Content_Types].xml": content_types,
        "_rels/.rels": root_rels,
        "word/document.xml": docx_document_xml(),
        "word/_rels/document.xml.rels": doc_rels,
        "word/comments.xml": comments,
        "word/header1.xml": _part("hdr", _para(_run("内部资料 注意保密"))),
        "word/footer1.xml": _part("ftr", _para(_run("XX县卫生健康局办公室印发"))),
        "word/media/image1.png": image_png,
        "docProps/core.xml": core,
        "docProps/app.xml": app,
    }


def write_zip(out: Path, parts: dict[str, bytes | str]) -> None:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data.encode("utf-8") if isinstance(data, str) else data)


# --------------------------------------------------------------------------- xlsx

XLSX_HEAD = ("序号", "姓名", "性别", "身份证号", "联系电话", "现住址", "返乡日期", "来源地")


def make_xlsx(out: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.comments import Comment

    wb = Workbook()
    ws = wb.active
    ws.title = "返乡人员名单"
    ws.append(list(XLSX_HEAD))
    for i, p in enumerate(synthetic_people(20), start=1):
        ws.append([i, p["name"], p["sex"], p["id"], p["phone"], p["address"], p["date"], p["origin"]])
    ws["B5"].comment = Comment("此人已转运，勿外传", "王某某")
    summary = wb.create_sheet("统计")
    summary.append(["来源地", "人数"])
    for origin in ORIGINS:
        summary.append([origin, 5])
    hidden = wb.create_sheet("内部备注")
    hidden["A1"] = "数据仅供内部核查，严禁外传"
    hidden.sheet_state = "hidden"
    wb.properties.creator = "王某某"
    wb.properties.lastModifiedBy = "李某"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.save(out)


def make_protected_xlsx(plain: Path, out: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    with plain.open("rb") as src, out.open("wb") as dst:
        OOXMLFile(src).encrypt("fixture-pass", dst)


# --------------------------------------------------------------------------- pdf

PDF_TITLE = "XX县关于做好近期重点人员管理工作的通知（征求意见稿）"
PDF_PAGE1 = (
    PDF_TITLE,
    "各乡镇、各有关单位：",
    "为做好近期重点人员管理工作，现将有关要求通知如下。",
    "一、各乡镇于3月16日前完成辖区内重点人员排查。",
    "二、排查名单仅限工作人员内部使用，不得转发。",
)
PDF_TABLE_HEAD = ("姓名", "联系电话", "住址", "诊断")


def make_pdf_bytes(font_path: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("CJK", font_path, subfontIndex=0))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setAuthor("王某某")
    c.setTitle(PDF_TITLE)
    c.setFont("CJK", 14)
    for i, line in enumerate(PDF_PAGE1):
        c.drawString(60, 780 - i * 28, line)
    c.showPage()
    c.setFont("CJK", 12)
    c.drawString(60, 780, "附件：重点人员名单")
    rows = [PDF_TABLE_HEAD] + [
        (p["name"], p["phone"], p["address"], diag)
        for p, diag in zip(synthetic_people(4, 5), ("发热", "咳嗽", "无症状", "发热"), strict=True)
    ]
    for r, row in enumerate(rows):
        for x, cell in zip((60, 160, 300, 460), row, strict=True):
            c.drawString(x, 750 - r * 22, cell)
    c.showPage()
    c.save()
    return buf.getvalue()


def make_pdfs(font_path: str, out_dir: Path) -> None:
    from pypdf import PdfReader, PdfWriter
    from pypdf.annotations import Text

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf_bytes(font_path))))
    note = Text(rect=(400, 700, 420, 720), text="第二条再斟酌，先不要外发")
    note[_name("/T")] = _text("张某")
    writer.add_annotation(page_number=0, annotation=note)
    writer.write(out_dir / "notice.pdf")
    _encrypted_copy(out_dir / "notice.pdf", out_dir / "encrypted.pdf", user="fixture-pass")
    _encrypted_copy(out_dir / "notice.pdf", out_dir / "restricted.pdf", user="")


def _encrypted_copy(src: Path, out: Path, user: str) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(src))
    writer.encrypt(user_password=user, owner_password="owner-pass", algorithm="AES-128")
    writer.write(out)


def _name(value: str) -> Any:
    from pypdf.generic import NameObject

    return NameObject(value)


def _text(value: str) -> Any:
    from pypdf.generic import TextStringObject

    return TextStringObject(value)


# --------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--font", default=None)
    args = ap.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    font = find_font(args.font)

    render_jiaoban(font, out / "jiaoban.png")
    render_screen_photo(font, out / "screen_gps.jpg")
    docx = docx_parts(render_small_label(font, "内部资料 注意保密"))
    write_zip(out / "draft.docx", docx)
    good = (out / "draft.docx").read_bytes()
    (out / "corrupt.docx").write_bytes(good[: len(good) // 2])
    make_xlsx(out / "returnees.xlsx")
    make_protected_xlsx(out / "returnees.xlsx", out / "protected.xlsx")
    make_pdfs(font, out)
    for f in sorted(out.iterdir()):
        print(f"{f.stat().st_size:>8}  {f.name}")


if __name__ == "__main__":
    main()
