"""Checksums and structural facts used by the detectors.

Everything here is pure and table-driven: GB 11643 (resident ID check digit), Luhn (bank
cards), GB 32100 (unified social credit code), birth dates, region prefixes, mobile prefixes.
The tables are public facts (administrative division and numbering-plan allocations).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime as _dt

# Province-level administrative division codes (GB/T 2260, first two digits).  81/82/83 are
# also the prefixes of Hong Kong / Macau / Taiwan residents' residence permits.
PROVINCES: dict[str, str] = {
    "11": "Beijing",
    "12": "Tianjin",
    "13": "Hebei",
    "14": "Shanxi",
    "15": "Inner Mongolia",
    "21": "Liaoning",
    "22": "Jilin",
    "23": "Heilongjiang",
    "31": "Shanghai",
    "32": "Jiangsu",
    "33": "Zhejiang",
    "34": "Anhui",
    "35": "Fujian",
    "36": "Jiangxi",
    "37": "Shandong",
    "41": "Henan",
    "42": "Hubei",
    "43": "Hunan",
    "44": "Guangdong",
    "45": "Guangxi",
    "46": "Hainan",
    "50": "Chongqing",
    "51": "Sichuan",
    "52": "Guizhou",
    "53": "Yunnan",
    "54": "Tibet",
    "61": "Shaanxi",
    "62": "Gansu",
    "63": "Qinghai",
    "64": "Ningxia",
    "65": "Xinjiang",
    "71": "Taiwan",
    "81": "Hong Kong",
    "82": "Macau",
    "83": "Taiwan (residence permit)",
}
_PERMIT_PROVINCES = frozenset({"81", "82", "83"})

# Licence-plate province abbreviations of the 31 mainland province-level divisions.
PLATE_PROVINCES: dict[str, str] = {
    "京": "Beijing",
    "津": "Tianjin",
    "冀": "Hebei",
    "晋": "Shanxi",
    "蒙": "Inner Mongolia",
    "辽": "Liaoning",
    "吉": "Jilin",
    "黑": "Heilongjiang",
    "沪": "Shanghai",
    "苏": "Jiangsu",
    "浙": "Zhejiang",
    "皖": "Anhui",
    "闽": "Fujian",
    "赣": "Jiangxi",
    "鲁": "Shandong",
    "豫": "Henan",
    "鄂": "Hubei",
    "湘": "Hunan",
    "粤": "Guangdong",
    "桂": "Guangxi",
    "琼": "Hainan",
    "渝": "Chongqing",
    "川": "Sichuan",
    "贵": "Guizhou",
    "云": "Yunnan",
    "藏": "Tibet",
    "陕": "Shaanxi",
    "甘": "Gansu",
    "青": "Qinghai",
    "宁": "Ningxia",
    "新": "Xinjiang",
}

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARSET)}
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
USCC_DEPARTMENTS: dict[str, str] = {
    "1": "organisation establishment",
    "2": "foreign affairs",
    "3": "justice",
    "4": "culture",
    "5": "civil affairs",
    "6": "tourism",
    "7": "religious affairs",
    "8": "trade unions",
    "9": "market regulation",
    "A": "military establishment",
    "N": "agriculture",
    "Y": "other",
}

_CARRIERS: dict[str, str] = {}
for _carrier, _prefixes in (
    (
        "China Mobile",
        "134 135 136 137 138 139 147 148 150 151 152 157 158 159 172 178 182 183 184 187 188 195 197 198",
    ),
    ("China Unicom", "130 131 132 145 146 155 156 166 171 175 176 185 186 196"),
    ("China Telecom", "133 149 153 173 174 177 180 181 189 190 191 193 199"),
    ("China Broadnet", "192"),
    ("virtual operator", "162 165 167 170"),
):
    for _p in _prefixes.split():
        _CARRIERS[_p] = _carrier


def gb11643_check_digit(body17: str) -> str:
    """The GB 11643-1999 check character ('0'-'9' or 'X') for a 17-digit ID body."""
    if len(body17) != 17 or not body17.isascii() or not body17.isdigit():
        raise ValueError(f"an ID body is 17 ASCII digits, got {body17!r}")
    total = sum(int(c) * w for c, w in zip(body17, _ID_WEIGHTS))
    return _ID_CHECK[total % 11]


def luhn_ok(digits: str) -> bool:
    """True when ``digits`` (ASCII digits only, at least 2) passes the Luhn mod-10 check."""
    if len(digits) < 2 or not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def uscc_check_char(body17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a credit code."""
    body = body17.upper()
    if len(body) != 17 or any(c not in _USCC_VALUE for c in body):
        raise ValueError(f"a credit-code body is 17 characters of {USCC_CHARSET}, got {body17!r}")
    total = sum(_USCC_VALUE[c] * w for c, w in zip(body, _USCC_WEIGHTS))
    return USCC_CHARSET[(31 - total % 31) % 31]


def uscc_ok(code: str) -> bool:
    """True when ``code`` (any case) is 18 characters whose last is the GB 32100 check character."""
    code = code.upper()
    if len(code) != 18 or any(c not in _USCC_VALUE for c in code):
        return False
    return uscc_check_char(code[:17]) == code[17]


def region_name(code: str) -> str | None:
    """Province name for an administrative-division prefix (2+ digits), or None when implausible.

    Mainland codes must also name a prefecture (digits 3-4 not '00'); residence-permit
    prefixes 81/82/83 are followed by zeros.
    """
    name = PROVINCES.get(code[:2])
    if name is None or len(code) < 4:
        return name
    if code[:2] in _PERMIT_PROVINCES:
        return name
    return None if code[2:4] == "00" else name


def birth_date(yyyymmdd: str, today: _dt.date | None = None) -> _dt.date | None:
    """Parse a birth date in 1900-01-01 .. today, else None."""
    import datetime as _dt  # deferred: ~1 ms of every check that loads the detectors

    if len(yyyymmdd) != 8 or not yyyymmdd.isdigit():
        return None
    try:
        born = _dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        return None
    latest = today or _dt.date.today()
    return born if _dt.date(1900, 1, 1) <= born <= latest else None


def mobile_carrier(number11: str) -> str | None:
    """Carrier allocated the 3-digit prefix of a mainland mobile number, or None."""
    return _CARRIERS.get(number11[:3])


def card_network(digits: str) -> str | None:
    """Card network suggested by the issuer identification number, or None if implausible."""
    if digits.startswith("62"):
        return "UnionPay"
    if digits.startswith(("60", "65")):
        return "Discover/RuPay range"
    if digits[0] == "4":
        return "Visa"
    if "51" <= digits[:2] <= "55" or "2221" <= digits[:4] <= "2720":
        return "Mastercard"
    if digits.startswith("35"):
        return "JCB"
    if digits.startswith(("30", "36", "38")):
        return "Diners Club"
    if digits[0] == "9" and len(digits) == 19:
        return "domestic debit"
    return None
