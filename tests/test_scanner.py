"""Scanner behaviour on drafts modelled on each precedent case (all sentences invented here)."""

from __future__ import annotations

import json
from typing import Any

import pytest

import leakguard
from leakguard.model import Verdict
from leakguard.scanner import Scanner


@pytest.fixture(scope="module")
def sc() -> Scanner:
    return Scanner(Scanner.default().ruleset)  # own instance: the CLI may change the default's lang


# Two invented drafts per precedent case; each must be flagged, and the top finding must cite it.
RISKY: list[tuple[str, str]] = [
    ("jishou-jiaobandan", "街道刚发的督办单我拍了照，发咱家群里，你们别往外传"),
    ("jishou-jiaobandan", "社区的任务交办单拍给你们看一下，千万别转出去 [图片]"),
    ("nandan-qq-materials", "县防控办的工作材料我转到老乡QQ群了，大家参考 [文件]"),
    ("nandan-qq-materials", "这是乡里还没审批的防控材料，我先转发到微信群给大家看看"),
    ("liujiang-report", "这份调查报告还没核定，我先发家族群里给大家提个醒"),
    ("liujiang-report", "疾控那边的流调报告是涉密的，我转给老婆了，她们单位好防着点 [文件]"),
    ("fuchuan-medical-record", "我们科室那个疑似病人的住院病历拍了一张，家人群里说一声 [图片]"),
    ("fuchuan-medical-record", "检验科刚出的化验单，那个病人阳性，我拍下来发家里群了 [图片]"),
    ("zhongshan-returnee-list", "这是外地返乡人员名单，发同学群里看看有没有你们认识的 [文件]"),
    ("zhongshan-returnee-list", "附件是辖区湖北返乡人员信息汇总表，转你们看看，注意别外传 [文件]"),
    ("yinchuan-draft", "公交线路恢复的讨论稿先发公司群，领导还没批"),
    ("yinchuan-draft", "关于恢复部分公交线路的通告讨论稿，发朋友圈给大家提前看看 [图片]"),
    ("wuda-misforward", "不好意思发错群了，刚才那份排查函是给专班的，附件里有密接人员电话"),
    ("wuda-misforward", "刚才误发到朋友群的是协查函，大家看到的请删除，里面有人员名单"),
    ("wuxue-rumor", "听说人民医院有两个确诊了，医院都不收人了，村民群里的大家注意"),
    ("wuxue-rumor", "我亲戚说镇卫生院收了好几个发烧的病人，都是那个病，各位村民少出门"),
    ("guiping-fabrication", "紧急扩散！明天起全市超市关门，所有人集中隔离在体育馆，赶紧囤货"),
    ("guiping-fabrication", "速转！今晚起全县封锁，所有人不准出门，赶紧去超市抢菜"),
    ("chengdu-dispatch-photo", "疫情防控调度会还没开完，我偷拍了大屏，你们看 [图片]"),
    ("chengdu-dispatch-photo", "开调度会的时候我拍了张照片，投影上是各区排查数据，发你们看看"),
    ("chengdu-lockdown-leak", "指挥部刚开完会，后天起我们区要封控了，先别说出去"),
    ("chengdu-lockdown-leak", "区里明天开始静态管理，这是内部刚定的，通告还没发，大家赶紧备点菜"),
    ("xichang-sensitive-info", "跟你说个敏感信息，还没公布，我们这边准备征用三家酒店做隔离点"),
    ("xichang-sensitive-info", "这是我们局内部掌握的数据，还没对外，今天卡点劝返了三百多辆车，你知道就行"),
    ("zhumadian-health-code", "隔壁老李黄码了，住3栋2单元，你们最近别跟他接触"),
    ("zhumadian-health-code", "楼下小张的健康码变黄了，他是密接，大家这两天别去他家串门"),
]

BENIGN: list[str] = [
    "@所有人 本周五上午十点在三楼会议室召开防控调度会，请准时参加",  # meeting notice
    "本周例会改到周四下午，地点不变",
    "今天公交调度有调整，12路晚班车推迟到十一点",  # 公交调度
    "我的毕业论文初稿终于交给导师了",  # thesis draft
    "新闻报道了吉首那个把交办单拍到亲属群的干部，被给予警告处分，大家引以为戒",  # published case
    "看到通报了，成都几个干部把调度会现场照片发私人群被立案审查，以后开会手机收好",
    "官方辟谣：网传明天全市超市关门的消息是假的，请勿信谣",  # official rebuttal
    "市政府发布会刚宣布明天起全市静态管理，请大家配合",
    "国家卫健委官网发布了最新的流调报告",
    "我电话13800138000，到了楼下打给我",  # own phone number
    "填表说明：身份证号一栏填18位，手机号填本人的，例如13912345678",  # form-filling instructions
    "请大家在表格里填写本人的姓名、身份证号和手机号，填表说明见第一页",
    "交办单上的事项都办完了，明天交回执",
    "电视剧里那个封城的情节拍得挺真实",
]


def _ids(v: Verdict) -> list[str]:
    return [f.precedent.id if f.precedent else "-" for f in v.findings]


@pytest.mark.parametrize(("case_id", "text"), RISKY, ids=[f"{c}-{i % 2}" for i, (c, _) in enumerate(RISKY)])
def test_risky_draft_is_flagged_and_cites_its_precedent(sc: Scanner, case_id: str, text: str) -> None:
    v = sc.check(text)
    assert v.verdict in ("warn", "block"), (v.verdict, v.score)
    assert v.findings
    assert v.findings[0].precedent is not None
    assert v.findings[0].precedent.id == case_id, _ids(v)
    assert 0.0 < v.findings[0].precedent.fit <= 1.0


def test_every_seed_case_has_drafts() -> None:
    expected = {
        "jishou-jiaobandan", "nandan-qq-materials", "liujiang-report", "fuchuan-medical-record",
        "zhongshan-returnee-list", "yinchuan-draft", "wuda-misforward", "wuxue-rumor", "guiping-fabrication",
        "chengdu-dispatch-photo", "chengdu-lockdown-leak", "xichang-sensitive-info", "zhumadian-health-code",
    }
    assert {c for c, _ in RISKY} == expected


@pytest.mark.parametrize("text", BENIGN)
def test_benign_look_alike_passes(sc: Scanner, text: str) -> None:
    v = sc.check(text)
    assert v.verdict == "pass", [(f.code, f.score) for f in v.findings]
    assert v.findings == ()


@pytest.mark.parametrize("text", ["", " ", "\n", "\r\n\r\n"])
def test_empty_or_blank_text_passes(sc: Scanner, text: str) -> None:
    v = sc.check(text)
    assert v.verdict == "pass"
    assert v.findings == ()
    assert v.score <= 0.0


def test_module_level_check_api() -> None:
    v = leakguard.check("社区的任务交办单拍给你们看一下，千万别转出去")
    assert v.flagged and v.findings[0].code == "DOC101"
    assert leakguard.check("明天上午九点开调度会").verdict == "pass"


# ----------------------------------------------------------------------------- spans


SPAN_TEXTS = [t for _, t in RISKY] + [
    "大家好\n今天说个事\r\n交.办.单拍给你们看看，别外传",
    "😀😀督 办 单我拍了照，发咱家群里\r\n别外传",
    "調度會還沒開完，我偷拍了大屏，你們看 [圖片]",
    "ＱＱ群里那份工\u200b作\u200b材\u200b料转到家族群了 [文件]",
    "隔离点跑出来的那个人电话是13800138000，他是密接，住幸福小区6号楼2单元301室",
]


@pytest.mark.parametrize("text", SPAN_TEXTS)
def test_every_span_points_at_its_match(sc: Scanner, text: str) -> None:
    v = sc.check(text, explain=True)
    assert v.findings
    for f in v.findings + v.notes:
        assert 0 <= f.start < f.end <= len(text)
        assert text[f.start : f.end] == f.match
        before = text[: f.start]
        line_start = max(before.rfind("\n"), before.rfind("\r")) + 1
        assert f.column == f.start - line_start + 1
        assert f.line == len(before.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def test_obfuscated_match_is_reported_as_written(sc: Scanner) -> None:
    v = sc.check("大家好\n今天说个事\r\n交.办.单拍给你们看看，别外传")
    f = v.findings[0]
    assert (f.code, f.match, f.line, f.column) == ("DOC101", "交.办.单", 3, 1)


def test_line_and_column_on_crlf_text(sc: Scanner) -> None:
    text = "第一行\r\n第二行\r\n这是督办单我拍了照，别外传"
    f = sc.check(text).findings[0]
    assert (f.code, f.line, f.column) == ("DOC101", 3, 3)
    assert text[f.start : f.end] == "督办单"


def test_column_counts_code_points_after_emoji(sc: Scanner) -> None:
    f = sc.check("😀😀督办单我拍了照，发咱家群里，别外传").findings[0]
    assert (f.line, f.column, f.match) == (1, 3, "督办单")


# ----------------------------------------------------------------------------- masking


def _id_number(prefix17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(prefix17, weights))
    return prefix17 + "10X98765432"[total % 11]


def test_personal_data_is_masked_unless_asked(sc: Scanner) -> None:
    phone = "13800138000"
    v = sc.check(f"隔离点跑出来的那个人电话是{phone}，他是密接，大家注意")
    pii = [f for f in v.findings if f.code == "PII202"]
    assert pii, [f.code for f in v.findings]
    f = pii[0]
    assert f.sensitive and f.match == phone
    masked = f.to_dict()["match"]
    assert masked != phone and "*" in masked and len(masked) >= 7
    assert f.to_dict(show_matches=True)["match"] == phone
    assert phone not in json.dumps(v.to_dict(), ensure_ascii=False)
    assert phone in json.dumps(v.to_dict(show_matches=True), ensure_ascii=False)


def test_id_number_is_masked(sc: Scanner) -> None:
    idn = _id_number("32010219880512003")
    v = sc.check(f"患者老周，身份证{idn}，今天确诊了，家住5栋")
    ids = [f for f in v.findings if f.code == "PII201"]
    assert ids and ids[0].match == idn
    assert idn not in json.dumps(v.to_dict(), ensure_ascii=False)
    assert ids[0].to_dict(True)["match"] == idn


def test_non_personal_match_is_not_masked(sc: Scanner) -> None:
    f = sc.check("社区的任务交办单拍给你们看一下，千万别转出去").findings[0]
    assert not f.sensitive and f.to_dict()["match"] == "任务交办单"


# ----------------------------------------------------------------------------- destination, thresholds


def test_destination_family_group_raises_work_group_lowers(sc: Scanner) -> None:
    text = "这份督办单拍给你看看"
    plain, family, work = sc.check(text), sc.check(text, to="家族群"), sc.check(text, to="XX局工作群")
    assert family.score > plain.score > work.score
    assert any(s.kind == "destination" and s.delta > 0 for s in family.findings[0].steps)
    assert _order(family.verdict) >= _order(plain.verdict) >= _order(work.verdict)


def test_unknown_destination_changes_nothing(sc: Scanner) -> None:
    text = "这份督办单拍给你看看"
    assert sc.check(text, to="张三").score == sc.check(text).score


def _order(v: str) -> int:
    return ["pass", "warn", "block"].index(v)


@pytest.mark.parametrize("text", [t for _, t in RISKY] + BENIGN)
def test_verdict_follows_thresholds(sc: Scanner, text: str) -> None:
    warn, block = sc.ruleset.thresholds["warn"], sc.ruleset.thresholds["block"]
    v = sc.check(text, explain=True)
    expected = "block" if v.score >= block else "warn" if v.score >= warn else "pass"
    assert v.verdict == expected
    assert all(f.score >= warn for f in v.findings)
    assert all(f.score < warn for f in v.notes)
    if v.findings:
        assert v.score == max(f.score for f in v.findings)
        assert [f.score for f in v.findings] == sorted((f.score for f in v.findings), reverse=True)
    for f in v.findings:  # a reported score is exactly the sum of its reasons
        assert f.score == pytest.approx(sum(s.delta for s in f.steps))


def test_custom_thresholds_decide_the_verdict(adhoc: Any) -> None:
    rules = [adhoc.rule("T1", ["交办单"], severity="high")]  # base 2.0
    cues = [adhoc.cue("C1", "action", 1.5, ["拍给"])]
    text = "交办单拍给你"
    low = Scanner(adhoc.ruleset(rules, cues, {"warn": 1.0, "block": 3.5}))
    mid = Scanner(adhoc.ruleset(rules, cues, {"warn": 3.0, "block": 5.0}))
    high = Scanner(adhoc.ruleset(rules, cues, {"warn": 10.0, "block": 20.0}))
    assert low.check(text).verdict == "block"
    assert mid.check(text).verdict == "warn"
    v = high.check(text, explain=True)
    assert v.verdict == "pass" and v.findings == () and v.notes
    assert v.notes[0].score == pytest.approx(3.5)


def test_requires_caps_a_finding_below_warn(adhoc: Any) -> None:
    rules = [adhoc.rule("T1", ["名单"], category="personal_data", severity="critical", requires=("channel",))]
    cues = [adhoc.cue("C1", "channel", 1.5, ["家族群"])]
    s = Scanner(adhoc.ruleset(rules, cues))
    assert s.check("名单在这").verdict == "pass"
    assert s.check("名单发家族群").verdict == "warn"  # 3.0 + 1.5


def test_explain_keeps_notes_below_threshold(sc: Scanner) -> None:
    quiet = sc.check("明天上午九点开调度会")
    loud = sc.check("明天上午九点开调度会", explain=True)
    assert quiet.verdict == loud.verdict == "pass"
    assert quiet.notes == ()
    assert [n.code for n in loud.notes] == ["MTG101"]


def test_english_report(sc: Scanner) -> None:
    zh = sc.check("社区的任务交办单拍给你们看一下，千万别转出去").findings[0]
    en = sc.check("社区的任务交办单拍给你们看一下，千万别转出去", lang="en").findings[0]
    assert zh.advice != en.advice and en.advice.isascii()
    assert en.precedent is not None and "Jishou" in en.precedent.summary


def test_hostile_repetition_is_bounded() -> None:
    """The same leak sentence thousands of times: only the first hits of a rule are scored."""
    from leakguard.scanner import MAX_PER_RULE, Scanner, _cap

    sc = Scanner.default()
    v = sc.check("会议纪要拍给你们看看，别外传。" * 900)
    assert v.verdict == "block"
    assert 0 < sum(f.code == "MTG102" for f in v.findings) <= MAX_PER_RULE
    norm = "会议纪要" * 100
    cands = sc._candidates(norm, sc.hits(norm))
    assert len(cands) <= MAX_PER_RULE
    assert _cap(cands + cands, 3) == cands[:3]


def test_grouped_numbers_open_the_digit_detectors_alone_and_in_batches() -> None:
    """A phone number written in groups (138 0013 8000) has no five-digit run: the digit gate
    is the detectors' own prefilter, so the number is found by check and check_many alike."""
    sc = Scanner.default()
    text = "刚确诊的那位病人，电话 138 0013 8000，家属让先别外传"
    single = sc.check(text)
    assert "PII202" in {f.code for f in single.findings}
    assert all("0013" not in f.masked for f in single.findings)
    assert sc.check_many(["好的", text, "收到"])[1] == single
