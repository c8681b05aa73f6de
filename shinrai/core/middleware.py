from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponseNotAllowed
from django.utils import timezone, translation


class UserLanguageMiddleware:
    """Show the signed-in user's preferred language; the switcher's cookie wins for anonymous visitors."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class RefuseUnusedMethodsMiddleware:
    """Answer 405 to TRACE, CONNECT and any method the app does not use, before any view runs (ASVS V13.4).

    Function views otherwise treat an unknown method like GET and render the page; TRACE must never be
    served, whatever a proxy in front does with it.
    """

    ALLOWED = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in self.ALLOWED:
            return HttpResponseNotAllowed(sorted(self.ALLOWED))
        return self.get_response(request)


class SessionTimeoutMiddleware:
    """End a signed-in session after ``SESSION_IDLE_MINUTES`` without a request, or ``SESSION_COOKIE_AGE``
    seconds after it started, whichever comes first (ASVS V7.3).

    Django's own expiry slides: every save of a session moves its end forward, so it is no absolute limit.
    The start and the last request are kept in the session instead. The last request is written at most every
    ``TOUCH_SECONDS``, so a busy person's requests do not each cost a session write. An ended session is
    flushed (its key is useless afterwards) and the request goes on as anonymous: pages send it to log in,
    the API answers 401. Requests with an API token carry no session and are not affected.
    """

    STARTED = "_shinrai_session_started"
    SEEN = "_shinrai_session_seen"
    TOUCH_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            self._check(request, session)
        return self.get_response(request)

    def _check(self, request, session) -> None:
        now = int(timezone.now().timestamp())
        started = session.get(self.STARTED)
        seen = session.get(self.SEEN)
        idle_limit = settings.SESSION_IDLE_MINUTES * 60
        if (started is not None and now - started > settings.SESSION_COOKIE_AGE) or (
            idle_limit and seen is not None and now - seen > idle_limit
        ):
            logout(request)  # flushes the session and makes request.user anonymous
            return
        if started is None:
            session[self.STARTED] = now
        if idle_limit and (seen is None or now - seen >= self.TOUCH_SECONDS):
            session[self.SEEN] = now


@receiver(user_logged_in, dispatch_uid="shinrai.core.session_started")
def session_started(sender, request, user, **kwargs) -> None:
    """Start the session's clocks at log-in (connected in ``CoreConfig.ready``), so that a new session's first
    request does not have to write them."""
    session = getattr(request, "session", None)
    if session is not None:
        now = int(timezone.now().timestamp())
        session[SessionTimeoutMiddleware.STARTED] = now
        session[SessionTimeoutMiddleware.SEEN] = now
