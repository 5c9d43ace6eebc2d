"""The precedent-case library: the shipped seeds, the generated summaries, and file:line errors."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from leakguard.cases import (
    ACTIONS,
    CASE_CATEGORIES,
    CHANNELS,
    CONSEQUENCE_KINDS,
    DATA_FEATURES,
    Case,
    CaseLibrary,
    Text,
    load_cases,
    source_to_dict,
    to_dict,
)
from leakguard.model import LeakguardError

SEEDS = Path(__file__).parents[1] / "seeds"

# id -> category; the evaluation labels refer to these ids.
REQUIRED = {
    "chengdu-dispatch-photo": "meeting",
    "chengdu-lockdown-leak": "unreleased_decision",
    "xichang-sensitive-info": "document",
    "jishou-jiaobandan": "document",
    "nandan-qq-materials": "document",
    "liujiang-report": "document",
    "fuchuan-medical-record": "personal_data",
    "zhongshan-returnee-list": "personal_data",
    "yinchuan-draft": "unreleased_decision",
    "wuda-misforward": "document",
    "wuxue-rumor": "rumor",
    "guiping-fabrication": "rumor",
    "zhumadian-health-code": "personal_data",
}
TEXT_FIELDS = ("title", "place", "role", "leaked", "channel_text", "consequence", "lesson")
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def lib() -> CaseLibrary:
    return load_cases([SEEDS])


# --- the shipped seeds ---------------------------------------------------------------------------


@pytest.mark.parametrize("case_id", sorted(REQUIRED))
def test_required_case_is_complete(lib: CaseLibrary, case_id: str) -> None:
    case = lib.get(case_id)
    assert case.parent is None, "the generic ids are the main cases"
    assert case.category == REQUIRED[case_id]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", case.date)
    for name in TEXT_FIELDS:
        text = getattr(case, name)
        assert HAN.search(text.zh), f"{name}.zh should be Chinese"
        assert text.en and not HAN.fullmatch(text.en[:1]) and text.en != text.zh, (
            f"{name}.en should be English"
        )
    assert case.keywords and case.data and case.consequence_kind
    assert case.source in lib.sources
    assert case.messaging_leak is (case_id != "zhumadian-health-code")
    if case.messaging_leak:
        assert case.action


def test_every_case_is_bilingual_and_sourced(lib: CaseLibrary) -> None:
    for case in lib:
        for name in TEXT_FIELDS:
            text = getattr(case, name)
            assert text.zh.strip() and text.en.strip() and text.en != text.zh, (case.id, name)
        assert all(HAN.search(k) or k.isascii() for k in case.keywords)
        if case.legal_basis:
            assert case.legal_note is not None and "003" in case.legal_note.zh, case.id


def test_split_cases_point_to_their_main_case(lib: CaseLibrary) -> None:
    chengdu = {c.id for c in lib.children("chengdu-dispatch-photo")}
    assert {"chengdu-dispatch-photo-dujiangyan", "chengdu-dispatch-photo-qingyang",
            "chengdu-dispatch-photo-shuangliu", "chengdu-qingyang-meeting-photos"} <= chengdu  # fmt: skip
    assert lib.get("chengdu-lockdown-rumor-followup").parent == "chengdu-lockdown-leak"
    for case in lib:
        if case.parent:
            parent = lib.get(case.parent)
            assert parent.parent is None, case.id  # one level: main case and its parts


def test_seed_facts_match_the_reports(lib: CaseLibrary) -> None:
    # spot checks of the details a compliance officer relies on
    jishou = lib.get("jishou-jiaobandan")
    assert (jishou.date, jishou.consequence_kind) == ("2020-01-31", ("warning",))
    assert "第010号" in jishou.leaked.zh and "2月2日" in jishou.consequence.zh
    assert "81人" in lib.get("wuxue-rumor").channel_text.zh
    assert "138人" in lib.get("guiping-fabrication").channel_text.zh
    fwd = lib.get("guiping-fabrication-forward").channel_text.zh
    assert "71人" in fwd and "27人" in fwd
    assert "4个微信群" in lib.get("zhongshan-returnee-list").channel_text.zh
    assert lib.get("fuchuan-medical-record").legal_basis[0] == "《治安管理处罚法》第四十二条"
    assert "《治安管理处罚法》第二十五条" in lib.get("guiping-fabrication").legal_basis
    assert lib.get("yinchuan-draft").consequence_kind == ("dismissal", "public_notice")
    assert lib.get("wuda-misforward").action == ("misforward", "recall")


def test_sources(lib: CaseLibrary) -> None:
    assert list(lib.sources) == ["000", "001", "002", "003", "004"]
    for sid, source in lib.sources.items():
        assert source.file.startswith(sid + "_") and source.file.endswith(".txt")
        assert source.date == "" or re.fullmatch(r"\d{4}-\d{2}-\d{2}", source.date)
    assert lib.sources["003"].date == ""  # the newsletter is undated
    assert not [c for c in lib if c.source == "003"]  # 003 only supplies legal bases
    assert json.dumps(source_to_dict(lib.sources["002"]), ensure_ascii=False)


def test_header_documents_every_vocabulary_value() -> None:
    header = "\n".join(
        ln for ln in (SEEDS / "cases.toml").read_text("utf-8").splitlines() if ln.startswith("#")
    )
    words = set(re.findall(r"[a-z_]+", header))
    for vocab in (CASE_CATEGORIES, ACTIONS, CHANNELS, DATA_FEATURES, CONSEQUENCE_KINDS):
        assert set(vocab) <= words, set(vocab) - words


# --- summaries -----------------------------------------------------------------------------------


def test_summary_lines_name_date_place_and_consequence(lib: CaseLibrary) -> None:
    for case in lib:
        for lang in ("zh", "en"):
            line = case.summary(lang)
            assert "\n" not in line
            assert line.startswith(f"{case.date} {case.place.get(lang)} · {case.role.get(lang)}")
            assert line.endswith(f" → {case.consequence.get(lang)}")
        assert case.leaked.zh in case.summary("zh") or not case.messaging_leak


def test_summary_is_templated_from_fields(lib: CaseLibrary) -> None:
    jishou = lib.get("jishou-jiaobandan")
    assert jishou.summary() == (
        "2020-01-31 湖南省吉首市 · 峒河街道计育组干部把《吉首市疫情防控交办单》(第010号)拍照发到亲属微信群 → 2月2日受警告处分"
    )
    moved = dataclasses.replace(jishou, action=("forward",), channel=("other_people",))
    assert "转发给他人" in moved.summary() and "forwarded " in moved.summary("en")
    assert "to other people" in moved.summary("en")
    nowhere = dataclasses.replace(jishou, channel=())
    assert "拍照外传" in nowhere.summary() and "passed the photos on" in nowhere.summary("en")


def test_summary_pairs_steps_and_mentions_recall(lib: CaseLibrary) -> None:
    nandan = lib.get("nandan-qq-materials").summary()
    assert "上传到单位QQ工作群，随后转发到私人微信群" in nandan
    assert "then forwarded on to a private WeChat group" in lib.get("nandan-qq-materials").summary("en")
    assert "误转发到朋友微信群，随即撤回" in lib.get("wuda-misforward").summary()
    assert "then recalled it" in lib.get("wuda-misforward").summary("en")


def test_non_messaging_summary_uses_headline(lib: CaseLibrary) -> None:
    zh = lib.get("zhumadian-health-code").summary("zh")
    assert "：黄码不报备" in zh and "驻马店：" not in zh


def test_to_dict_is_json_ready(lib: CaseLibrary) -> None:
    d = to_dict(lib.get("fuchuan-medical-record"))
    back = json.loads(json.dumps(d, ensure_ascii=False))
    assert back["id"] == "fuchuan-medical-record" and back["category"] == "personal_data"
    assert back["title"]["en"] and back["summary"]["zh"].startswith("2020-02-01")
    assert back["legal_basis"] == list(lib.get("fuchuan-medical-record").legal_basis)
    assert back["parent"] is None and back["section"] == "§04"


def test_text_get_falls_back_by_language() -> None:
    t = Text("中文", "English")
    assert (t.get(), t.get("en"), t.get("en-GB"), t.get("zh-CN"), str(t)) == (
        "中文", "English", "English", "中文", "中文")  # fmt: skip


def test_get_unknown_id_suggests(lib: CaseLibrary) -> None:
    with pytest.raises(LeakguardError, match="did you mean 'jishou-jiaobandan'"):
        lib.get("jishou-jiaobandn")
    assert "jishou-jiaobandan" in lib and "nope" not in lib


# --- user files and bad data ---------------------------------------------------------------------

SOURCE = """\
[[source]]
id = "s1"
file = "s1.txt"
title = "示例报告"
publisher = "示例出版者"
date = "2020-02-14"
"""

CASE = """\
[[case]]
id = "demo-case"
title = { zh = "示例：交办单外发", en = "Demo: tasking order sent out" }
date = "2020-01-31"
place = { zh = "某省某市", en = "Somewhere" }
role = { zh = "工作人员", en = "staff member" }
leaked = { zh = "《示例交办单》", en = "a demo tasking order" }
category = "document"
action = ["photograph"]
channel = ["relatives_group"]
channel_text = { zh = "亲属群", en = "a relatives' group" }
data = ["internal_document"]
keywords = ["交办单"]
consequence = { zh = "警告", en = "warning" }
consequence_kind = ["warning"]
lesson = { zh = "工作文件不外发", en = "Keep work papers in work channels." }
messaging_leak = true
source = "s1"
"""


def write(tmp_path: Path, text: str, name: str = "cases.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str, nth: int = 1) -> int:
    hits = [i for i, ln in enumerate(text.splitlines(), 1) if needle in ln]
    return hits[nth - 1]


def test_user_file_adds_cases_in_file_order(tmp_path: Path) -> None:
    user = write(tmp_path, SOURCE + "\n" + CASE + "\n" + CASE.replace('"demo-case"', '"demo-two"'))
    lib = load_cases([user])
    assert [c.id for c in lib] == ["demo-case", "demo-two"]
    assert lib.get("demo-case").origin == f"{user}:{line_of(user.read_text('utf-8'), '[[case]]')}"


def test_directory_loads_sources_first_and_skips_other_tables(tmp_path: Path) -> None:
    write(tmp_path, CASE, "a_cases.toml")  # sorts before sources.toml, still loads after it
    write(tmp_path, SOURCE, "sources.toml")
    write(tmp_path, "[settings]\ncolour = true\n", "other.toml")
    lib = load_cases([tmp_path])
    assert list(lib.cases) == ["demo-case"] and list(lib.sources) == ["s1"]


def test_seeds_plus_user_file(tmp_path: Path) -> None:
    user = write(tmp_path, CASE.replace('"demo-case"', '"my-case"').replace('"s1"', '"002"'))
    lib = load_cases([SEEDS, user])
    assert list(lib.cases)[-1] == "my-case" and "jishou-jiaobandan" in lib


def test_toml_date_literal_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, SOURCE + CASE.replace('date = "2020-01-31"', "date = 2020-01-31"))
    assert load_cases([path]).get("demo-case").date == "2020-01-31"


def test_plain_string_text_is_used_for_both_languages(tmp_path: Path) -> None:
    path = write(
        tmp_path, SOURCE + CASE.replace('role = { zh = "工作人员", en = "staff member" }', 'role = "干部"')
    )
    assert load_cases([path]).get("demo-case").role == Text("干部", "干部")


# (name, edit of SOURCE+CASE -> bad text, needle whose line the error must name, message fragment)
BAD = [
    (
        "missing field",
        lambda t: t.replace('place = { zh = "某省某市", en = "Somewhere" }\n', ""),
        "[[case]]",
        "missing required field 'place'",
    ),
    (
        "bad category",
        lambda t: t.replace('category = "document"', 'category = "gossip"'),
        "category =",
        "'category' must be one of",
    ),
    (
        "bad channel",
        lambda t: t.replace('["relatives_group"]', '["relative_group"]'),
        "channel = [",
        "did you mean 'relatives_group'",
    ),
    ("bad action", lambda t: t.replace('["photograph"]', '["fax"]'), "action =", "unknown value 'fax'"),
    ("bad data feature", lambda t: t.replace('["internal_document"]', '["secret"]'), "data =", "'data'"),
    (
        "repeated value",
        lambda t: t.replace('["warning"]', '["warning", "warning"]'),
        "consequence_kind",
        "twice",
    ),
    (
        "bad date",
        lambda t: t.replace('"2020-01-31"', '"2020-02-30"'),
        'date = "2020-02-30"',
        "not a valid date",
    ),
    ("bad date format", lambda t: t.replace('"2020-01-31"', '"31/01/2020"'), 'date = "31/01', "YYYY-MM-DD"),
    (
        "bad source date",
        lambda t: t.replace('date = "2020-02-14"', 'date = "2020-14-02"'),
        'date = "2020-14-02"',
        "not a valid date",
    ),
    (
        "unknown field",
        lambda t: t.replace("messaging_leak = true", "messaging_leak = true\nseverity = 3"),
        "severity",
        "unknown field(s): severity",
    ),
    (
        "unknown parent",
        lambda t: t.replace('source = "s1"\n', 'source = "s1"\nparent = "no-such"\n'),
        "parent =",
        "unknown parent id 'no-such'",
    ),
    (
        "own parent",
        lambda t: t.replace('source = "s1"\n', 'source = "s1"\nparent = "demo-case"\n'),
        "parent =",
        "own parent",
    ),
    (
        "unknown source",
        lambda t: t.replace('source = "s1"', 'source = "s9"'),
        'source = "s9"',
        "unknown source",
    ),
    ("bad id", lambda t: t.replace('id = "demo-case"', 'id = "Demo_Case"'), 'id = "Demo_Case"', "kebab-case"),
    (
        "not a list",
        lambda t: t.replace('keywords = ["交办单"]', "keywords = 3"),
        "keywords",
        "list of strings",
    ),
    (
        "empty keywords",
        lambda t: t.replace('keywords = ["交办单"]', "keywords = []"),
        "keywords",
        "must not be empty",
    ),
    (
        "no action",
        lambda t: t.replace('action = ["photograph"]', 'action = ["recall"]'),
        "action =",
        "besides",
    ),
    (
        "extra language",
        lambda t: t.replace('en = "warning" }', 'en = "warning", fr = "avertissement" }'),
        "consequence = {",
        "unknown language key(s): fr",
    ),
    (
        "legal basis without note",
        lambda t: t.replace("messaging_leak", 'legal_basis = ["某法第一条"]\nmessaging_leak'),
        "legal_basis",
        "legal_note",
    ),
    (
        "not a bool",
        lambda t: t.replace("messaging_leak = true", 'messaging_leak = "yes"'),
        "messaging_leak",
        "true or false",
    ),
    (
        "toml syntax",
        lambda t: t.replace('en = "staff member" }', 'en = "staff member"'),
        'role = { zh = "工作人员"',
        "TOML syntax error",
    ),
    (
        "unknown top-level key",
        lambda t: "version = 2\n" + t,
        "version = 2",
        "unknown top-level key 'version'",
    ),
]


@pytest.mark.parametrize(("edit", "needle", "fragment"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_data_names_file_and_line(
    tmp_path: Path, edit: Callable[[str], str], needle: str, fragment: str
) -> None:
    text = edit(SOURCE + CASE)
    assert text != SOURCE + CASE, "the edit must change the fixture"
    path = write(tmp_path, text)
    with pytest.raises(LeakguardError) as err:
        load_cases([path])
    message = str(err.value)
    assert message.startswith(f"{path}:{line_of(text, needle)}: "), message
    assert fragment in message
    assert "\n" not in message


def test_duplicate_id_names_both_places(tmp_path: Path) -> None:
    first = write(tmp_path, SOURCE + CASE, "a.toml")
    second = write(tmp_path, CASE, "b.toml")
    with pytest.raises(LeakguardError) as err:
        load_cases([first, second])
    message = str(err.value)
    assert message.startswith(f"{second}:{line_of(CASE, 'id = ')}: ")
    assert f"first defined at {first}:{line_of(SOURCE + CASE, 'id = ', 2)}" in message


def test_duplicate_id_in_one_file(tmp_path: Path) -> None:
    text = SOURCE + CASE + CASE
    path = write(tmp_path, text)
    with pytest.raises(
        LeakguardError, match=rf"^{re.escape(str(path))}:{line_of(text, 'id = ', 3)}: .*duplicate"
    ):
        load_cases([path])


def test_parent_cycle(tmp_path: Path) -> None:
    a = CASE.replace('source = "s1"\n', 'source = "s1"\nparent = "demo-b"\n')
    b = a.replace('id = "demo-case"', 'id = "demo-b"').replace('parent = "demo-b"', 'parent = "demo-case"')
    text = SOURCE + a + b
    path = write(tmp_path, text)
    with pytest.raises(
        LeakguardError, match=rf"^{re.escape(str(path))}:{line_of(text, 'parent = ')}: .*loops"
    ):
        load_cases([path])


def test_explicit_file_without_cases_and_missing_file(tmp_path: Path) -> None:
    empty = write(tmp_path, "[settings]\nx = 1\n")
    with pytest.raises(LeakguardError, match=rf"^{re.escape(str(empty))}:1: no \[\[case\]\]"):
        load_cases([empty])
    with pytest.raises(LeakguardError, match="no such file"):
        load_cases([tmp_path / "missing.toml"])
    only_sources = write(tmp_path, SOURCE, "sources.toml")
    with pytest.raises(LeakguardError, match="no \\[\\[case\\]\\] tables found"):
        load_cases([only_sources])


def test_case_is_immutable(lib: CaseLibrary) -> None:
    case: Case = lib.get("wuxue-rumor")
    with pytest.raises(dataclasses.FrozenInstanceError):
        case.date = "2021-01-01"  # type: ignore[misc]
    with pytest.raises(TypeError):
        lib.cases["x"] = case  # type: ignore[index]
