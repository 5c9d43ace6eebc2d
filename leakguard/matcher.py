"""Every occurrence of every lexicon key in a normalised text, in Aho-Corasick order.

:meth:`Matcher.find` returns ``(end, idx)`` pairs — ``end`` the index of the key's last
character, ``idx`` the key's index — ordered by ``end`` and, at one end, longest key first:
exactly what ``ahocorasick.Automaton.iter`` yields.  Three engines give that same answer:

* **UTF-16 automaton** (the default for anything but a short draft).  pyahocorasick finds a
  node's child by a linear scan; a Chinese lexicon's root has about a thousand children, so
  every character of ordinary text costs a scan of them.  The automaton therefore reads the
  text's UTF-16 code units as Latin-1 letters (``text.encode("utf-16-be").decode("latin-1")``,
  done in C): no node has more than 256 children and the root about a hundred, which makes
  the scan 2-3× faster.  A key can also match across a character boundary; those matches
  end on an even byte and are dropped.  Astral characters take two code units, so their
  positions are mapped back; text with lone surrogates uses the code-point automaton.
* **Code-point automaton**: the plain pyahocorasick automaton over the keys themselves (the
  fallback above, and the reference the benchmark measures).
* **Substring lookup** for a text shorter than :data:`SHORT` when no automaton has been built
  yet: every substring ending at each position, longest key length first, looked up in a dict.
  A pre-send check of one draft thus never builds an automaton, whatever the lexicon's size.

The automata are built on first use from the key list (the compiled-ruleset cache holds the
keys, never a pickled automaton: loading one would run code from a file a user could swap).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from typing import Any

SHORT = 2048  # characters: below this, without an automaton yet, the substring lookup is cheaper
BIG = 20_000  # keys: from this many on, a draft's substrings are intersected with the keys (see _lookup)
HEAD = 4096
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class Matcher:
    """Finds keys (normalised lexicon terms, cue words, case keywords) in normalised text."""

    def __init__(self, keys: Sequence[str], lengths: Sequence[int] | None = None) -> None:
        self.keys = keys
        self.lengths = tuple(lengths) if lengths is not None else key_lengths(keys)
        self._map: dict[str, int] | None = None
        self._drafts = 0  # short texts looked up without the full map
        self._head: dict[str, int] | None = None
        self._u16: Any = None
        self._u16_ok = True
        self._plain: Any = None

    def __len__(self) -> int:
        return len(self.keys)

    def __getstate__(self) -> dict[str, Any]:  # worker processes rebuild the automata themselves
        return {"keys": self.keys, "lengths": self.lengths}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["keys"], state["lengths"])  # type: ignore[misc]

    # ------------------------------------------------------------------ engines

    def find(self, text: str) -> list[tuple[int, int]]:
        """``(end, idx)`` of every key occurrence, by end, longest first at one end."""
        if not self.keys or not text:
            return []
        if self._u16 is None and len(text) < SHORT:
            return self.find_short(text)
        return self.find_u16(text)

    def find_short(self, text: str) -> list[tuple[int, int]]:
        """The substring-lookup engine (cost: len(text) × number of distinct key lengths)."""
        get = self._lookup(text)
        lengths = self.lengths
        out: list[tuple[int, int]] = []
        for stop in range(1, len(text) + 1):
            for n in lengths:
                if n <= stop:
                    idx = get(text[stop - n : stop])
                    if idx is not None:
                        out.append((stop - 1, idx))
        return out

    def find_u16(self, text: str) -> list[tuple[int, int]]:
        """The UTF-16 automaton engine."""
        automaton = self.u16_automaton()
        try:
            units = text.encode("utf-16-be").decode("latin-1")
        except UnicodeEncodeError:  # a lone surrogate: code units would not map to code points
            automaton = None
        if automaton is None:
            return self.find_plain(text)
        if len(units) == 2 * len(text):  # no astral characters: unit index = code-point index
            return [(end >> 1, idx) for end, idx in automaton.iter(units) if end & 1]
        # Code units before each astral character's high surrogate, to map unit → code point.
        highs = [m.start() + k for k, m in enumerate(_ASTRAL.finditer(text))]
        return [((end >> 1) - bisect_left(highs, end >> 1), idx) for end, idx in automaton.iter(units) if end & 1]

    def find_units(self, text: str) -> tuple[list[tuple[int, int]], list[int]]:
        """What :meth:`find` finds, before the conversion to code points (for batches, where
        only a few messages' hits are ever looked at): ``(u, idx)`` pairs, in the same order,
        where ``u`` is a byte offset in the text's UTF-16-BE encoding (odd: a match; even: a
        match across a character boundary, to be dropped), and the code-unit positions of
        the astral characters' high surrogates (``[]`` when there are none).  A code-point
        end is ``(u >> 1) - bisect_left(highs, u >> 1)``."""
        if self.keys and text and (self._u16 is not None or len(text) >= SHORT):
            automaton = self.u16_automaton()
            try:
                units = text.encode("utf-16-be").decode("latin-1")
            except UnicodeEncodeError:
                automaton = None
            if automaton is not None:
                highs = [] if len(units) == 2 * len(text) else [
                    m.start() + k for k, m in enumerate(_ASTRAL.finditer(text))]
                return list(automaton.iter(units)), highs
        return [(2 * end + 1, idx) for end, idx in self.find(text)], []

    def find_plain(self, text: str) -> list[tuple[int, int]]:
        """The code-point automaton engine."""
        return list(self.plain_automaton().iter(text))

    # ------------------------------------------------------------------ building

    def _lookup(self, text: str) -> Any:
        """key -> index for the keys that can occur in ``text``.

        With a big lexicon and no map yet, a draft's few thousand substrings are intersected
        with the key list (C speed, ~1 ms for 50k keys) instead of building the map of all keys
        (~5 ms): a pre-send check needs one or two lookups.  Later calls build the full map.
        """
        if self._map is not None or len(self.keys) < BIG or len(text) > 512 or self._drafts >= 8:
            return self.keymap().get
        self._drafts += 1
        subs = {text[i : i + n] for n in self.lengths for i in range(len(text) - n + 1)}
        found = subs.intersection(self.keys)
        if self._head is None:  # the first keys (the shipped lexicons' words, found most often)
            self._head = dict(zip(self.keys[:HEAD], range(HEAD)))
        out = {}
        for k in found:
            i = self._head.get(k)
            out[k] = i if i is not None else self.keys.index(k, HEAD)
        return out.get

    def keymap(self) -> dict[str, int]:
        if self._map is None:
            self._map = dict(zip(self.keys, range(len(self.keys))))
        return self._map

    def u16_automaton(self) -> Any:
        """The UTF-16 automaton (None when a key cannot be encoded: a lone surrogate)."""
        if self._u16 is None and self._u16_ok:
            try:
                units = [k.encode("utf-16-be").decode("latin-1") for k in self.keys]
            except UnicodeEncodeError:
                self._u16_ok = False
                return None
            self._u16 = _build(units)
        return self._u16

    def plain_automaton(self) -> Any:
        if self._plain is None:
            self._plain = _build(self.keys)
        return self._plain


def key_lengths(keys: Sequence[str]) -> tuple[int, ...]:
    """The distinct key lengths, longest first."""
    return tuple(sorted({len(k) for k in keys}, reverse=True))


def _build(keys: Sequence[str]) -> Any:
    import ahocorasick  # deferred: a short draft never needs it

    automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    for idx, key in enumerate(keys):
        automaton.add_word(key, idx)
    if keys:
        automaton.make_automaton()
    return automaton
