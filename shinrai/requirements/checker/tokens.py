"""Japanese tokens from MeCab (fugashi) with the UniDic-lite dictionary, loaded lazily and once.

The checker finds candidate words with regular expressions and then asks the tokens whether the candidate is
a word of its own: 「約」 in 契約/予約/約款 or 「等」 in 等級/同等 are parts of longer words and are ignored.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

# MeCab reads UTF-8, which cannot hold a lone surrogate (a JSON string can: "\ud800").
_SURROGATE = re.compile("[\ud800-\udfff]")


@cache
def _tagger() -> Any:
    import fugashi  # Imported here: loading the dictionary costs ~70 ms, paid only when Japanese is checked.
    import unidic_lite

    return fugashi.Tagger(f'-d "{unidic_lite.DICDIR}"')


class Tokens:
    """The tokens of one text: surfaces, part-of-speech strings and character offsets."""

    __slots__ = ("surfaces", "pos", "starts", "ends", "_index_by_start", "_index_by_end")

    def __init__(self, text: str):
        self.surfaces: list[str] = []
        # UniDic features, "pos1,pos2,pos3,pos4,…" (e.g. "名詞,数詞,*,*,…"); the raw string is 3× faster to
        # get than fugashi's parsed feature, and part-of-speech tests only look at its start.
        self.pos: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        # One replacement character per surrogate keeps every offset the same.
        text = _SURROGATE.sub("\ufffd", text)
        offset = 0
        for node in _tagger()(text):
            surface = node.surface
            start = text.find(surface, offset)
            if start < 0:  # Never seen; keep offsets monotonic rather than fail on odd input.
                start = offset
            offset = start + len(surface)
            self.surfaces.append(surface)
            self.pos.append(node.feature_raw)
            self.starts.append(start)
            self.ends.append(offset)
        self._index_by_start = {start: i for i, start in enumerate(self.starts)}
        self._index_by_end = {end: i for i, end in enumerate(self.ends)}

    def __len__(self) -> int:
        return len(self.surfaces)

    def index_starting_at(self, position: int) -> int | None:
        return self._index_by_start.get(position)

    def index_ending_at(self, position: int) -> int | None:
        return self._index_by_end.get(position)

    def is_word(self, start: int, end: int) -> bool:
        """Whether [start, end) begins and ends on token boundaries (is not part of a longer word)."""
        return start in self._index_by_start and end in self._index_by_end

    def has_pos(self, index: int, prefix: str) -> bool:
        return 0 <= index < len(self.pos) and self.pos[index].startswith(prefix)

    def surface(self, index: int) -> str:
        return self.surfaces[index] if 0 <= index < len(self.surfaces) else ""

    def clause_breaks(self) -> list[int]:
        """Offsets of 、/, that end a clause: after a predicate (表示し、) or a condition (場合、), not
        after an adverb or topic (高速に、 / 画面は、), so a bound given after such a comma still counts."""
        breaks = []
        for i in range(1, len(self.surfaces)):
            if self.surfaces[i] not in ("、", ",", "，"):
                continue
            ends_purpose = self.surfaces[i - 1] == "に" and self.surface(i - 2) in ("ため", "よう")
            if ends_purpose or _ends_clause(self.surfaces[i - 1], self.pos[i - 1]):
                breaks.append(self.starts[i])
        return breaks


_CONDITION_NOUNS = frozenset({"場合", "とき", "時", "際", "ため", "よう", "後", "上", "うえ"})


def _ends_clause(surface: str, pos: str) -> bool:
    if surface in _CONDITION_NOUNS:
        return True
    if pos.startswith(("動詞", "形容詞", "助詞,接続助詞", "接尾辞,形容詞的")):
        return True
    # The copula だ in its adverbial form (迅速に、) does not end a clause; other auxiliaries (され、) do.
    return pos.startswith("助動詞") and surface not in ("に", "な", "で")
