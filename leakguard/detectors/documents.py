"""Official document numbers (发文字号, case and serial numbers) and document titles."""

from __future__ import annotations

from collections.abc import Iterator

from .base import Detection, lazy, make, words

# What the ``regex`` module's \p{Han} and \s match (Unicode script Han; White_Space), spelled
# out for the stdlib ``re``: its \s also takes U+001C..U+001F, and it has no \p{…}.
# tests/test_detectors.py checks both classes against ``regex`` over every code point.
HAN = (
    "\u2e80-\u2e99\u2e9b-\u2ef3\u2f00-\u2fd5\u3005\u3007\u3021-\u3029\u3038-\u303b\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufa6d\ufa70-\ufad9\U00016fe2-\U00016fe3\U00016ff0-\U00016ff6"
    "\U00020000-\U0002a6df\U0002a700-\U0002b81e\U0002b820-\U0002cead\U0002ceb0-\U0002ebe0"
    "\U0002ebf0-\U0002ee5d\U0002f800-\U0002fa1d\U00030000-\U0003134a\U00031350-\U00033479"
)
SPACE = "\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_OPEN = "〔\\[［【(（"  # _OPENS and _CLOSES below, as class bodies
_CLOSE = "〕\\]］】)）"
_YEAR = rf"[{_OPEN}][{SPACE}]?((?:19|20)[0-9]{{2}})[{SPACE}]?[{_CLOSE}]"
# 吉政办发〔2020〕12号 / [2020]12号 / （2020）第12号 / （2020）京0105民初123号
_DOC_NUMBER = lazy(
    rf"([{HAN}]{{0,12}}){_YEAR}((?:[{HAN}]{{1,3}}[0-9]{{2,6}}[{HAN}]{{1,4}})?)第?[{SPACE}]?([0-9]{{1,6}})[{SPACE}]?号"
)
# (第010号) / 第010期 / 简报第12期
_SERIAL = lazy(
    r"[(（]第([0-9]{1,4})[号期][)）]"
    r"|第(0[0-9]{1,3})[号期]"
    r"|(?:简报|专报|快报|通报|动态|要情|摘报|信息)[(（]?第([0-9]{1,4})期"
)
_SPACE_SET = frozenset("\t\n\x0b\x0c\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000").union(
    map(chr, range(0x2000, 0x200B))
)  # SPACE as a set
_OPENS, _CLOSES = "〔[［【(（", frozenset("〕]］】)）")
# Words that end the sentence part before an issuing-organ abbreviation.
_PREFIX_STOPS = words(
    "根据 按照 依据 依照 参照 详见 结合 落实 执行 贯彻 印发 转发 下发 "
    "发布 关于 文件 精神 要求 通知 的 和 及 与 了 是 为 在 按 据 以 "
    "经 将 对 把 由 从 见 即 该 此 号"
)

_TITLE = lazy(r"《([^《》\n]{2,80})》|【([^【】\n]{2,80})】")
_SUFFIX = lazy(r"[(（]([^()（）]{1,10})[)）]$")
_DRAFTS = "讨论稿|征求意见稿|送审稿|草案|初稿|修改稿|审议稿|报批稿|试行|暂行"
_OUTER_DRAFT = lazy(f"[(（]({_DRAFTS})[)）]")
_INNER_DRAFT = lazy(f"[(（]({_DRAFTS})[)）]$")
STRONG_TYPES = words(
    "通知 通告 通报 公告 方案 预案 纪要 报告 交办单 督办单 函 请示 批复 "
    "意见 决定 决议 办法 细则 规定 讨论稿 征求意见稿 送审稿 审议稿 报批稿 "
    "修改稿 初稿 草案 简报 专报 快报 要情 摘报 情况说明 情况报告 名单 "
    "花名册 通讯录 汇总表 统计表 登记表 一览表 明细表 审批表 排班表 值班表 "
    "台账 会议记录 备忘录 讲话稿 发言稿 发言提纲 任务书 责任书 工作计划 "
    "实施计划 工作要点 指引"
)
# Types that are also common in book and film titles: only with an administrative marker.
WEAK_TYPES = words("计划 规划 指南 建议 清单 要点 记录 说明 标准 制度 条例 讲话 措施")
_ADMIN_MARKERS = ("关于", "工作", "会议", "实施", "专项", "年度", "防控", "〔", "管理")


def detect_doc_numbers(text: str) -> Iterator[Detection]:
    # Each pattern is compiled and run only when its necessary part occurs (_DOC_NUMBER's
    # Han classes take milliseconds to compile).
    for m in _DOC_NUMBER().finditer(text) if _year_bracket(text) else ():
        org = _org_prefix(m.group(1))
        start = m.start(1) + len(m.group(1)) - len(org)
        value = "".join(c for c in text[start : m.end()] if c not in _SPACE_SET)
        court = f"; case code {m.group(3)}" if m.group(3) else ""
        origin = f"issuing-organ prefix {org}; " if org else ""
        yield make(
            "doc_number",
            (start, m.end()),
            value,
            None,
            f"{origin}year {m.group(2)}{court}; serial {m.group(4)}",
        )
    for m in _SERIAL().finditer(text) if _serial(text) else ():
        serial = m.group(1) or m.group(2) or m.group(3)
        yield make("doc_number", m.span(), m.group(), None, f"serial number {serial}")


def _org_prefix(han: str) -> str:
    cut = max((han.rfind(w) + len(w) for w in _PREFIX_STOPS if w in han), default=0)
    org = han[cut:]
    return org if len(org) >= 2 else ""


def detect_doc_titles(text: str) -> Iterator[Detection]:
    for m in _TITLE().finditer(text):
        title = (m.group(1) or m.group(2)).strip()
        doc_type = title_type(title)
        if doc_type is None:
            continue
        end = m.end()
        outer = _OUTER_DRAFT().match(text, end) if m.group(1) else None
        if outer:
            end = outer.end()
        draft = outer or _INNER_DRAFT().search(title)
        extra = f"; marked {draft.group(1)}" if draft else ""
        bracket = "《》" if m.group(1) else "【】"
        yield make("doc_title", (m.start(), end), title, None, f"{bracket} title of a {doc_type}{extra}")


def title_type(title: str) -> str | None:
    """The document type a title ends with (ignoring a short bracketed suffix), or None."""
    core = _SUFFIX().sub("", title).rstrip()
    if len(core) < 4:
        return None
    for t in STRONG_TYPES:
        if core.endswith(t):
            return t
    for t in WEAK_TYPES:
        if core.endswith(t) and any(w in core for w in _ADMIN_MARKERS):
            return t
    return None


# Necessary conditions for detectors.PREFILTERS.  A document number has a bracketed year or a
# 第N号/第N期 serial (第0NN号 and 简报第N期 included).  A title's core ends with a document type,
# followed (after white space) by its closing bracket or by a bracketed suffix.
PREFILTER_NUMBER = f"[{_OPEN}][{SPACE}]?(?:19|20)[0-9]{{2}}[{SPACE}]?[{_CLOSE}]|第[0-9]{{1,4}}[号期]"
PREFILTER_TITLE = f"(?:{'|'.join(STRONG_TYPES + WEAK_TYPES)})\\s*[(（》】]"
_DIGITS = frozenset("0123456789")
_TYPES = STRONG_TYPES + WEAK_TYPES
_TITLE_ENDS = frozenset("(（》】")


def possible_number(text: str) -> bool:
    """``re.search(PREFILTER_NUMBER, text) is not None``, without compiling anything."""
    return _serial(text) or _year_bracket(text)


def _serial(text: str) -> bool:
    """第, one to four digits, 号 or 期 (the second alternative of PREFILTER_NUMBER)."""
    i = text.find("第")
    while i >= 0:
        j = k = i + 1
        while k - j < 4 and text[k : k + 1] in _DIGITS:
            k += 1
        if k > j and text[k : k + 1] in ("号", "期"):
            return True
        i = text.find("第", i + 1)
    return False


def _year_bracket(text: str) -> bool:
    """A bracketed year 19xx/20xx (the first alternative of PREFILTER_NUMBER)."""
    for bracket in _OPENS:
        i = text.find(bracket)
        while i >= 0:
            j = i + 1
            if text[j : j + 1] in _SPACE_SET:
                j += 1
            if text[j : j + 2] in ("19", "20") and text[j + 2 : j + 3] in _DIGITS and text[j + 3 : j + 4] in _DIGITS:
                j += 4
                if text[j : j + 1] in _SPACE_SET:
                    j += 1
                if text[j : j + 1] in _CLOSES:
                    return True
            i = text.find(bracket, i + 1)
    return False


def possible_title(text: str) -> bool:
    """``re.search(PREFILTER_TITLE, text) is not None``, found with ``str.find``."""
    for t in _TYPES:
        i = text.find(t)
        while i >= 0:
            j = i + len(t)
            while text[j : j + 1].isspace():
                j += 1
            if text[j : j + 1] in _TITLE_ENDS:
                return True
            i = text.find(t, i + 1)
    return False
