"""Normalise text for matching, keeping an exact map back to the original.

Two stages, both guarded so that ordinary text costs almost nothing:

1. **Fold** (length-preserving): one 1:1 character table — traditional → simplified
   (OpenCC data), NFKC compatibility forms that map to a single character (full-width
   letters and digits, Kangxi radicals, compatibility ideographs, circled forms) and ASCII
   lower-casing.  A set test finds which characters of the table occur; a few distinct ones
   are replaced with ``str.replace`` (memchr speed), many with one ``str.translate``.
   Offsets are unchanged.
2. **Strip** (length-changing): format characters (zero-width spaces and joiners, bidi
   marks, soft hyphen, variation selectors), combining marks, and separators *between two
   Han characters* (``交.办.单``, ``交 办 单``, ``调-度-会``) are removed.  Only the boundaries
   where lengths change are stored (a piecewise offset table), so mapping a span back is a
   binary search.

Newlines are never removed: they bound lines and messages, so normalising ``a + "\\n" + b``
gives ``normalise(a) + "\\n" + normalise(b)`` (the batch scan relies on it).  NFKC expansions
to several characters (``㈱`` → ``(株)``) are not applied; they do not occur in the leaks we
target.
"""

# No ``from __future__ import annotations``: see detectors/base.py (NamedTuples start faster).

import re
from bisect import bisect_right
from collections.abc import Iterable
from typing import Any, NamedTuple

from . import _t2s

HAN = "\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0002ebef"
_FORMAT = "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0"
_COMBINING = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
# Separators people put inside words to dodge filters (after folding: full-width forms are ASCII).
_SEPS = " \t.·•‧∙⋅・\\-_*~|/\\\\'`^°"
_SEP_CHARS = " \t.·•‧∙⋅・-_*~|/\\'`^°"  # the same set, unescaped (for str.strip)

# The strip rule, as a regular expression:
#     (?<=[HAN])[SEPS FORMAT COMBINING]+(?=[HAN])  |  [FORMAT COMBINING]+
# Compiling the HAN class costs milliseconds (re expands its ranges in Python) and a pattern
# that starts with a look-behind is tried at every position, so the rule is applied as:
# find each maximal run of strippable characters (a small class, which re skips to quickly);
# remove the whole run when a Han character stands on both sides, else only its format and
# combining characters.  That is exactly what the expression above removes (a run contains
# no Han character, so the look-behind can only succeed at a run's first character and the
# look-ahead only after its last).  tests/test_normalise.py checks the two against each other.
# _RUN and _FC_RUN are compiled on first use (see _Lazy); most drafts hold no strippable
# character at all, which one set test finds (_STRIPPABLE), so they compile neither.
_RUN_SOURCE = f"[{_SEPS}{_FORMAT}{_COMBINING}]+"
_FC_RUN_SOURCE = f"[{_FORMAT}{_COMBINING}]+"


def _chars(ranges: str) -> frozenset[str]:
    """The characters of an (unescaped) regex class body of characters and a-b ranges."""
    out: set[str] = set()
    i = 0
    while i < len(ranges):
        if i + 2 < len(ranges) and ranges[i + 1] == "-":
            out.update(map(chr, range(ord(ranges[i]), ord(ranges[i + 2]) + 1)))
            i += 3
        else:
            out.add(ranges[i])
            i += 1
    return frozenset(out)


_STRIPPABLE = frozenset(_SEP_CHARS) | _chars(_FORMAT) | _chars(_COMBINING)  # what _RUN matches



class Normalised(NamedTuple):
    """Normalised text plus the piecewise map back to the original.

    ``n_starts[k]`` / ``o_starts[k]`` give the start of the k-th piece in normalised and
    original coordinates; inside a piece the mapping is linear.  Pieces are separated by
    removed original characters.
    """

    text: str
    original: str
    n_starts: tuple[int, ...] = (0,)
    o_starts: tuple[int, ...] = (0,)

    @property
    def identity(self) -> bool:
        return len(self.n_starts) == 1

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised span [start, end) to the original text."""
        if self.identity:
            return start, end
        k = bisect_right(self.n_starts, start) - 1
        o_start = self.o_starts[k] + (start - self.n_starts[k])
        if end <= start:
            return o_start, o_start
        last = end - 1
        k = bisect_right(self.n_starts, last) - 1
        o_end = self.o_starts[k] + (last - self.n_starts[k]) + 1
        return o_start, o_end


# ----------------------------------------------------------------------------- fold

SHORT = 512  # texts shorter than this (a draft) never trigger the one-off compilation of the bulk patterns
_FOLD_FEW = 16  # up to this many distinct characters to fold: one str.replace each (memchr speed)
_FOLD_MANY = 64  # the same for long text (a batch of messages), where replace beats the alternatives longer


class _Lazy:
    """Tables and patterns built on first use: a pre-send check of one short draft needs none of them."""

    keys: frozenset[str] | None = None
    table: dict[int, int] | None = None
    fold_rx: re.Pattern[str] | None = None
    strip_han: re.Pattern[str] | None = None
    run: re.Pattern[str] | None = None
    fc_run: re.Pattern[str] | None = None


def _run() -> re.Pattern[str]:
    if _Lazy.run is None:
        _Lazy.run = re.compile(_RUN_SOURCE)
    return _Lazy.run


def _fc_run() -> re.Pattern[str]:
    if _Lazy.fc_run is None:
        _Lazy.fc_run = re.compile(_FC_RUN_SOURCE)
    return _Lazy.fc_run


def _keys() -> frozenset[str]:
    if _Lazy.keys is None:
        _Lazy.keys = frozenset(_t2s.SRC)
    return _Lazy.keys


def _table() -> dict[int, int]:
    if _Lazy.table is None:
        _Lazy.table = str.maketrans(_t2s.SRC, _t2s.DST)
    return _Lazy.table


def __getattr__(name: str) -> Any:  # FOLD / _FOLD_KEYS are built on first use (they cost ~1 ms each)
    if name == "FOLD":
        return _table()
    if name == "_FOLD_KEYS":
        return _keys()
    raise AttributeError(name)


def _class(chars: Iterable[str]) -> str:
    """A regex character class body for ``chars``, as ranges."""
    cps = sorted({ord(c) for c in chars})
    out: list[str] = []
    i = 0
    while i < len(cps):
        j = i
        while j + 1 < len(cps) and cps[j + 1] == cps[j] + 1:
            j += 1
        lo, hi = re.escape(chr(cps[i])), re.escape(chr(cps[j]))
        out.append(lo if i == j else f"{lo}-{hi}")
        i = j + 1
    return "".join(out)


def _fold_rx() -> re.Pattern[str]:
    # The non-ASCII sources of the table, plus every astral character: re checks a BMP class
    # in O(1) per character (~200 MB/s) but each astral range costs a comparison, so astral
    # characters (mostly emoji, rarely in the table) are matched wholesale and sorted out after.
    if _Lazy.fold_rx is None:
        bmp = _class(c for c in _t2s.SRC if "\x7f" < c <= "\uffff")
        _Lazy.fold_rx = re.compile(f"[{bmp}\U00010000-\U0010ffff]+")
    return _Lazy.fold_rx


def _lower_ascii(text: str) -> str:
    """A-Z → a-z and nothing else (the table's ASCII part): bytes.lower() only touches ASCII."""
    return text.encode("utf-8", "surrogatepass").lower().decode("utf-8", "surrogatepass")


def _to_fold(text: str) -> set[str] | frozenset[str]:
    """The distinct characters of a short ``text`` that the fold table maps."""
    if _Lazy.keys is not None:
        return _Lazy.keys.intersection(text)
    # A short draft: look its few distinct characters up in the table's source string
    # instead of building the 7,700-entry set.
    src = _t2s.SRC
    return {c for c in set(text) if c in src}


def _replace(text: str, need: Iterable[str]) -> str:
    # The table has no chains (no target is itself a source), so replacing one character
    # at a time equals the simultaneous translate.
    src, dst = _t2s.SRC, _t2s.DST
    for c in need:
        text = text.replace(c, dst[src.index(c)])
    return text


def _fold_long(text: str) -> str:
    # A per-character set test runs at ~30 MB/s (one object per character) and translate at
    # ~25 MB/s; compiled scans find the (rare) characters to fold at ~200 MB/s instead.
    if re.search("[A-Z]", text) is not None:
        text = _lower_ascii(text)
    runs = _fold_rx().findall(text)
    if not runs:
        return text
    found = "".join(runs)
    need = _keys().intersection(found)
    if not need:
        return text
    # Measured on chat batches: one str.replace per character costs ~0.1 ms per MB each, a
    # substitution with a callback per run ~4 ms per MB plus the runs, translate ~20 ms per MB.
    if len(need) <= _FOLD_MANY:
        return _replace(text, need)
    if len(found) * 4 > len(text):  # mostly traditional text: translate it all
        return text.translate(_table())
    table = _table()
    return _fold_rx().sub(lambda m: m.group().translate(table), text)


def fold(text: str) -> str:
    """Stage 1 only: the length-preserving 1:1 fold."""
    if len(text) >= SHORT:
        return _fold_long(text)
    need = _to_fold(text)
    if not need:
        return text
    if len(need) <= _FOLD_FEW:
        return _replace(text, need)
    return text.translate(_table())


# ----------------------------------------------------------------------------- strip


def _is_han(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" or "\U00020000" <= c <= "\U0002ebef"


def _removals_short(text: str) -> list[tuple[int, int]]:
    """The spans the strip rule removes, in order (no HAN pattern to compile)."""
    out: list[tuple[int, int]] = []
    if _STRIPPABLE.isdisjoint(text):
        return out
    n = len(text)
    for m in _run().finditer(text):
        a, b = m.span()
        if a and b < n and _is_han(text[a - 1]) and _is_han(text[b]):
            out.append((a, b))
        elif m.group().strip(_SEP_CHARS):  # the run holds format or combining characters
            out.extend(f.span() for f in _fc_run().finditer(text, a, b))
    return out


def _strip_han() -> re.Pattern[str]:
    # A maximal run with a Han character on both sides.  It starts with the small class, so
    # re skips ahead quickly; the look-behind then checks the character before the run.
    if _Lazy.strip_han is None:
        run = f"[{_SEPS}{_FORMAT}{_COMBINING}]"
        _Lazy.strip_han = re.compile(f"{run}(?<=[{HAN}]{run}){run}*(?=[{HAN}])")
    return _Lazy.strip_han


def _removals_long(text: str) -> list[tuple[int, int]]:
    """Same spans as :func:`_removals_short`, from two compiled scans (~200 MB/s)."""
    whole = [m.span() for m in _strip_han().finditer(text)]
    if _fc_run().search(text) is None:
        return whole
    parts = [m.span() for m in _fc_run().finditer(text)]
    if not whole:
        return parts
    # Format/combining runs inside a removed whole run are part of it.
    out: list[tuple[int, int]] = []
    i = 0
    for a, b in whole:
        while i < len(parts) and parts[i][1] <= a:
            out.append(parts[i])
            i += 1
        while i < len(parts) and parts[i][0] < b:
            i += 1
        out.append((a, b))
    out.extend(parts[i:])
    return out


def normalise(text: str) -> Normalised:
    folded = fold(text)
    cuts = _removals_short(folded) if len(folded) < SHORT else _removals_long(folded)
    if not cuts:
        return Normalised(folded, text)
    pieces: list[str] = []
    n_starts = [0]
    o_starts = [0]
    pos = 0
    n_len = 0
    for a, b in cuts:
        pieces.append(folded[pos:a])
        n_len += a - pos
        pos = b
        n_starts.append(n_len)
        o_starts.append(b)
    pieces.append(folded[pos:])
    return Normalised("".join(pieces), text, tuple(n_starts), tuple(o_starts))


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and code-point column of ``offset`` in ``text`` (CRLF and lone CR aware)."""
    line_start = max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1
    lf = text.count("\n", 0, offset)
    lone_cr = text.count("\r", 0, offset) - text.count("\r\n", 0, offset + 1 if offset < len(text) else offset)
    return lf + max(lone_cr, 0) + 1, offset - line_start + 1
