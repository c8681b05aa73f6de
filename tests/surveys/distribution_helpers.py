"""Shared steps of the distribution, answer and API tests: send a survey, read the links from the e-mails."""

from __future__ import annotations

import re
from datetime import date

from django.core import mail

from shinrai.surveys import services
from shinrai.surveys.defaults import POST_DELIVERY_LINEAGE, PULSE_LINEAGE
from shinrai.surveys.models import SurveyTemplate

LINK = re.compile(r"/s/([A-Za-z0-9_-]{20,})/")


def shipped(kind: str = "pulse") -> SurveyTemplate:
    lineage = PULSE_LINEAGE if kind == "pulse" else POST_DELIVERY_LINEAGE
    return SurveyTemplate.objects.get(lineage=lineage, is_current=True)


def tokens_by_email() -> dict[str, str]:
    """The token of the latest link e-mailed to each address (reads django.core.mail.outbox)."""
    found = {}
    for message in mail.outbox:
        match = LINK.search(message.body)
        if match:
            found[message.to[0]] = match.group(1)
    return found


def send(
    cast,
    capture,
    *,
    by: str = "vendor_pm",
    kind: str = "pulse",
    template: SurveyTemplate | None = None,
    people: tuple[str, ...] = ("customer_sponsor", "customer_member"),
    extra_emails: tuple[str, ...] = (),
    anonymous: bool = False,
    answer_until: date = date(2026, 11, 23),
    milestone=None,
    title: str = "第1回 パルス調査",
):
    """Send a survey on the ``own`` project through the service; returns (survey, tokens by e-mail)."""
    mail.outbox.clear()
    with capture(execute=True):
        survey = services.survey_send(
            by=cast.users[by],
            project=cast.own,
            template=template or shipped(kind),
            kind=kind,
            title=title,
            answer_until=answer_until,
            anonymous=anonymous,
            milestone=milestone,
            recipients=[cast.users[key] for key in people],
            extra_emails=list(extra_emails),
        )
    return survey, tokens_by_email()


# Answers to the shipped pulse template (B1, B2, C1, NPS, COMMENT), as the form posts them.
PULSE_ANSWERS = {"q-B1": "4", "q-B2": "2", "q-C1": "5", "q-NPS": "9", "q-COMMENT": "毎週の報告が分かりやすい"}
