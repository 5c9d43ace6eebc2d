"""Attachment extraction: fixtures made by scripts/make_attachment_fixtures.py (all content invented)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from leakguard.attachments import (
    DocIssue,
    Extraction,
    MissingExtra,
    extract,
    kind_of,
    people,
    table_issue,
    text_issues,
)
from leakguard.attachments.ocr import OcrLine, row_texts, rows
from leakguard.model import LeakguardError

FIX = Path(__file__).parent / "fixtures" / "attachments"
ROOT = Path(__file__).resolve().parent.parent
OCR_REASON = "needs the OCR extra: pip install 'leakguard[ocr]' (rapidocr_onnxruntime, Pillow)"


def _has(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


needs_ocr = pytest.mark.skipif(not (_has("rapidocr_onnxruntime") and _has("PIL")), reason=OCR_REASON)
needs_docs = pytest.mark.skipif(
    not (_has("docx") and _has("openpyxl") and _has("pypdf")),
    reason="needs the docs extra: pip install 'leakguard[docs]' (python-docx, openpyxl, pypdf)",
)


def by_location(ex: Extraction) -> dict[str, str]:
    return {u.location: u.text for u in ex.units}


def issues_of(ex: Extraction, code: str) -> list[DocIssue]:
    return [i for i in ex.issues if i.code == code]


def one_line(err: BaseException) -> str:
    msg = str(err)
    assert "\n" not in msg and "Traceback" not in msg
    return msg


# --------------------------------------------------------------------------- kind_of


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("jiaoban.png", "image"),
        ("screen_gps.jpg", "image"),
        ("draft.docx", "docx"),
        ("corrupt.docx", "docx"),
        ("returnees.xlsx", "xlsx"),
        ("protected.xlsx", "xlsx"),
        ("notice.pdf", "pdf"),
        ("encrypted.pdf", "pdf"),
    ],
)
def test_kind_of_fixtures(name: str, kind: str) -> None:
    assert kind_of(FIX / name) == kind


def test_kind_of_trusts_bytes_over_names(tmp_path: Path) -> None:
    png_named_txt = tmp_path / "photo.txt"
    png_named_txt.write_bytes((FIX / "jiaoban.png").read_bytes())
    docx_no_ext = tmp_path / "forwarded"
    docx_no_ext.write_bytes((FIX / "draft.docx").read_bytes())
    xlsx_as_zip = tmp_path / "list.zip"
    xlsx_as_zip.write_bytes((FIX / "returnees.xlsx").read_bytes())
    plain = tmp_path / "notes.txt"
    plain.write_text("交办单已收到", encoding="utf-8")
    other_zip = tmp_path / "bundle.zip"
    with zipfile.ZipFile(other_zip, "w") as zf:
        zf.writestr("a.txt", "x")
    assert kind_of(png_named_txt) == "image"
    assert kind_of(docx_no_ext) == "docx"
    assert kind_of(xlsx_as_zip) == "xlsx"
    assert kind_of(plain) is None
    assert kind_of(other_zip) is None


def test_kind_of_webp_heic_magic(tmp_path: Path) -> None:
    webp = tmp_path / "a.bin"
    webp.write_bytes(b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 16)
    heic = tmp_path / "b.bin"
    heic.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00" + b"\x00" * 16)
    mp4 = tmp_path / "c.bin"
    mp4.write_bytes(b"\x00\x00\x00\x18ftypisom\x00\x00\x00\x00" + b"\x00" * 16)
    assert (kind_of(webp), kind_of(heic), kind_of(mp4)) == ("image", "image", None)


def test_kind_of_unreadable_path_is_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(LeakguardError) as err:
        kind_of(tmp_path / "missing.docx")
    assert "missing.docx" in one_line(err.value)


# --------------------------------------------------------------------------- docx


@pytest.fixture(scope="module")
def draft() -> Extraction:
    if not _has("docx"):
        pytest.skip("needs the docs extra: pip install 'leakguard[docs]'")
    return extract(FIX / "draft.docx")


@needs_docs
def test_docx_body_tables_headers(draft: Extraction) -> None:
    units = by_location(draft)
    assert draft.kind == "docx"
    assert units["paragraph 1"] == "关于调整XX片区管控措施的通知（讨论稿）"
    assert units["table 1 r1c2"] == "姓名"
    assert units["table 1 r2c3"].isdigit() and len(units["table 1 r2c3"]) == 11
    assert units["header"] == "内部资料 注意保密"
    assert units["footer"] == "XX县卫生健康局办公室印发"


@needs_docs
def test_docx_tracked_changes_keep_deleted_text(draft: Extraction) -> None:
    units = by_location(draft)
    assert units["paragraph 3"] == "一、XX片区管控措施视排查结果另行研究。"
    assert units["paragraph 3 tracked deletion 1 (author 李某)"] == "拟于下周一起全部解除"
    assert units["paragraph 3 tracked insertion 1 (author 李某)"] == "视排查结果另行研究"
    (tracked,) = issues_of(draft, "HYG-TRACKED-CHANGES")
    assert (tracked.severity, tracked.location, tracked.category) == ("high", "paragraph 3", "document")
    assert "1 deletion" in tracked.detail["en"] and "李某" in tracked.detail["zh"]


@needs_docs
def test_docx_hidden_text_and_comment(draft: Extraction) -> None:
    units = by_location(draft)
    assert units["paragraph 4"] == "二、请各单位做好解释工作。"
    assert units["paragraph 4 hidden text"] == "（内部掌握，不对外公布）"
    assert units["comment 1 (author 张某)"] == "名单先别发群里，等领导定了再说"
    (hidden,) = issues_of(draft, "HYG-HIDDEN")
    (comments,) = issues_of(draft, "HYG-COMMENTS")
    assert hidden.location == "paragraph 4"
    assert comments.location == "comment 1 (author 张某)" and comments.severity == "medium"


@needs_docs
def test_docx_metadata_and_people(draft: Extraction) -> None:
    units = by_location(draft)
    assert units["metadata: author"] == "王某某"
    assert units["metadata: last modified by"] == "李某"
    assert units["metadata: company"] == "XX县卫生健康局"
    (meta,) = issues_of(draft, "HYG-METADATA")
    assert "company=XX县卫生健康局" in meta.detail["en"]
    (plist,) = issues_of(draft, "LIST-PEOPLE")
    assert (plist.rows, plist.severity, plist.location, plist.category) == (
        4,
        "medium",
        "table 1",
        "personal_data",
    )


@needs_docs
@needs_ocr
def test_docx_embedded_image_is_read(draft: Extraction) -> None:
    embedded = [u for u in draft.units if u.location.startswith("embedded image 1 line")]
    assert any("内部资料" in u.text for u in embedded)
    (img,) = issues_of(draft, "HYG-EMBEDDED-IMAGES")
    assert "text read from 1" in img.detail["en"]


@needs_docs
def test_docx_embedded_image_counted_without_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)
    ex = extract(FIX / "draft.docx")
    assert not [u for u in ex.units if u.location.startswith("embedded image")]
    (img,) = issues_of(ex, "HYG-EMBEDDED-IMAGES")
    assert "not read" in img.detail["en"] and "leakguard[ocr]" in img.detail["zh"]


@needs_docs
def test_docx_corrupt_and_legacy(tmp_path: Path) -> None:
    with pytest.raises(LeakguardError) as err:
        extract(FIX / "corrupt.docx")
    assert "corrupt.docx" in one_line(err.value) and not isinstance(err.value, MissingExtra)
    legacy = tmp_path / "old.doc"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(LeakguardError, match=r"old\.doc: Word 97-2003"):
        extract(legacy)


@needs_docs
def test_docx_broken_inside_valid_zip(tmp_path: Path) -> None:
    bad = tmp_path / "broken.docx"
    with zipfile.ZipFile(FIX / "draft.docx") as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, b"<w:document><w:body>" if item.filename == "word/document.xml" else data)
    with pytest.raises(LeakguardError) as err:
        extract(bad)
    assert "broken.docx: cannot read this Word document" in one_line(err.value)


# --------------------------------------------------------------------------- xlsx


GB_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def valid_resident_id(value: str) -> bool:
    if len(value) != 18 or not value[:17].isdigit():
        return False
    return "10X98765432"[sum(int(d) * w for d, w in zip(value, GB_WEIGHTS)) % 11] == value[17]


@pytest.fixture(scope="module")
def returnees() -> Extraction:
    if not _has("openpyxl"):
        pytest.skip("needs the docs extra: pip install 'leakguard[docs]'")
    return extract(FIX / "returnees.xlsx")


@needs_docs
def test_xlsx_cells_with_references(returnees: Extraction) -> None:
    units = by_location(returnees)
    assert units["sheet 返乡人员名单!B1"] == "姓名"
    assert units["sheet 返乡人员名单!D1"] == "身份证号"
    ids = [units[f"sheet 返乡人员名单!D{r}"] for r in range(2, 22)]
    assert len(ids) == 20 and all(valid_resident_id(i) for i in ids)
    assert units["sheet 返乡人员名单!G2"].startswith("2022-03-")
    assert units["sheet 内部备注!A1"] == "数据仅供内部核查，严禁外传"


@needs_docs
def test_xlsx_people_hidden_comment_metadata(returnees: Extraction) -> None:
    (plist,) = issues_of(returnees, "LIST-PEOPLE")
    assert (plist.rows, plist.severity, plist.location) == (20, "high", "sheet 返乡人员名单!A1:H1")
    (hidden,) = issues_of(returnees, "HYG-HIDDEN")
    assert hidden.location == "sheet 内部备注" and "hidden" in hidden.detail["en"]
    units = by_location(returnees)
    assert units["sheet 返乡人员名单!B5 comment 1 (author 王某某)"] == "此人已转运，勿外传"
    assert issues_of(returnees, "HYG-COMMENTS")[0].location == "sheet 返乡人员名单!B5"
    assert units["metadata: author"] == "王某某"
    assert issues_of(returnees, "HYG-METADATA")


@needs_docs
def test_xlsx_hidden_rows_and_very_hidden(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "表"
    ws.append(["甲", "乙"])
    ws.append(["丙", "丁"])
    ws.row_dimensions[2].hidden = True
    secret = wb.create_sheet("密")
    secret["A1"] = "x"
    secret.sheet_state = "veryHidden"
    path = tmp_path / "h.xlsx"
    wb.save(path)
    found = {(i.location, i.severity) for i in issues_of(extract(path), "HYG-HIDDEN")}
    assert found == {("sheet 表", "medium"), ("sheet 密", "high")}


@needs_docs
def test_xlsx_password_protected() -> None:
    with pytest.raises(LeakguardError) as err:
        extract(FIX / "protected.xlsx")
    assert "protected.xlsx" in one_line(err.value) and "password" in str(err.value)


# --------------------------------------------------------------------------- pdf


@needs_docs
@pytest.mark.parametrize("name", ["notice.pdf", "restricted.pdf"])
def test_pdf_pages_comments_people(name: str) -> None:
    ex = extract(FIX / name)
    units = by_location(ex)
    assert ex.kind == "pdf"
    assert units["p.1"].startswith("XX县关于做好近期重点人员管理工作的通知（征求意见稿）")
    assert "排查名单仅限工作人员内部使用" in units["p.1"]
    assert "附件：重点人员名单" in units["p.2"]
    assert units["p.1 comment 1 (author 张某)"] == "第二条再斟酌，先不要外发"
    assert units["metadata: author"] == "王某某" and "metadata: subject" not in units  # reportlab placeholder
    (plist,) = issues_of(ex, "LIST-PEOPLE")
    assert (plist.rows, plist.location, plist.severity) == (4, "p.2", "medium")
    assert "health" in plist.detail["en"]
    assert [i.code for i in ex.issues if i.code.startswith("HYG")] == ["HYG-COMMENTS", "HYG-METADATA"]


@needs_docs
def test_pdf_password_and_garbage(tmp_path: Path) -> None:
    with pytest.raises(LeakguardError) as err:
        extract(FIX / "encrypted.pdf")
    assert "encrypted.pdf" in one_line(err.value) and "password" in str(err.value)
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 50)
    with pytest.raises(LeakguardError) as err2:
        extract(junk)
    assert "junk.pdf" in one_line(err2.value)
    truncated = tmp_path / "cut.pdf"
    truncated.write_bytes((FIX / "notice.pdf").read_bytes()[:3000])
    try:
        ex = extract(truncated)  # pypdf may recover a partial file: fine, as long as it is an Extraction
        assert ex.kind == "pdf"
    except LeakguardError as e:
        assert "cut.pdf" in one_line(e)


# --------------------------------------------------------------------------- missing extras


@pytest.mark.parametrize(
    ("name", "module", "extra"),
    [
        ("draft.docx", "docx", "docs"),
        ("returnees.xlsx", "openpyxl", "docs"),
        ("notice.pdf", "pypdf", "docs"),
        ("jiaoban.png", "rapidocr_onnxruntime", "ocr"),
        ("screen_gps.jpg", "PIL", "ocr"),
    ],
)
def test_missing_extra_names_file_and_extra(
    monkeypatch: pytest.MonkeyPatch, name: str, module: str, extra: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` raise ImportError
    with pytest.raises(MissingExtra) as err:
        extract(FIX / name)
    msg = one_line(err.value)
    assert msg.startswith(str(FIX / name) + ": ")
    assert f"pip install 'leakguard[{extra}]'" in msg


class _BrokenLoader:
    """A meta-path finder that makes one installed module fail the way OpenCV does without libGL."""

    def __init__(self, name: str) -> None:
        self.name = name

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> None:
        if fullname == self.name:
            raise ImportError("libGL.so.1: cannot open shared object file: No such file or directory")


@needs_ocr
def test_extra_present_but_broken_is_not_called_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "rapidocr_onnxruntime", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_BrokenLoader("rapidocr_onnxruntime"), *sys.meta_path])
    with pytest.raises(LeakguardError) as err:
        extract(FIX / "jiaoban.png")
    assert not isinstance(err.value, MissingExtra)
    assert "jiaoban.png: the ocr extra is installed but failed to load: libGL.so.1" in one_line(err.value)


def test_not_an_attachment(tmp_path: Path) -> None:
    plain = tmp_path / "a.txt"
    plain.write_text("hello", encoding="utf-8")
    with pytest.raises(LeakguardError, match="a.txt: not an image"):
        extract(plain)


def test_import_is_light() -> None:
    code = (
        "import sys, leakguard.attachments as a\n"
        "heavy = {'docx', 'openpyxl', 'pypdf', 'PIL', 'numpy', 'cv2', 'onnxruntime', 'rapidocr_onnxruntime', 'lxml'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- images (OCR)


@pytest.fixture(scope="module")
def jiaoban() -> Extraction:
    if not (_has("rapidocr_onnxruntime") and _has("PIL")):
        pytest.skip(OCR_REASON)
    return extract(FIX / "jiaoban.png")


@needs_ocr
def test_image_ocr_lines_with_boxes(jiaoban: Extraction) -> None:
    assert jiaoban.kind == "image"
    texts = [u.text for u in jiaoban.units]
    assert texts[0] == "XX镇疫情防控交办单"
    assert any("第023号" in t for t in texts)
    assert any("不得对外发布" in t for t in texts)
    assert any("请勿外传" in t for t in texts)
    assert [u.location for u in jiaoban.units] == [f"image line {i}" for i in range(1, len(texts) + 1)]
    for u in jiaoban.units:
        assert u.box is not None and u.confidence is not None
        x, y, w, h = u.box
        assert 0 <= x < 1000 and 0 <= y < 1400 and 0 < w <= 1000 and 0 < h < 200
        assert 0.5 <= u.confidence <= 1.0
    assert not issues_of(jiaoban, "HYG-GPS")


@needs_ocr
def test_image_photographed_table_is_a_people_list(jiaoban: Extraction) -> None:
    (plist,) = issues_of(jiaoban, "LIST-PEOPLE")
    assert plist.rows == 3 and plist.severity == "medium"
    header_line = by_location(jiaoban)[plist.location]
    assert header_line == "姓名"


@needs_ocr
def test_image_gps_exif() -> None:
    ex = extract(FIX / "screen_gps.jpg")
    (gps,) = issues_of(ex, "HYG-GPS")
    assert (
        gps.category == "personal_data" and "30.55347" in gps.detail["en"] and "114.3125" in gps.detail["en"]
    )
    (meta,) = issues_of(ex, "HYG-METADATA")
    assert "FakePhone" in meta.detail["en"]
    assert any("请勿拍照外传" in u.text for u in ex.units)


@needs_ocr
def test_image_exif_orientation_is_applied(tmp_path: Path) -> None:
    from PIL import Image

    src = Image.open(FIX / "screen_gps.jpg")
    stored = src.rotate(90, expand=True)  # the way a phone stores a portrait shot
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    path = tmp_path / "rotated.jpg"
    stored.save(path, exif=exif)
    assert any("请勿拍照外传" in u.text for u in extract(path).units)


@needs_ocr
def test_gps_southern_western_hemisphere() -> None:
    from PIL import Image

    from leakguard.attachments.image import gps_position

    img = Image.new("RGB", (10, 10))
    exif = img.getexif()
    gps = exif.get_ifd(0x8825)
    gps.update({1: "S", 2: (33.0, 52.0, 0.0), 3: "W", 4: (70.0, 30.0, 0.0)})
    import io

    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif)
    assert gps_position(Image.open(buf)) == (-33.86667, -70.5)
    assert gps_position(Image.new("RGB", (4, 4))) is None


@needs_ocr
def test_heic_photo(tmp_path: Path) -> None:
    pillow_heif = pytest.importorskip("pillow_heif", reason="HEIC needs pillow-heif (part of the ocr extra)")
    from PIL import Image

    pillow_heif.register_heif_opener()
    path = tmp_path / "IMG_0001.HEIC"
    Image.open(FIX / "screen_gps.jpg").save(path, quality=90)
    assert kind_of(path) == "image"
    assert any("讨论稿" in u.text for u in extract(path).units)


@needs_ocr
def test_image_corrupt(tmp_path: Path) -> None:
    bad = tmp_path / "photo.jpg"
    bad.write_bytes((FIX / "screen_gps.jpg").read_bytes()[:400])
    with pytest.raises(LeakguardError) as err:
        extract(bad)
    assert "photo.jpg" in one_line(err.value)


@needs_ocr
def test_ocr_runs_with_network_blocked() -> None:
    code = (
        "import socket, sys\n"
        "def blocked(*a, **k): raise OSError('network blocked in test')\n"
        "socket.socket = blocked; socket.create_connection = blocked; socket.getaddrinfo = blocked\n"
        "from pathlib import Path\n"
        "from leakguard.attachments import extract\n"
        "ex = extract(Path(sys.argv[1]))\n"
        "print(ex.units[0].text)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(FIX / "jiaoban.png")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "XX镇疫情防控交办单"


# --------------------------------------------------------------------------- people lists (pure)


def test_header_roles() -> None:
    assert people.header_roles(["序号", "姓名", "性别", "身份证号码"]) == {1: "name", 3: "id"}
    assert people.cell_role("联系人电话") == "phone"
    assert people.cell_role("联系人") == "name"
    assert people.cell_role("患者姓名") == "name"
    assert people.header_roles(["姓名", "性别", "年龄"]) == {}  # no identifying column
    assert people.header_roles(["身份证号", "电话"]) == {}  # no name column
    assert people.cell_role("请填写姓名和电话后于3月5日前上报") is None  # a sentence, not a title


@pytest.mark.parametrize(
    ("rows", "severity"),
    [(1, "low"), (2, "low"), (3, "medium"), (9, "medium"), (10, "high"), (49, "high"), (50, "critical")],
)
def test_people_severity_by_rows(rows: int, severity: str) -> None:
    grid = [["姓名", "手机"]] + [[f"人{i}", "1380000"] for i in range(rows)]
    found = table_issue(grid, "t")
    assert found is not None and (found.rows, found.severity) == (rows, severity)


def test_table_issue_title_row_and_blank_rows() -> None:
    grid = [
        ["XX镇返乡人员登记表", "", ""],
        ["姓名", "现住址", "备注"],
        ["甲", "东街1号", ""],
        ["", "", ""],
        ["乙", "", "无"],
        ["丙", "西街2号", ""],
    ]
    found = table_issue(grid, "sheet S!A2:C2")
    assert found is not None and found.rows == 2  # 乙 has no identifying value


def test_text_issues_csv_and_prose() -> None:
    csv = "姓名,联系电话,住址\n甲,13800000000,东街1号\n乙,13900000000,西街2号\n丙,13700000000,南街3号\n\n完"
    (found,) = text_issues(csv, "paste")
    assert (found.rows, found.location) == (3, "paste")
    prose = "请各村把姓名，电话，住址报上来。\n今天下午开会，地点另行通知。"
    assert text_issues(prose, "x") == []


def test_ocr_rows_group_cells_by_line() -> None:
    def ln(text: str, x: int, y: int) -> OcrLine:
        return OcrLine(text, (x, y, 80, 40), 0.99)

    lines = [
        ln("姓名", 10, 100),
        ln("电话", 200, 104),
        ln("住址", 400, 96),
        ln("甲", 12, 160),
        ln("13800000000", 200, 166),
        ln("东街1号", 400, 158),
        ln("备注：无", 10, 260),
    ]
    assert [[c.text for c in r] for r in rows(lines)] == [
        ["姓名", "电话", "住址"],
        ["甲", "13800000000", "东街1号"],
        ["备注：无"],
    ]
    assert row_texts(lines, "image")[1] == ("甲\t13800000000\t东街1号", "image line 4")
