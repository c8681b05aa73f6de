"""Access expectations: API routes added for completeness (issue 8): a person's own settings (me)."""

from __future__ import annotations

from .matrix import Expect


def _signed_in(success: int = 200):
    # Everyone signed in reads and changes only their own settings: there is nothing to refuse.
    return lambda role, target: 401 if role == "anonymous" else success


EXPECTATIONS: dict[str, Expect] = {
    "api:get_me": Expect(_signed_in()),
    "api:update_me": Expect(_signed_in(), method="patch", data=lambda cast, target, user: {"language": "en"}),
}
