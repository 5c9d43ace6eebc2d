"""Precedent cases: real disciplinary cases that findings cite ("this is what happened").

Cases and their source reports are data (``seeds/cases.toml``, ``seeds/sources.toml``; field
reference in the comment header of ``cases.toml``).  :func:`load_cases` reads them, checks every
field and every cross-reference, and reports problems as ``file:line: message`` naming the line
of the offending field.  Users may add their own case files; a duplicate id is an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date as _date
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .model import LeakguardError
from .tomlsrc import Fields, array_of_tables, load_toml

# --- vocabularies ------------------------------------------------------------------------------

CASE_CATEGORIES = ("document", "meeting", "personal_data", "unreleased_decision", "rumor")
ACTIONS = ("photograph", "screenshot", "forward", "upload", "type", "misforward", "post", "recall", "video")
CHANNELS = (
    "relatives_group", "family_group", "classmates_group", "friends_group", "private_wechat",
    "private_group", "work_group", "qq_work_group", "company_group", "moments", "village_group",
    "interest_group", "online_group", "other_people",
)  # fmt: skip
DATA_FEATURES = (
    "internal_document", "numbered_document", "work_material", "investigation_report", "unverified",
    "confidential", "patient_record", "lab_result", "returnee_list", "contact_list",
    "person_identifiers", "draft_notice", "unreleased_decision", "meeting_photo", "meeting_content",
    "lockdown", "hearsay", "fabricated_notice", "fabricated_figure", "health_code", "trajectory",
    "sensitive_info", "recalled",
)  # fmt: skip
CONSEQUENCE_KINDS = (
    "warning", "serious_warning", "demerit", "dismissal", "removal_from_party_post", "admonishment",
    "criticism", "written_self_criticism", "investigation", "party_investigation", "detention",
    "fine", "admin_penalty", "public_notice", "interview",
)  # fmt: skip

#: How each channel reads in a summary line: (zh, en).
CHANNEL_LABELS: Mapping[str, tuple[str, str]] = MappingProxyType({
    "relatives_group": ("亲属微信群", "a relatives' WeChat group"),
    "family_group": ("家人微信群", "a family WeChat group"),
    "classmates_group": ("同学微信群", "a classmates' WeChat group"),
    "friends_group": ("朋友微信群", "a friends' WeChat group"),
    "private_wechat": ("私人微信", "a private WeChat account"),
    "private_group": ("私人微信群", "a private WeChat group"),
    "work_group": ("工作微信群", "a work WeChat group"),
    "qq_work_group": ("单位QQ工作群", "the unit's QQ work group"),
    "company_group": ("公司微信群", "a company WeChat group"),
    "moments": ("微信朋友圈", "WeChat Moments"),
    "village_group": ("村民微信群", "a village WeChat group"),
    "interest_group": ("兴趣微信群", "an interest-group chat"),
    "online_group": ("网络群聊", "an online group chat"),
    "other_people": ("他人", "other people"),
})  # fmt: skip

# Summary templates per action: (zh with channel, zh without, en with channel, en without).
# {x} = what leaked, {c} = channel label(s), {to} = 到/给.
_ACTION_TEMPLATES: Mapping[str, tuple[str, str, str, str]] = MappingProxyType({
    "photograph": ("把{x}拍照发{to}{c}", "把{x}拍照外传",
                   "photographed {x} and sent photos to {c}", "photographed {x} and passed the photos on"),
    "screenshot": ("把{x}截图发{to}{c}", "把{x}截图外传",
                   "sent a screenshot of {x} to {c}", "passed on a screenshot of {x}"),
    "forward": ("把{x}转发{to}{c}", "私自转发{x}", "forwarded {x} to {c}", "forwarded {x} without authorisation"),
    "upload": ("把{x}上传{to}{c}", "上传{x}", "uploaded {x} to {c}", "uploaded {x}"),
    "type": ("在{c}编发{x}", "编发{x}", "typed a message into {c}: {x}", "typed up and sent {x}"),
    "misforward": ("把{x}误转发{to}{c}", "误转发{x}", "mis-forwarded {x} to {c}", "mis-forwarded {x}"),
    "post": ("在{c}发布{x}", "在网上发布{x}", "posted in {c}: {x}", "posted online: {x}"),
    "video": ("把{x}录像发{to}{c}", "把{x}录像外传",
              "filmed {x} and sent the video to {c}", "filmed {x} and passed the video on"),
})  # fmt: skip
# A later step of the same case ("…, then forwarded to …"): (zh verb, en verb).
_LATER_STEP: Mapping[str, tuple[str, str]] = MappingProxyType({
    "photograph": ("拍照发", "photographed and sent"), "screenshot": ("截图发", "screenshotted and sent"),
    "forward": ("转发", "forwarded"), "upload": ("上传", "uploaded"), "type": ("编发", "sent"),
    "misforward": ("误转发", "mis-forwarded"), "post": ("发", "posted"), "video": ("录像发", "filmed and sent"),
})  # fmt: skip

_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_SOURCE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_KEY_LINE = re.compile(r"""\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_-]+))\s*=""")
_HEADER = re.compile(r"\s*\[")


# --- value types -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    """A bilingual text."""

    zh: str
    en: str

    def get(self, lang: str = "zh") -> str:
        return self.en if lang.lower().startswith("en") else self.zh

    def to_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}

    def __str__(self) -> str:
        return self.zh


@dataclass(frozen=True, slots=True)
class Source:
    """One source report the cases are drawn from."""

    id: str
    file: str
    title: str
    publisher: str
    date: str = ""  # YYYY-MM-DD; "" when the report is undated
    url: str = ""
    note: Text | None = None
    origin: str = field(default="", compare=False)  # "file:line" it was loaded from

    def citation(self) -> str:
        when = f", {self.date}" if self.date else ""
        return f"[{self.id}] {self.publisher}: {self.title}{when}"


@dataclass(frozen=True, slots=True)
class Case:
    """One precedent case.  Field meanings: see the header of ``seeds/cases.toml``."""

    id: str
    title: Text
    date: str
    place: Text
    role: Text
    leaked: Text
    category: str
    action: tuple[str, ...]
    channel: tuple[str, ...]
    channel_text: Text
    data: tuple[str, ...]
    keywords: tuple[str, ...]
    consequence: Text
    consequence_kind: tuple[str, ...]
    lesson: Text
    messaging_leak: bool
    source: str
    parent: str | None = None
    date_note: Text | None = None
    legal_basis: tuple[str, ...] = ()
    legal_note: Text | None = None
    section: str = ""
    origin: str = field(default="", compare=False)  # "file:line" it was loaded from

    def summary(self, lang: str = "zh") -> str:
        """One line: date, place, role, what was sent, how and where, consequence."""
        en = lang.lower().startswith("en")
        if self.messaging_leak:
            what = (" " if en else "") + _deed(self, en)
        else:  # nothing was sent: say what the case is about
            what = (": " if en else "：") + _headline(self.title, en)
        return (
            f"{self.date} {self.place.get(lang)} · {self.role.get(lang)}{what} → {self.consequence.get(lang)}"
        )


def _headline(title: Text, en: bool) -> str:
    """The title without its leading "Place: " / "地点：" tag."""
    text = title.get("en" if en else "zh")
    head, sep, rest = text.partition(": " if en else "：")
    return rest if sep and rest and len(head) <= (24 if en else 8) else text


def _steps(action: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(a for a in action if a != "recall")


def _channel_phrase(channels: tuple[str, ...], en: bool) -> str:
    labels = [CHANNEL_LABELS[c][1 if en else 0] for c in channels]
    if not en:
        return "、".join(labels)
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def _to(channel: str) -> str:
    return "给" if channel == "other_people" else "到"


def _deed(case: Case, en: bool) -> str:
    """The action part of a summary, templated from action, leaked and channel."""
    steps = _steps(case.action)
    if not steps:  # not possible for a loaded messaging case; keep the summary total anyway
        return _headline(case.title, en)
    leaked = case.leaked.get("en" if en else "zh")
    paired = len(steps) > 1 and len(steps) == len(case.channel)
    first_channels = case.channel[:1] if paired else case.channel
    zh_c, zh_bare, en_c, en_bare = _ACTION_TEMPLATES[steps[0]]
    if first_channels:
        tpl = en_c if en else zh_c
        text = tpl.format(x=leaked, c=_channel_phrase(first_channels, en), to=_to(first_channels[0]))
    else:
        text = (en_bare if en else zh_bare).format(x=leaked)
    if paired:
        for act, chan in zip(steps[1:], case.channel[1:]):
            zh_v, en_v = _LATER_STEP[act]
            label = _channel_phrase((chan,), en)
            text += f", then {en_v} on to {label}" if en else f"，随后{zh_v}{_to(chan)}{label}"
    if "recall" in case.action:
        text += ", then recalled it" if en else "，随即撤回"
    return text


# --- the library -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CaseLibrary:
    """All loaded cases (in file order) and their sources."""

    cases: Mapping[str, Case]
    sources: Mapping[str, Source]

    def get(self, case_id: str) -> Case:
        try:
            return self.cases[case_id]
        except KeyError:
            raise LeakguardError(f"unknown case id {case_id!r}{_suggest(case_id, self.cases)}") from None

    def source_of(self, case: Case) -> Source:
        return self.sources[case.source]

    def children(self, case_id: str) -> tuple[Case, ...]:
        return tuple(c for c in self.cases.values() if c.parent == case_id)

    def __iter__(self) -> Iterator[Case]:
        return iter(self.cases.values())

    def __len__(self) -> int:
        return len(self.cases)

    def __contains__(self, case_id: object) -> bool:
        return case_id in self.cases


def _suggest(word: str, choices: Mapping[str, Any] | Sequence[str]) -> str:
    import difflib  # deferred: only on the error path

    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def to_dict(case: Case) -> dict[str, Any]:
    """A JSON-ready dict of one case, with its generated summaries."""
    return {
        "id": case.id,
        "parent": case.parent,
        "title": case.title.to_dict(),
        "date": case.date,
        "date_note": case.date_note.to_dict() if case.date_note else None,
        "place": case.place.to_dict(),
        "role": case.role.to_dict(),
        "leaked": case.leaked.to_dict(),
        "category": case.category,
        "action": list(case.action),
        "channel": list(case.channel),
        "channel_text": case.channel_text.to_dict(),
        "data": list(case.data),
        "keywords": list(case.keywords),
        "consequence": case.consequence.to_dict(),
        "consequence_kind": list(case.consequence_kind),
        "legal_basis": list(case.legal_basis),
        "legal_note": case.legal_note.to_dict() if case.legal_note else None,
        "lesson": case.lesson.to_dict(),
        "messaging_leak": case.messaging_leak,
        "source": case.source,
        "section": case.section or None,
        "summary": {"zh": case.summary("zh"), "en": case.summary("en")},
    }


def source_to_dict(source: Source) -> dict[str, Any]:
    return {
        "id": source.id,
        "file": source.file,
        "title": source.title,
        "publisher": source.publisher,
        "date": source.date or None,
        "url": source.url or None,
        "note": source.note.to_dict() if source.note else None,
    }


# --- loading -----------------------------------------------------------------------------------

_CASE_REQUIRED = (
    "id", "title", "date", "place", "role", "leaked", "category", "action", "channel", "channel_text",
    "data", "keywords", "consequence", "consequence_kind", "lesson", "messaging_leak", "source",
)  # fmt: skip
_CASE_FIELDS = set(_CASE_REQUIRED) | {"parent", "date_note", "legal_basis", "legal_note", "section"}
_SOURCE_FIELDS = {"id", "file", "title", "publisher", "date", "url", "note"}
_TOP_LEVEL = {"case", "source"}


class _Table(Fields):
    """:class:`Fields` that knows the line of every key, so errors point at the bad field."""

    def __init__(self, path: Path, line: int, table: dict[str, Any], what: str, key_lines: dict[str, int]):
        super().__init__(path, line, table, what)
        self.key_lines = key_lines

    def at(self, key: str) -> _Table:
        line = self.key_lines.get(key, self.line)
        return _Table(self.path, line, self.table, self.what, self.key_lines)

    def unknown(self, allowed: set[str]) -> None:
        extra = sorted(set(self.table) - allowed)
        if extra:
            raise self.at(extra[0]).fail(
                f"unknown field(s): {', '.join(extra)}{_suggest(extra[0], sorted(allowed))}"
            )

    def where(self, key: str) -> str:
        return f"{self.path}:{self.key_lines.get(key, self.line)}"


def _key_lines(raw_lines: list[str], header_line: int) -> dict[str, int]:
    """Line of each ``key =`` in the table that starts at ``header_line`` (1-based)."""
    found: dict[str, int] = {}
    for no in range(header_line + 1, len(raw_lines) + 1):
        text = raw_lines[no - 1]
        if _HEADER.match(text):
            break
        m = _KEY_LINE.match(text)
        if m:
            found.setdefault(next(g for g in m.groups() if g), no)
    return found


def _text(t: _Table, key: str, required: bool = True) -> Text | None:
    f = t.at(key)
    value = f.table.get(key)
    if isinstance(value, dict):
        extra = sorted(set(value) - {"zh", "en"})
        if extra:
            raise f.fail(f"'{key}' has unknown language key(s): {', '.join(extra)} (use zh and en)")
    d = f.text(key, required)
    if not d:
        return None
    zh, en = str(d["zh"]), str(d["en"])  # str(): Fields' method named `str` confuses mypy's view of its types
    if not zh.strip() or not en.strip():
        raise f.fail(f"'{key}' must not be empty")
    return Text(zh, en)


def _req_text(t: _Table, key: str) -> Text:
    text = _text(t, key)
    assert text is not None  # required=True raises instead of returning None
    return text


def _nonempty_str(t: _Table, key: str, default: str | None = None) -> str:
    f = t.at(key)
    v = f.str(key, default)
    if default is None and not v.strip():
        raise f.fail(f"'{key}' must not be empty")
    return v


def _vocab(t: _Table, key: str, vocabulary: tuple[str, ...], allow_empty: bool = True) -> tuple[str, ...]:
    f = t.at(key)
    values = f.strs(key, allow_empty=allow_empty)
    for v in values:
        if v not in vocabulary:
            raise f.fail(
                f"'{key}': unknown value {v!r}{_suggest(v, vocabulary)}; allowed: {', '.join(vocabulary)}"
            )
    _no_repeats(f, key, values)
    return values


def _words(t: _Table, key: str, allow_empty: bool) -> tuple[str, ...]:
    f = t.at(key)
    raw = f.strs(key, default=None if not allow_empty else [], allow_empty=allow_empty)
    values = tuple(str(v).strip() for v in raw)
    if any(not v for v in values):
        raise f.fail(f"'{key}' must not contain empty strings")
    _no_repeats(f, key, values)
    return values


def _no_repeats(f: Fields, key: str, values: tuple[str, ...]) -> None:
    seen: set[str] = set()
    for v in values:
        if v in seen:
            raise f.fail(f"'{key}' lists {v!r} twice")
        seen.add(v)


def _date_field(t: _Table, key: str, required: bool = True) -> str:
    f = t.at(key)
    v = f.table.get(key)
    if v is None:
        if required:
            raise f.fail(f"missing required field '{key}'")
        return ""
    if isinstance(v, _date) and not hasattr(v, "hour"):  # a TOML date literal (not a date-time)
        return v.isoformat()
    if not isinstance(v, str) or not _ISO_DATE.fullmatch(v):
        raise f.fail(f"'{key}' must be a date YYYY-MM-DD, got {v!r}")
    try:
        _date.fromisoformat(v)
    except ValueError:
        raise f.fail(f"'{key}' is not a valid date: {v!r}") from None
    return v


def _parse_case(t: _Table) -> Case:
    t.unknown(_CASE_FIELDS)
    case_id = _nonempty_str(t, "id")
    if not _ID.fullmatch(case_id):
        raise t.at("id").fail(f"'id' must be kebab-case (a-z, 0-9, '-'), got {case_id!r}")
    messaging = t.at("messaging_leak").bool("messaging_leak")
    action = _vocab(t, "action", ACTIONS)
    if messaging and not _steps(action):
        raise t.at("action").fail("a messaging_leak case needs at least one action besides 'recall'")
    legal_basis = _words(t, "legal_basis", allow_empty=True)
    legal_note = _text(t, "legal_note", required=False)
    if legal_basis and legal_note is None:
        raise t.at("legal_basis").fail("'legal_basis' needs a 'legal_note' saying which source supports it")
    return Case(
        id=case_id,
        title=_req_text(t, "title"),
        date=_date_field(t, "date"),
        place=_req_text(t, "place"),
        role=_req_text(t, "role"),
        leaked=_req_text(t, "leaked"),
        category=t.at("category").str("category", choices=CASE_CATEGORIES),
        action=action,
        channel=_vocab(t, "channel", CHANNELS),
        channel_text=_req_text(t, "channel_text"),
        data=_vocab(t, "data", DATA_FEATURES),
        keywords=_words(t, "keywords", allow_empty=False),
        consequence=_req_text(t, "consequence"),
        consequence_kind=_vocab(t, "consequence_kind", CONSEQUENCE_KINDS),
        lesson=_req_text(t, "lesson"),
        messaging_leak=messaging,
        source=_nonempty_str(t, "source"),
        parent=t.at("parent").str("parent") if "parent" in t.table else None,
        date_note=_text(t, "date_note", required=False),
        legal_basis=legal_basis,
        legal_note=legal_note,
        section=t.at("section").str("section", ""),
        origin=f"{t.path}:{t.line}",
    )


def _parse_source(t: _Table) -> Source:
    t.unknown(_SOURCE_FIELDS)
    source_id = _nonempty_str(t, "id")
    if not _SOURCE_ID.fullmatch(source_id):
        raise t.at("id").fail(f"'id' must be letters, digits, '.', '_' or '-', got {source_id!r}")
    url = t.at("url").str("url", "")
    if url and not url.startswith(("http://", "https://")):
        raise t.at("url").fail(f"'url' must start with http:// or https://, got {url!r}")
    return Source(
        id=source_id,
        file=_nonempty_str(t, "file"),
        title=_nonempty_str(t, "title"),
        publisher=_nonempty_str(t, "publisher"),
        date=_date_field(t, "date", required=False),
        url=url,
        note=_text(t, "note", required=False),
        origin=f"{t.path}:{t.line}",
    )


@dataclass(frozen=True, slots=True)
class _Loaded:
    value: Case | Source
    table: _Table


def _tables(path: Path, data: dict[str, Any], raw: str, array: str) -> list[_Table]:
    lines = raw.splitlines()
    out = []
    for table, line in array_of_tables(path, data, raw, array):
        name = table.get("id") if isinstance(table.get("id"), str) else "?"
        out.append(_Table(path, line, table, f"{array} {name!r}", _key_lines(lines, line)))
    return out


def _check_top_level(path: Path, data: dict[str, Any], raw: str) -> None:
    extra = sorted(set(data) - _TOP_LEVEL)
    if extra:
        key = extra[0]
        pat = re.compile(r"\s*\[*\s*" + re.escape(key) + r"\s*(?:=|\])")
        line = next((i for i, s in enumerate(raw.splitlines(), 1) if pat.match(s)), 1)
        raise LeakguardError(
            f"{path}:{line}: unknown top-level key '{key}' (expected [[case]] or [[source]] tables)"
        )


def _load_file(path: Path, explicit: bool) -> list[_Loaded]:
    data, raw = load_toml(path)
    if not _TOP_LEVEL & set(data):
        if explicit:
            raise LeakguardError(f"{path}:1: no [[case]] or [[source]] tables")
        return []
    _check_top_level(path, data, raw)
    items = [_Loaded(_parse_source(t), t) for t in _tables(path, data, raw, "source")]
    return items + [_Loaded(_parse_case(t), t) for t in _tables(path, data, raw, "case")]


def _expand(paths: Sequence[Path]) -> list[tuple[Path, bool]]:
    """Files to read, each with whether the user named it explicitly; duplicates dropped."""
    out: list[tuple[Path, bool]] = []
    seen: set[Path] = set()
    for p in paths:
        if p.is_dir():
            files = sorted(p.glob("*.toml"), key=lambda f: (f.name != "sources.toml", f.name))
            if not files:
                raise LeakguardError(f"{p}: no .toml case files in this directory")
            batch = [(f, False) for f in files]
        else:
            batch = [(p, True)]
        for f, explicit in batch:
            key = f.resolve()
            if key not in seen:
                seen.add(key)
                out.append((f, explicit))
    return out


def _register(kind: str, item: _Loaded, into: dict[str, _Loaded]) -> None:
    ident = item.value.id
    if ident in into:
        first = into[ident].table
        raise item.table.at("id").fail(
            f"duplicate {kind} id {ident!r} (first defined at {first.where('id')})"
        )
    into[ident] = item


def _check_refs(cases: dict[str, _Loaded], sources: dict[str, _Loaded]) -> None:
    for item in cases.values():
        case = item.value
        assert isinstance(case, Case)
        if case.source not in sources:
            known = ", ".join(sources) or "none loaded"
            raise item.table.at("source").fail(f"unknown source id {case.source!r} (known: {known})")
        if case.parent is not None:
            if case.parent == case.id:
                raise item.table.at("parent").fail("a case cannot be its own parent")
            if case.parent not in cases:
                raise item.table.at("parent").fail(
                    f"unknown parent id {case.parent!r}{_suggest(case.parent, cases)}"
                )
        _check_cycle(item, cases)


def _check_cycle(item: _Loaded, cases: dict[str, _Loaded]) -> None:
    seen = {item.value.id}
    node = item.value
    while isinstance(node, Case) and node.parent is not None and node.parent in cases:
        if node.parent in seen:
            raise item.table.at("parent").fail(f"parent chain loops back to {node.parent!r}")
        seen.add(node.parent)
        node = cases[node.parent].value


def load_cases(paths: Sequence[Path]) -> CaseLibrary:
    """Load case and source files (a directory means its sources.toml, then its other *.toml)."""
    cases: dict[str, _Loaded] = {}
    sources: dict[str, _Loaded] = {}
    for path, explicit in _expand(paths):
        for item in _load_file(path, explicit):
            if isinstance(item.value, Source):
                _register("source", item, sources)
            else:
                _register("case", item, cases)
    if not cases:
        raise LeakguardError(f"{', '.join(str(p) for p in paths) or '(no paths)'}: no [[case]] tables found")
    _check_refs(cases, sources)
    return CaseLibrary(
        cases=MappingProxyType({k: v.value for k, v in cases.items() if isinstance(v.value, Case)}),
        sources=MappingProxyType({k: v.value for k, v in sources.items() if isinstance(v.value, Source)}),
    )
