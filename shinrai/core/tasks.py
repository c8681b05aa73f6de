"""Background work for the core app. Tasks take plain values, re-read what they need, and call a service."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task()
def send_email(*, to: list[str], subject: str, body: str, html_body: str | None = None) -> int:
    """Send one e-mail through the configured backend (console by default, SMTP by env).

    The subject is made one line: it is built from names and titles people typed (through the API a title
    can hold a line break), and Django refuses a header with a line break, so the e-mail would be lost.
    """
    subject = " ".join(subject.splitlines())
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    if html_body:
        message.attach_alternative(html_body, "text/html")
    return message.send()
