"""Bidirectional-text controls in what people typed are shown, not obeyed ("Trojan Source" spoofing).

A name made of U+202E (RIGHT-TO-LEFT OVERRIDE) and "gnp.exe" is drawn by browsers as "exe.png", and an
override opened in one field runs on into the text after it. Shinrai's own pages never contain these
characters, so every one in an HTML page came from stored text: each is replaced by U+FFFD (�), which shows
that something was there and removes its effect. Marks (LRM, RLM) are harmless and left alone.

Done once for every page here rather than in each template and form: names reach the pages from forms, the
API, Excel, Redmine and BPMN imports, and hand-built HTML (the WBS table).
"""

from __future__ import annotations

import re

# LRE RLE PDF LRO RLO (U+202A–U+202E) and LRI RLI FSI PDI (U+2066–U+2069), as UTF-8.
_CONTROLS = re.compile(rb"\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]")
_SHOWN = "\ufffd".encode()


def neutralise(html: bytes) -> bytes:
    return _CONTROLS.sub(_SHOWN, html)


class BidiControlsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and _CONTROLS.search(response.content)
        ):
            response.content = neutralise(response.content)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
