"""A small read-only client of Redmine's REST API (JSON, ``X-Redmine-API-Key``), on urllib.

Every failure becomes a ``RedmineError`` whose message says what to do about it: a wrong key, a disabled
REST API, an unknown project, a server that keeps asking to slow down, or an answer that is not what
Redmine 5 sends. The transport is injectable (``fetch``) so that tests replay recorded answers.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from shinrai.core.text import storable

PAGE_SIZE = 100
RETRIES = 4  # on 429 / 503, after the first attempt
MAX_WAIT_SECONDS = 60
# One answer (a page of 100 issues, one issue with its journals) is far below this; a server that sends more
# is not read further (it would fill the worker's memory).
MAX_RESPONSE_BYTES = 20 * 1024 * 1024


class RedmineError(Exception):
    """A failure talking to Redmine, with a message fit to show the administrator."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


Fetch = Callable[[str, dict[str, str], float], Response]


def urllib_fetch(url: str, headers: dict[str, str], timeout: float) -> Response:
    """The real transport: one GET; HTTP errors come back as responses, network errors are raised."""
    request = urllib.request.Request(url, headers=headers, method="GET")  # noqa: S310 (http(s) only)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 (http(s) checked)
            body = answer.read(MAX_RESPONSE_BYTES + 1)  # over the limit: refused by the client
            return Response(answer.status, {k.lower(): v for k, v in answer.headers.items()}, body)
    except urllib.error.HTTPError as error:
        with error:
            body = error.read(MAX_RESPONSE_BYTES + 1) or b""
        return Response(error.code, {k.lower(): v for k, v in (error.headers or {}).items()}, body)


def _storable(value):
    """``value`` (decoded JSON) with every string cleaned of what the database would refuse (JSON escapes
    allow NUL and unpaired surrogates)."""
    if isinstance(value, str):
        return storable(value)
    if isinstance(value, list):
        return [_storable(item) for item in value]
    if isinstance(value, dict):
        return {_storable(key): _storable(item) for key, item in value.items()}
    return value


def normalise_base_url(url: str) -> str:
    url = (url or "").strip().rstrip("/")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RedmineError(_("Give the Redmine address as http(s)://host[/path]."))
    return url


class RedmineClient:
    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        fetch: Fetch | None = None,
        timeout: float = 30,
        sleep: Callable[[float], None] | None = None,
    ):
        self.base_url = normalise_base_url(base_url)
        self.api_key = api_key
        self.fetch = fetch or urllib_fetch
        self.timeout = timeout
        self.sleep = sleep or time.sleep
        self.requests = 0

    # --- transport -------------------------------------------------------------------------------------

    def get(self, path: str, params: dict | None = None, *, not_found: str | None = None) -> dict:
        """GET ``path`` (e.g. ``/issues.json``) and return the decoded JSON object."""
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        url = f"{self.base_url}{path}{query}"
        headers = {"X-Redmine-API-Key": self.api_key, "Accept": "application/json"}
        for attempt in range(RETRIES + 1):
            self.requests += 1
            try:
                response = self.fetch(url, headers, self.timeout)
            except TimeoutError:
                raise RedmineError(
                    _("Redmine did not answer within %(s)d seconds (%(path)s).")
                    % {"s": self.timeout, "path": path}
                ) from None
            except urllib.error.URLError as error:
                reason = error.reason
                if isinstance(reason, TimeoutError | socket.timeout):
                    raise RedmineError(
                        _("Redmine did not answer within %(s)d seconds (%(path)s).")
                        % {"s": self.timeout, "path": path}
                    ) from None
                raise RedmineError(
                    _("Cannot reach Redmine at %(url)s: %(reason)s")
                    % {"url": self.base_url, "reason": reason}
                ) from None
            except OSError as error:
                raise RedmineError(
                    _("Cannot reach Redmine at %(url)s: %(reason)s") % {"url": self.base_url, "reason": error}
                ) from None
            if response.status in (429, 503) and attempt < RETRIES:
                self.sleep(self._wait(response, attempt))
                continue
            return self._decode(response, path, not_found)
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _wait(response: Response, attempt: int) -> float:
        retry_after = response.headers.get("retry-after", "")
        try:
            seconds = float(retry_after)
        except ValueError:
            seconds = 2.0**attempt
        return max(0.0, min(seconds, MAX_WAIT_SECONDS))

    def _decode(self, response: Response, path: str, not_found: str | None) -> dict:
        status = response.status
        if status in (401, 403):
            raise RedmineError(
                _(
                    "Redmine refused the request (HTTP %(status)d): the API key is wrong, lacks the rights "
                    "for %(path)s, or the REST API is disabled (Administration → Settings → API)."
                )
                % {"status": status, "path": path},
                status=status,
            )
        if status == 404:
            raise RedmineError(
                not_found or _("Redmine has no %(path)s (HTTP 404).") % {"path": path}, status=404
            )
        if status in (429, 503):
            raise RedmineError(
                _("Redmine is rate-limiting or unavailable (HTTP %(status)d) after %(n)d retries; try later.")
                % {"status": status, "n": RETRIES}
            )
        if not 200 <= status < 300:
            raise RedmineError(
                _("Redmine answered HTTP %(status)d for %(path)s.") % {"status": status, "path": path}
            )
        if len(response.body) > MAX_RESPONSE_BYTES:
            raise RedmineError(
                _("Redmine's answer for %(path)s is larger than %(limit)s MB.")
                % {"path": path, "limit": MAX_RESPONSE_BYTES // (1024 * 1024)}
            )
        try:
            data = _storable(json.loads(response.body.decode("utf-8")))
        except (UnicodeDecodeError, ValueError, RecursionError):  # deeply nested arrays: RecursionError
            raise RedmineError(
                _("Redmine's answer for %(path)s is not JSON. Is the address that of a Redmine server?")
                % {"path": path}
            ) from None
        if not isinstance(data, dict):
            raise RedmineError(_("Redmine's answer for %(path)s is not a JSON object.") % {"path": path})
        return data

    # --- reads -----------------------------------------------------------------------------------------

    def _pages(self, path: str, key: str, params: dict | None = None) -> Iterator[dict]:
        offset = 0
        while True:
            data = self.get(path, {**(params or {}), "offset": offset, "limit": PAGE_SIZE})
            items = data.get(key)
            if not isinstance(items, list):
                raise RedmineError(
                    _("Redmine's answer for %(path)s lacks the list %(key)s.") % {"path": path, "key": key}
                )
            yield from items
            offset += len(items)
            total = data.get("total_count", offset)
            if not items or not isinstance(total, int) or offset >= total:
                return

    def projects(self) -> list[dict]:
        return list(self._pages("/projects.json", "projects"))

    def project(self, identifier: str) -> dict:
        data = self.get(
            f"/projects/{urllib.parse.quote(identifier, safe='')}.json",
            not_found=_("Redmine has no project %(id)s (or the key may not see it).") % {"id": identifier},
        )
        return _need(data, "project", f"/projects/{identifier}.json")

    def versions(self, identifier: str) -> list[dict]:
        path = f"/projects/{urllib.parse.quote(identifier, safe='')}/versions.json"
        # Versions are not paginated by Redmine; one answer holds them all.
        data = self.get(path, not_found=_("Redmine has no project %(id)s.") % {"id": identifier})
        versions = data.get("versions")
        if not isinstance(versions, list):
            raise RedmineError(_("Redmine's answer for %(path)s lacks the list versions.") % {"path": path})
        return versions

    def current_user(self) -> dict:
        """The key's user. Redmine answers an unknown key as the anonymous user (public projects, trackers and
        statuses all answer 200); only this request says 401, so every run starts with it."""
        return _need(self.get("/users/current.json"), "user", "/users/current.json")

    def trackers(self) -> list[dict]:
        return _need(self.get("/trackers.json"), "trackers", "/trackers.json")

    def issue_statuses(self) -> list[dict]:
        return _need(self.get("/issue_statuses.json"), "issue_statuses", "/issue_statuses.json")

    def issues(self, project_id: int) -> list[dict]:
        params = {"project_id": project_id, "status_id": "*", "subproject_id": "!*", "sort": "id"}
        return list(self._pages("/issues.json", "issues", params))

    def issue_with_journals(self, issue_id: int) -> dict:
        path = f"/issues/{int(issue_id)}.json"
        return _need(self.get(path, {"include": "journals"}), "issue", path)

    def users_by_id(self) -> dict[int, dict] | None:
        """Every user with their e-mail (an administrator's key only); None when the key may not list them."""
        try:
            return {user["id"]: user for user in self._pages("/users.json", "users", {"status": ""})}
        except RedmineError as error:
            if error.status in (401, 403):
                return None
            raise


def _need(data: dict, key: str, path: str):
    if key not in data:
        raise RedmineError(_("Redmine's answer for %(path)s lacks %(key)s.") % {"path": path, "key": key})
    return data[key]
