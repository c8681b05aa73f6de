"""Text as every supported database can store it (plain, no Django)."""

from __future__ import annotations

import re

# JSON escapes can carry both: PostgreSQL refuses NUL in text, and no database encodes a lone surrogate (a
# surrogate pair is one character once decoded, so whatever surrogate is left is unpaired).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    """``text`` without NUL characters, and with unpaired surrogates replaced by U+FFFD."""
    return _UNSTORABLE.sub(lambda match: "" if match.group() == "\x00" else "\ufffd", text)
