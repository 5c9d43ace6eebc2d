"""Official document numbers (发文字号, case and serial numbers) and document titles."""

from __future__ import annotations

from collections.abc import Iterator

import regex

from .base import Detection, make, words

_OPEN = regex.escape("〔[［【(（")
_CLOSE = regex.escape("〕]］】)）")
_YEAR = rf"[{_OPEN}]\s?((?:19|20)[0-9]{{2}})\s?[{_CLOSE}]"
# 吉政办发〔2020〕12号 / [2020]12号 / （2020）第12号 / （2020）京0105民初123号
_DOC_NUMBER = regex.compile(
    rf"(\p{{Han}}{{0,12}}){_YEAR}((?:\p{{Han}}{{1,3}}[0-9]{{2,6}}\p{{Han}}{{1,4}})?)第?\s?([0-9]{{1,6}})\s?号"
)
# (第010号) / 第010期 / 简报第12期
_SERIAL = regex.compile(
    r"[(（]第([0-9]{1,4})[号期][)）]"
    r"|第(0[0-9]{1,3})[号期]"
    r"|(?:简报|专报|快报|通报|动态|要情|摘报|信息)[(（]?第([0-9]{1,4})期"
)
# Words that end the sentence part before an issuing-organ abbreviation.
_PREFIX_STOPS = words(
    "根据 按照 依据 依照 参照 详见 结合 落实 执行 贯彻 印发 转发 下发 "
    "发布 关于 文件 精神 要求 通知 的 和 及 与 了 是 为 在 按 据 以 "
    "经 将 对 把 由 从 见 即 该 此 号"
)

_TITLE = regex.compile(r"《([^《》\n]{2,80})》|【([^【】\n]{2,80})】")
_SUFFIX = regex.compile(r"[(（]([^()（）]{1,10})[)）]$")
_DRAFTS = "讨论稿|征求意见稿|送审稿|草案|初稿|修改稿|审议稿|报批稿|试行|暂行"
_OUTER_DRAFT = regex.compile(f"[(（]({_DRAFTS})[)）]")
_INNER_DRAFT = regex.compile(f"[(（]({_DRAFTS})[)）]$")
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
    for m in _DOC_NUMBER.finditer(text):
        org = _org_prefix(m.group(1))
        start = m.start(1) + len(m.group(1)) - len(org)
        value = regex.sub(r"\s", "", text[start : m.end()])
        court = f"; case code {m.group(3)}" if m.group(3) else ""
        origin = f"issuing-organ prefix {org}; " if org else ""
        yield make(
            "doc_number",
            (start, m.end()),
            value,
            None,
            f"{origin}year {m.group(2)}{court}; serial {m.group(4)}",
        )
    for m in _SERIAL.finditer(text):
        serial = m.group(1) or m.group(2) or m.group(3)
        yield make("doc_number", m.span(), m.group(), None, f"serial number {serial}")


def _org_prefix(han: str) -> str:
    cut = max((han.rfind(w) + len(w) for w in _PREFIX_STOPS if w in han), default=0)
    org = han[cut:]
    return org if len(org) >= 2 else ""


def detect_doc_titles(text: str) -> Iterator[Detection]:
    for m in _TITLE.finditer(text):
        title = (m.group(1) or m.group(2)).strip()
        doc_type = title_type(title)
        if doc_type is None:
            continue
        end = m.end()
        outer = _OUTER_DRAFT.match(text, end) if m.group(1) else None
        if outer:
            end = outer.end()
        draft = outer or _INNER_DRAFT.search(title)
        extra = f"; marked {draft.group(1)}" if draft else ""
        bracket = "《》" if m.group(1) else "【】"
        yield make("doc_title", (m.start(), end), title, None, f"{bracket} title of a {doc_type}{extra}")


def title_type(title: str) -> str | None:
    """The document type a title ends with (ignoring a short bracketed suffix), or None."""
    core = _SUFFIX.sub("", title).rstrip()
    if len(core) < 4:
        return None
    for t in STRONG_TYPES:
        if core.endswith(t):
            return t
    for t in WEAK_TYPES:
        if core.endswith(t) and any(w in core for w in _ADMIN_MARKERS):
            return t
    return None
