"""Street and estate addresses down to building / unit / room.

A street (路, 街, 巷 …) or estate (小区, 花园, 苑 …) suffix immediately followed by numbered
units (18号, 6栋2单元501室, 3-2-501).  The name is read backwards from the suffix over Han
characters, stopping at punctuation, verbs and pronouns.  Estates need a building-level unit
(栋, 单元, 室 …) because "小区3号" is usually a date; "5号线", "3楼会议室" and "第18号通告"
have no street or estate in front and are not addresses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .base import Detection, lazy, make, words

STREET_SUFFIXES = ("大街", "大道", "胡同", "路", "街", "巷", "弄")
ESTATE_SUFFIXES = words("小区 花园 家园 新村 公寓 大厦 社区 广场 苑 园 村 庄 府 湾")
_UNITS = "号楼|号院|号铺|单元|栋|幢|座|号|室|楼|层|弄|巷|组|队|区|门"
_HAN_NUM = "[一二三四五六七八九十]"
_HAN_UNIT = "(?=栋|幢|单元|号楼|组|队)"
# 18 / 3-5 / b(座) / 十二(栋) / 一单元; a lone 一 before 栋/组 is a quantifier (一栋老楼), not a number
_NUM = (
    f"(?:[0-9]{{1,5}}(?:-[0-9]{{1,4}})?|[a-hA-H](?=[座栋幢])"
    f"|(?!一){_HAN_NUM}{{1,3}}{_HAN_UNIT}|一{_HAN_NUM}{{1,2}}{_HAN_UNIT}|一(?=单元|号楼))"
)
_ELEM = f"(?:{_NUM}(?:{_UNITS})|[0-9]{{1,3}}-[0-9]{{1,3}}-[0-9]{{2,4}})"
_FILLERS = ("那边", "这边", "附近", "旁边", "对面")
_FILLER = f"(?:{'|'.join(_FILLERS)})?"
_SUFFIXES = STREET_SUFFIXES + ESTATE_SUFFIXES
_SUFFIX_ALT = "|".join(_SUFFIXES)
_ADDRESS = lazy(
    f"({_SUFFIX_ALT}){_FILLER}({_ELEM}(?:-?{_ELEM}){{0,5}}(?:[0-9]{{3,4}}(?![0-9]))?)"
)
_ELEM_RE = lazy(f"({_NUM})({_UNITS})|[0-9]{{1,3}}-[0-9]{{1,3}}-[0-9]{{2,4}}|[0-9]{{3,4}}")
# A necessary condition of _ADDRESS for detectors.PREFILTERS: a suffix, the filler, then the
# first character of a unit (every unit number starts with a digit, a-h or a Chinese numeral).
_UNIT_STARTS = "0123456789abcdefghABCDEFGH一二三四五六七八九十"
PREFILTER = f"(?:{_SUFFIX_ALT}){_FILLER}[{_UNIT_STARTS}]"
_UNIT_START_SET = frozenset(_UNIT_STARTS)

_STRONG_UNITS = frozenset({"号楼", "号院", "单元", "栋", "幢", "座", "室"})
_STOP_CHARS = frozenset("住在到去于是的从往送寄搬址把我你他她它们这那哪了就也都还要说给被个让有为号全")
_STOP_WORDS = words(
    "今天 明天 昨天 现在 目前 已经 地址 位置 位于 地处 门牌 详细 辖区 "
    "援引 家居 居住 来自 前往 途经 经过 路过 附近 隔壁 对面 到达 抵达 "
    "转向 走向 面向 朝向 方向"
)
# Nouns ending in a suffix character that are not place names.
_GENERIC = frozenset(
    words(
        "马路 道路 铁路 一路 上路 走路 出路 思路 线路 电路 网路 水路 陆路 "
        "前路 后路 半路 迷路 带路 让路 引路 找路 赶路 全路 沿路 进路 农村 "
        "乡村 山村 渔村 公园 校园 乐园 果园 菜园 庄园 田园 陵园 政府 王府 "
        "上街 逛街 满街 老街 临街 整个小区 同村 全村 本村 该村"
    )
)
# After a lone "N号" these mean N is a day of the month or an ordinal, not a house number.
_NOT_HOUSE_AFTER = words(
    "线 文 令 病 患 选手 机 字 球 公告 通告 码 位 起 开始 前 后 之前 "
    "之后 以前 以后 晚 早 上午 下午 中午 凌晨 当天 那天 左右 出发 至 到 "
    "~ - — 日"
)
_NUMERALS = frozenset("一二三四五六七八九十")
MAX_NAME = 16


def possible(text: str) -> bool:
    """``re.search(PREFILTER, text) is not None``, found with ``str.find`` (nothing to compile)."""
    for suffix in _SUFFIXES:
        i = text.find(suffix)
        while i >= 0:
            j = i + len(suffix)
            if text[j : j + 1] in _UNIT_START_SET:
                return True
            for filler in _FILLERS:
                k = j + len(filler)
                if text.startswith(filler, j) and text[k : k + 1] in _UNIT_START_SET:
                    return True
            i = text.find(suffix, i + 1)
    return False


def detect_addresses(text: str) -> Iterator[Detection]:
    for m in _ADDRESS().finditer(text):
        found = _judge(text, m)
        if found:
            yield found


def _judge(text: str, m: re.Match[str]) -> Detection | None:
    suffix, chain = m.group(1), m.group(2)
    name_start = _name_start(text, m.start())
    name = text[name_start : m.start()]
    if not name or _generic(name, suffix):
        return None
    units = [e.group(2) or "-" for e in _ELEM_RE().finditer(chain)]
    if not _units_ok(suffix, units, text[m.end() : m.end() + 2]):
        return None
    detail = f"{'street' if suffix in STREET_SUFFIXES else 'estate'} {name}{suffix} + {'/'.join(units)}"
    return make("address", (name_start, m.end()), text[name_start : m.end()], None, detail)


def _generic(name: str, suffix: str) -> bool:
    """A common noun (马路, 农村 …) rather than a place name; 宝丰一路 and 解放二路 are names."""
    if name[-2:] + suffix in _GENERIC:
        return True
    return name[-1] + suffix in _GENERIC and (len(name) == 1 or name[-1] not in _NUMERALS)


def _name_start(text: str, suffix_start: int) -> int:
    i = suffix_start
    while i > 0 and suffix_start - i < MAX_NAME and _is_han(text[i - 1]) and text[i - 1] not in _STOP_CHARS:
        i -= 1
    # stop words may straddle the stop character that ended the walk (到|达某市)
    base = max(0, i - 3)
    seen = text[base:suffix_start]
    cut = max((seen.rfind(w) + len(w) for w in _STOP_WORDS if w in seen), default=0)
    return max(i, base + cut)


def _units_ok(suffix: str, units: list[str], after: str) -> bool:
    if units == ["号"] and after.startswith(_NOT_HOUSE_AFTER):
        return False
    if suffix in STREET_SUFFIXES:
        return True
    return len(units) > 1 or any(u in _STRONG_UNITS or u == "-" for u in units)


def _is_han(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf"
