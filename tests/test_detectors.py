"""Tests for leakguard.detectors.

All identifiers are synthetic: IDs, cards and credit codes are generated here with check
characters computed by the test's own formulas (never real people or companies).  Inputs are
written as leakguard's normaliser would hand them over: ASCII digits/letters, lower case.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leakguard.detectors import (
    GATES,
    KINDS,
    Detection,
    detect,
    gate_open,
    gb11643_check_digit,
    luhn_ok,
    mask,
    uscc_ok,
)
from leakguard.model import LeakguardError

# --------------------------------------------------------------------------- generators


def id_check(body17: str) -> str:
    """ISO 7064 MOD 11-2, written independently of the library's lookup table."""
    s = sum(int(c) * (2 ** (17 - i) % 11) for i, c in enumerate(body17))
    r = (12 - s % 11) % 11
    return "X" if r == 10 else str(r)


def make_id(region: str = "110105", born: str = "19870514", seq: str = "123") -> str:
    body = region + born + seq
    return body + id_check(body)


def wrong_check(id18: str) -> str:
    bad = "0" if id18[-1] != "0" else "1"
    return id18[:17] + bad


def luhn_complete(prefix: str) -> str:
    """Append the Luhn check digit to ``prefix``."""
    total = 0
    for i, c in enumerate(reversed(prefix)):
        d = int(c)
        if i % 2 == 0:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return prefix + str((10 - total % 10) % 10)


USCC_SET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc_complete(body17: str) -> str:
    s = sum(USCC_SET.index(c) * (3**i % 31) for i, c in enumerate(body17))
    return body17 + USCC_SET[(31 - s % 31) % 31]


def kinds(text: str, only: list[str] | None = None) -> list[tuple[str, str]]:
    return [(d.kind, d.value) for d in detect(text, only)]


def one(text: str, kind: str) -> Detection:
    found = [d for d in detect(text) if d.kind == kind]
    assert len(found) == 1, (text, detect(text))
    return found[0]


# --------------------------------------------------------------------------- checksums


def test_check_digit_matches_independent_formula() -> None:
    for body in ("11010519491231002", "44030419800101123", "45112319981026879", "65010219641124761"):
        assert gb11643_check_digit(body) == id_check(body)


def test_check_digit_rejects_bad_body() -> None:
    with pytest.raises(ValueError):
        gb11643_check_digit("1234")
    with pytest.raises(ValueError):
        gb11643_check_digit("1101051949123100x")


def test_luhn() -> None:
    assert luhn_ok("4111111111111111")
    assert not luhn_ok("4111111111111112")
    assert luhn_ok(luhn_complete("621700012345678901"))
    assert not luhn_ok("")
    assert not luhn_ok("4111 1111")


def test_uscc_ok() -> None:
    code = uscc_complete("91440300MA5F00012")
    assert uscc_ok(code) and uscc_ok(code.lower())
    assert not uscc_ok(code[:17] + ("0" if code[17] != "0" else "1"))
    assert not uscc_ok("91440300MA5F0001")
    assert not uscc_ok("91440300MA5F0001I2")  # I is not in the charset


# --------------------------------------------------------------------------- resident ID


@pytest.mark.parametrize(
    "template",
    ["身份证号{}，请核对", "id:{}", "{}", "证件号码 {} 已登记"],
)
def test_id_plain(template: str) -> None:
    cid = make_id()
    d = one(template.format(cid), "cn_id")
    assert d.valid is True and d.value == cid and d.sensitive
    assert "born 1987-05-14" in d.detail and "Beijing" in d.detail
    assert template.format(cid)[d.start : d.end] == cid


def test_id_check_x_arrives_lowercase() -> None:
    body = next(b for b in (f"33010619900307{n:03d}" for n in range(1000)) if id_check(b) == "X")
    text = f"身份证{body}x，男"
    d = one(text, "cn_id")
    assert d.value == body + "X" and d.valid is True
    assert text[d.start : d.end] == body + "x"


@pytest.mark.parametrize("sep", [" ", "-", "  ", " - "])
def test_id_grouped(sep: str) -> None:
    cid = make_id("451123", "19981026", "879")
    for groups in ((cid[:6], cid[6:14], cid[14:]), (cid[:6], cid[6:10], cid[10:14], cid[14:])):
        text = "号码 " + sep.join(groups) + " 已核实"
        d = one(text, "cn_id")
        assert d.value == cid and d.valid is True
        assert text[d.start : d.end] == sep.join(groups)


def test_id_wrong_check_digit_is_refuted() -> None:
    bad = wrong_check(make_id())
    d = one(f"测试号码{bad}", "cn_id")
    assert d.valid is False and "wrong" in d.detail


@pytest.mark.parametrize(
    "body",
    [
        "11010520250230",  # no 30 February
        "11010518991231",  # before 1900
        "99010519870514",  # no province 99
        "11000019870514",  # province code with no prefecture
    ],
)
def test_id_bad_structure_not_an_id(body: str) -> None:
    cid = body + "123"
    cid += id_check(cid)
    assert [d for d in detect(f"号码{cid}") if d.kind == "cn_id"] == []


def test_id_future_birth_not_an_id() -> None:
    future = (dt.date.today() + dt.timedelta(days=400)).strftime("%Y%m%d")
    assert kinds(make_id(born=future), ["cn_id"]) == []


def test_id_15_digit() -> None:
    d = one("老身份证 440301800101123 还能用吗", "cn_id")
    assert d.valid is None and d.value == "440301800101123" and "born 1980-01-01" in d.detail
    assert kinds("440301801301123", ["cn_id"]) == []  # month 13


@pytest.mark.parametrize(
    "text",
    [
        "4511************1x",
        "身份证 1101**********123x 已打码",
        "110105********1234",
        "证件号 110105xxxxxxxx123x",
    ],
)
def test_masked_ids_not_detected(text: str) -> None:
    assert detect(text) == []


def test_id_inside_longer_run_not_detected() -> None:
    cid = make_id()
    assert kinds("9" + cid) == []
    assert kinds(cid + "7") == []
    assert kinds(cid + "abc") == []
    assert kinds("3." + cid) == []


@settings(max_examples=200, deadline=None)
@given(
    region=st.sampled_from(["110105", "310104", "440304", "451123", "510107", "650102", "820000", "230102"]),
    born=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date.today()),
    seq=st.integers(0, 999),
    sep=st.sampled_from(["", " ", "-"]),
)
def test_property_check_digit(region: str, born: dt.date, seq: int, sep: str) -> None:
    body = f"{region}{born:%Y%m%d}{seq:03d}"
    good = body + gb11643_check_digit(body)
    text = f"姓名某某 证件{sep.join((good[:6], good[6:14], good[14:]))}。"
    d = one(text, "cn_id")
    assert d.valid is True and d.value == good
    last = good[-1]
    for other in "0123456789X":
        if other != last:
            bad = good[:17] + other
            d = one(f"证件{sep.join((bad[:6], bad[6:14], bad[14:])).lower()}。", "cn_id")
            assert d.valid is False and d.value == bad


# --------------------------------------------------------------------------- phones


@pytest.mark.parametrize(
    "text",
    [
        "电话13800138000",
        "电话 138 0013 8000 找我",
        "电话138-0013-8000",
        "+8613800138000",
        "+86 138 0013 8000",
        "+86-138-0013-8000",
        "86-13800138000",
        "0086 13800138000",
        "008613800138000",
        "手机:1380013 8000",
        "tel13800138000",
        "*电话:13800138000*",
    ],
)
def test_mobile_forms(text: str) -> None:
    d = one(text, "mobile")
    assert d.value == "13800138000" and d.sensitive and d.valid is None
    assert "China Mobile" in d.detail
    assert text[d.end - 4 : d.end] == "8000"


def test_mobile_plus_included_in_span() -> None:
    text = "拨 +86 139 1234 5678"
    d = one(text, "mobile")
    assert text[d.start : d.end] == "+86 139 1234 5678"


def test_mobile_lists() -> None:
    assert kinds("13800138000/13912345678") == [("mobile", "13800138000"), ("mobile", "13912345678")]
    assert kinds("13800138000 13912345678、15012345678") == [
        ("mobile", "13800138000"),
        ("mobile", "13912345678"),
        ("mobile", "15012345678"),
    ]


def test_mobile_unallocated_prefix_noted() -> None:
    assert "not allocated" in one("号码15412345678", "mobile").detail


@pytest.mark.parametrize(
    "text",
    [
        "有事拨打12345市民热线",
        "12320卫生热线，12306订票，110报警，120急救",
        "客服电话400-123-4567或800-820-8820",
        "客服4001234567",
        "95588",
        "订单号2138001380001",
        "1380013800012",
        "12345678901",
        "2020年1月23日",
        "2020-01-23 10:30",
        "138****8000",
        "13800138000.5元",
        "交易号x13800138000y",
    ],
)
def test_not_mobiles(text: str) -> None:
    assert [d for d in detect(text) if d.kind == "mobile"] == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("办公室0571-88881234", "057188881234"),
        ("(010)8888-1234", "01088881234"),
        ("(0571) 88881234", "057188881234"),
        ("010 8888 1234", "01088881234"),
        ("02087654321", "02087654321"),
        ("+86 10 8888 1234", "01088881234"),
    ],
)
def test_landline(text: str, value: str) -> None:
    d = one(text, "landline")
    assert d.value == value and d.sensitive is False


@pytest.mark.parametrize("text", ["0001234567", "01188881234", "0571-1234567", "0571-08881234", "0571-96345"])
def test_not_landline(text: str) -> None:
    assert kinds(text) == []


# --------------------------------------------------------------------------- bank cards


def test_bank_card_plain_and_grouped() -> None:
    card = luhn_complete("621700012345678901")
    assert one(f"卡号{card}", "bank_card").value == card
    grouped = " ".join(card[i : i + 4] for i in range(0, 19, 4))
    d = one(f"转到 {grouped} 谢谢", "bank_card")
    assert d.value == card and d.valid is True and "UnionPay" in d.detail
    visa = luhn_complete("411111111111111")
    assert one(f"card {visa}", "bank_card").value == visa


def test_bank_card_luhn_fail_not_reported() -> None:
    card = luhn_complete("621700012345678901")
    bad = card[:-1] + str((int(card[-1]) + 1) % 10)
    assert kinds(f"卡号{bad}") == []


def test_bank_card_implausible_iin_not_reported() -> None:
    assert kinds(luhn_complete("123456789012345")) == []


# --------------------------------------------------------------------------- overlaps


def test_id_not_also_card_or_phone() -> None:
    # choose a body so that the ID also happens to pass Luhn and starts like a card
    cid = next(c for c in (make_id("620102", "19900101", f"{n:03d}") for n in range(1000)) if luhn_ok(c))
    assert kinds(f"号{cid}") == [("cn_id", cid)]
    assert kinds(f"号{cid}", ["bank_card", "mobile"]) == []


def test_email_wins_over_mobile() -> None:
    assert kinds("邮箱13800138000@163.com") == [("email", "13800138000@163.com")]


def test_title_may_contain_phone() -> None:
    found = kinds("【关于寻找13800138000机主的通知】")
    assert ("mobile", "13800138000") in found and ("doc_title", "关于寻找13800138000机主的通知") in found


def test_results_sorted_and_offsets_match() -> None:
    cid = make_id()
    text = f"张某 {cid}，电话13912345678，住城北路18号，车牌川a12345"
    found = detect(text)
    assert [d.start for d in found] == sorted(d.start for d in found)
    assert [d.kind for d in found] == ["cn_id", "mobile", "address", "plate"]
    assert [text[d.start : d.end] for d in found] == [cid, "13912345678", "城北路18号", "川a12345"]


# --------------------------------------------------------------------------- USCC


def test_uscc_valid_lowercase_input() -> None:
    code = uscc_complete("91440300MA5F00012")
    d = one(f"统一社会信用代码：{code.lower()}", "uscc")
    assert d.valid is True and d.value == code and d.sensitive is False
    assert "market regulation" in d.detail and "Guangdong" in d.detail


def test_uscc_wrong_check_needs_cue() -> None:
    code = uscc_complete("91440300MA5F00012")
    bad = (code[:17] + ("0" if code[17] != "0" else "1")).lower()
    assert one(f"信用代码{bad}", "uscc").valid is False
    assert [d for d in detect(f"编号{bad}") if d.kind == "uscc"] == []


def test_uscc_all_digit_only_when_valid() -> None:
    code = uscc_complete("12440300455667788")
    assert one(f"代码{code}", "uscc").valid is True


# --------------------------------------------------------------------------- plates


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("车牌豫q·1q2u1停在楼下", "豫Q1Q2U1"),
        ("川a12345", "川A12345"),
        ("粤b d12345", "粤BD12345"),
        ("京a-12345", "京A12345"),
        ("沪c 12345", "沪C12345"),
        ("粤b12345d", "粤B12345D"),
        ("鲁a1234学", "鲁A1234学"),
    ],
)
def test_plates(text: str, value: str) -> None:
    d = one(text, "plate")
    assert d.value == value and d.sensitive


@pytest.mark.parametrize(
    "text", ["京abcde", "新ipad2", "川a1234", "川a123456", "粤b1o345", "新a12345678", "苏ab12cd"]
)
def test_not_plates(text: str) -> None:
    assert [d for d in detect(text) if d.kind == "plate"] == []


# --------------------------------------------------------------------------- passports and permits


def test_passport_needs_cue() -> None:
    assert one("护照号码e12345678", "passport").value == "E12345678"
    assert one("passport no. ea1234567", "passport").value == "EA1234567"
    assert [d for d in detect("型号e12345678") if d.kind == "passport"] == []


def test_hk_macau_permit_needs_cue() -> None:
    assert one("港澳通行证c12345678", "hk_macau_permit").value == "C12345678"
    assert one("通行证号 cd1234567", "hk_macau_permit").value == "CD1234567"
    assert [d for d in detect("编号c12345678") if d.kind == "hk_macau_permit"] == []


# --------------------------------------------------------------------------- document numbers


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("吉政办发〔2020〕12号", "吉政办发〔2020〕12号"),
        ("根据国办发〔2020〕6号文件精神", "国办发〔2020〕6号"),
        ("按照[2020]12号文件", "[2020]12号"),
        ("(2020)第12号", "(2020)第12号"),
        ("市人社字〔2019〕3号", "市人社字〔2019〕3号"),
        ("（2020）京0105民初123号", "（2020）京0105民初123号"),
        ("【2021】7号", "【2021】7号"),
        ("督办单(第010号)", "(第010号)"),
        ("第010期", "第010期"),
        ("疫情防控简报第12期", "简报第12期"),
    ],
)
def test_doc_numbers(text: str, value: str) -> None:
    d = one(text, "doc_number")
    assert d.value == value and d.sensitive is False


@pytest.mark.parametrize("text", ["第3期培训班", "2020年12号", "3号", "第18号", "(2020)年度总结"])
def test_not_doc_numbers(text: str) -> None:
    assert [d for d in detect(text) if d.kind == "doc_number"] == []


# --------------------------------------------------------------------------- titles


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("请看《关于做好春节期间值班工作的通知》", "关于做好春节期间值班工作的通知"),
        ("《某区疫情防控应急预案（讨论稿）》", "某区疫情防控应急预案（讨论稿）"),
        ("《某某街道返乡人员汇总表》", "某某街道返乡人员汇总表"),
        ("《关于某事项的请示》", "关于某事项的请示"),
        ("《物业管理实施细则(试行)》", "物业管理实施细则(试行)"),
        ("【关于调整作息时间的通知】", "关于调整作息时间的通知"),
        ("《2020年度工作计划》", "2020年度工作计划"),
        ("《第三次专题会议纪要》", "第三次专题会议纪要"),
    ],
)
def test_doc_titles(text: str, value: str) -> None:
    d = one(text, "doc_title")
    assert d.value == value and d.sensitive is False


def test_title_inner_draft_suffix_noted() -> None:
    assert "marked 讨论稿" in one("《某区疫情防控应急预案（讨论稿）》", "doc_title").detail


def test_title_outer_draft_suffix() -> None:
    text = "附件《复工复产方案》（征求意见稿）请审阅"
    d = one(text, "doc_title")
    assert text[d.start : d.end] == "《复工复产方案》（征求意见稿）" and "征求意见稿" in d.detail


@pytest.mark.parametrize(
    "text",
    [
        "看了《流浪地球》",
        "《红楼梦》",
        "【转发抽奖】",
        "《旅行计划》",
        "《我的读书笔记》",
        "《通知》",
        "【图片】",
    ],
)
def test_not_doc_titles(text: str) -> None:
    assert [d for d in detect(text) if d.kind == "doc_title"] == []


# --------------------------------------------------------------------------- addresses


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("他家住城北路18号，", "城北路18号"),
        ("住在金桂园6栋", "金桂园6栋"),
        ("滨河路12号3楼", "滨河路12号3楼"),
        ("就在中华路那边5栋", "中华路那边5栋"),
        ("阳光小区3栋2单元501室有人", "阳光小区3栋2单元501室"),
        ("地址：湖北省武汉市江岸区中山大道100号", "湖北省武汉市江岸区中山大道100号"),
        ("幸福村5组12号", "幸福村5组12号"),
        ("锦绣花园3-2-501", "锦绣花园3-2-501"),
        ("长乐路123弄4号", "长乐路123弄4号"),
        ("翠湖苑b座1203室", "翠湖苑b座1203室"),
        ("东风小区十二栋", "东风小区十二栋"),
        ("宝丰一路8号", "宝丰一路8号"),
        ("某某华府1区2栋1单元", "某某华府1区2栋1单元"),
        ("有登州路56号的店", "登州路56号"),
        ("到达某某市沿江路17号1栋", "某某市沿江路17号1栋"),
        ("家住某某村20栋3门2号。", "某某村20栋3门2号"),
        ("地址:某某区共勉街4号一单元502,", "某某区共勉街4号一单元502"),
    ],
)
def test_addresses(text: str, value: str) -> None:
    d = one(text, "address")
    assert d.value == value and d.sensitive and d.valid is None


@pytest.mark.parametrize(
    "text",
    [
        "坐5号线到终点",
        "3楼会议室开会",
        "第18号通告",
        "我们小区3号开始封闭",
        "地铁二环路5号线",
        "幼儿园3楼",
        "走路3号就到",
        "2020年1月",
        "这个小区5号楼",
        "公园3号门",
        "城北路18号起实行交通管制",
        "乘坐15路公交车",
        "住在北京南路一栋老旧的居民楼",
        "全小区1766户住户",
        "这一路3号",
    ],
)
def test_not_addresses(text: str) -> None:
    assert [d for d in detect(text) if d.kind == "address"] == []


# --------------------------------------------------------------------------- e-mail


def test_email() -> None:
    d = one("发到 zhang.san_01@example.com.cn 就行", "email")
    assert d.value == "zhang.san_01@example.com.cn" and d.sensitive
    assert kinds("//@某用户:转发微博") == []
    assert kinds("a@b") == []


# --------------------------------------------------------------------------- masking


@pytest.mark.parametrize(
    ("kind", "value", "masked"),
    [
        ("cn_id", "11010519491231002X", "1101**********002X"),
        ("cn_id", "440301800101123", "4403*******1123"),
        ("mobile", "13912345678", "139****5678"),
        ("landline", "057188881234", "0571****1234"),
        ("landline", "01088881234", "010****1234"),
        ("bank_card", "6217000123456789015", "621700*********9015"),
        ("plate", "豫Q1Q2U1", "豫Q·***U1"),
        ("plate", "粤BD12345", "粤B·****45"),
        ("passport", "E12345678", "E******78"),
        ("hk_macau_permit", "C12345678", "C******78"),
        ("email", "zhang@example.com", "z***@example.com"),
        ("address", "湖北省武汉市江岸区中山大道100号", "湖北省武汉市江岸区＊＊＊＊＊＊＊＊"),
        ("address", "阳光小区3栋2单元", "＊＊＊＊＊＊＊＊＊"),
        ("address", "某县城关镇幸福村5组", "某县城关镇＊＊＊＊＊"),
        ("doc_number", "吉政办发〔2020〕12号", "吉政办发〔2020〕12号"),
        ("doc_title", "关于某事的通知", "关于某事的通知"),
        ("uscc", "91440300MA5F000123", "91440300MA5F000123"),
    ],
)
def test_mask(kind: str, value: str, masked: str) -> None:
    assert mask(kind, value) == masked


def test_mask_unknown_kind() -> None:
    with pytest.raises(ValueError):
        mask("name", "张三")


# --------------------------------------------------------------------------- API and gates


def test_unknown_kind_is_a_clear_error() -> None:
    with pytest.raises(LeakguardError, match="unknown detector kind"):
        detect("x", ["cn_id", "ssn"])


def test_kinds_filter_and_single_string() -> None:
    text = f"{make_id()} 13912345678"
    assert [d.kind for d in detect(text, ["mobile"])] == ["mobile"]
    assert [d.kind for d in detect(text, "cn_id")] == ["cn_id"]
    assert set(GATES) == set(KINDS)


POSITIVE_SAMPLES = [
    f"身份证{make_id()}，电话+86 138 0013 8000，办公室(0571)8888-1234",
    f"卡号{luhn_complete('621700012345678901')} 信用代码{uscc_complete('91440300MA5F00012').lower()}",
    "车牌豫q·1q2u1，护照e12345678，港澳通行证c12345678，邮箱a@b.cn",
    "吉政办发〔2020〕12号《关于做好值班工作的通知》（讨论稿）第010期【某某工作方案】",
    "住城北路18号，金桂园6栋，幸福村5组12号，锦绣花园3-2-501，翠湖苑b座1203室，长乐路123弄4号",
]


@pytest.mark.parametrize("text", POSITIVE_SAMPLES)
def test_gates_cover_every_detection(text: str) -> None:
    """Ungated detectors must never find a kind whose gate is closed (gates are necessary conditions)."""
    from leakguard.detectors import _RUNNERS

    raw = [d for _, runner in _RUNNERS for d in runner(text)]
    assert raw
    for d in raw:
        gate = GATES[d.kind]
        span = text[d.start : d.end]
        if d.kind in ("passport", "hk_macau_permit"):  # gated by a cue word beside the number
            span = text[max(0, d.start - 16) : d.end + 16]
        assert gate_open(d.kind, span), (d.kind, span)
        if not gate:
            assert any(c.isdigit() for c in span)


def test_gate_closed_means_detector_skipped() -> None:
    assert not gate_open("doc_title", "没有书名号")
    assert gate_open("cn_id", "1") and not gate_open("cn_id", "一二三")
    assert detect("没有数字也没有地址的一句话") == []
