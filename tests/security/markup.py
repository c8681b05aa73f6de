"""Finding executable markup in what Shinrai serves: HTML pages, inline and standalone SVG.

The HTML is parsed (the standard library's tokenizer, which follows the HTML5 tokenizing rules closely
enough for this: attribute values are unescaped, raw-text elements are recognised), never grepped, and
every place a browser would run code is reported:

- ``<script>`` elements other than our own static files (``/static/…`` with no inline body);
- elements that load or run other documents or code: iframe, frame, object, embed, base, style, meta refresh…;
- any ``on*`` event-handler attribute;
- URL attributes (href, src, action, formaction, xlink:href, …) with a ``javascript:``, ``vbscript:`` or
  ``data:`` URL (``data:`` images excepted), after removing what browsers ignore (whitespace, controls);
- CSS in a ``style`` attribute that runs or loads something (``expression(``, ``url(``, ``javascript:``);
- SVG animation elements that can rewrite an attribute (``set``, ``animate``) and ``foreignObject``.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from xml.etree.ElementTree import Element  # noqa: S405 -- only the type; parsing uses defusedxml

from defusedxml import ElementTree as SafeET

STATIC_PREFIX = "/static/"
FORBIDDEN_ELEMENTS = {
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
    "style",
    "portal",
    "foreignobject",
    "set",
    "animate",
    "animatetransform",
    "animatemotion",
    "handler",
    "listener",
    "import",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "lowsrc",
    "dynsrc",
    "ping",
    "cite",
    "codebase",
    "manifest",
    "srcset",
    "to",
    "from",
    "values",
    "by",
}
# <script type="application/json"> is a data block: never run (the API docs page keeps its settings there).
DATA_BLOCKS = {"application/json", "application/ld+json"}
SAFE_DATA_IMAGES = ("data:image/png", "data:image/jpeg", "data:image/gif", "data:image/webp")
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]+")
_DANGEROUS_CSS = re.compile(r"expression\s*\(|url\s*\(|javascript:|@import|behavior\s*:", re.IGNORECASE)


def dangerous_url(value: str, *, tag: str = "") -> bool:
    """Whether a browser would run (or render as a document) what this URL attribute points at."""
    url = _IGNORED_IN_URLS.sub("", value).lower()
    if url.startswith(("javascript:", "vbscript:", "livescript:")):
        return True
    if url.startswith("data:"):
        return not (tag == "img" and url.startswith(SAFE_DATA_IMAGES))
    return False


class _Finder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self._element(tag, attrs)
        if tag == "script":
            script_type = (dict(attrs).get("type") or "").lower()
            self._in_script = script_type not in DATA_BLOCKS

    def handle_startendtag(self, tag, attrs):
        self._element(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append(f"inline script body: {data.strip()[:80]!r}")

    def _element(self, tag, attrs):
        where = f"<{tag}>"
        attributes = {name.lower(): value or "" for name, value in attrs}
        if tag == "script" and attributes.get("type", "").lower() not in DATA_BLOCKS:
            src = attributes.get("src", "")
            if not src.startswith(STATIC_PREFIX):
                self.problems.append(f"script element not from our static files: {attributes!r}")
        if tag in FORBIDDEN_ELEMENTS:
            self.problems.append(f"forbidden element {where}: {attributes!r}")
        if tag == "meta" and attributes.get("http-equiv", "").lower() == "refresh":
            self.problems.append(f"meta refresh: {attributes!r}")
        for name, value in attributes.items():
            self._attribute(where, tag, name, value)

    def _attribute(self, where, tag, name, value):
        if name.startswith("on"):
            self.problems.append(f"event handler {name}= on {where}: {value[:80]!r}")
        elif name in URL_ATTRIBUTES and dangerous_url(value, tag=tag):
            self.problems.append(f"script URL in {name}= on {where}: {value[:80]!r}")
        elif name == "srcdoc":
            self.problems.append(f"srcdoc on {where}")
        elif name == "style" and _DANGEROUS_CSS.search(value):
            self.problems.append(f"active CSS in style= on {where}: {value[:80]!r}")


def html_problems(html: str) -> list[str]:
    """Every place in ``html`` where a browser would run code that is not one of our static scripts."""
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return finder.problems


def html_text(html: str) -> str:
    """The page's text as a browser shows it (entities decoded, tags dropped, script bodies kept)."""
    parts: list[str] = []

    class _Text(HTMLParser):
        def handle_data(self, data):
            parts.append(data)

    parser = _Text(convert_charrefs=True)
    parser.feed(html)
    parser.close()
    return "".join(parts)


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


def svg_problems(svg: str | bytes) -> list[str]:
    """The same checks on a standalone SVG document (served as image/svg+xml, where scripts would run)."""
    problems: list[str] = []
    try:
        root: Element = SafeET.fromstring(svg, forbid_dtd=True)
    except Exception as error:  # a document we serve must at least be well-formed
        return [f"not well-formed SVG: {error}"]
    for element in root.iter():
        tag = _local(element.tag)
        if tag == "script" or tag in FORBIDDEN_ELEMENTS:
            problems.append(f"forbidden SVG element <{tag}>")
        for raw_name, value in element.attrib.items():
            name = _local(raw_name)
            if name.startswith("on"):
                problems.append(f"event handler {name}= on <{tag}>")
            elif name == "href" and not value.startswith("#"):
                problems.append(f"external or script reference href={value[:80]!r} on <{tag}>")
            elif name in URL_ATTRIBUTES and dangerous_url(value, tag=tag):
                problems.append(f"script URL in {name}={value[:80]!r} on <{tag}>")
            elif name == "style" and _DANGEROUS_CSS.search(value):
                problems.append(f"active CSS on <{tag}>: {value[:80]!r}")
    return problems
