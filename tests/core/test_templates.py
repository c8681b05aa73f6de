"""Template hygiene that Django does not check: a ``{# … #}`` comment must close on its own line.

Django reads ``{#`` without a ``#}`` on the same line as text, so a two-line comment shows on the page
(it once showed on the customer's weekly report). Longer comments use ``{% comment %}``.
"""

from pathlib import Path

import shinrai

TEMPLATES = sorted(Path(shinrai.__file__).parent.glob("**/templates/**/*.html"))


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 50


def test_every_one_line_comment_closes_on_its_line():
    open_comments = [
        f"{path.relative_to(Path(shinrai.__file__).parent)}:{number}"
        for path in TEMPLATES
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if line.count("{#") > line.count("#}")
    ]
    assert open_comments == []
