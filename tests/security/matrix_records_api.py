"""Access expectations: API routes added for completeness (issue 8): surveys, ledger and accounts.

Each route answers like the page it mirrors (see matrix_surveys, the ledger block of test_access_matrix,
matrix_accounts and matrix_trust for the rules and the targets):
- surveys: editing a template is for the template editors (shipped templates: 403 for them too); closing a
  round is for PM and managers; the portal's answer form is only for the person the invitation was sent to.
- ledger: the chain check, the JSON export, the contract value and the request indicators are read by the
  vendor and customer roles of the project (partner vendors 404, as on the ledger pages).
- accounts: the plan (GET, with its ETag) for whoever opens the account; "met today" for whoever keeps it;
  the trust definitions for every vendor user.
"""

from __future__ import annotations

from .matrix import (
    CAN_EDIT,
    CAN_SEE_INTERNAL,
    CAN_SEE_REPORTS,
    CAN_VIEW,
    PROJECT_TARGETS,
    Expect,
    api_write,
    project_kwargs,
    project_page,
)
from .matrix_accounts import (
    ACCOUNT_TARGETS,
    CAN_KEEP_OURS,
    CAN_SEE_ACCOUNT,
    CAN_SEE_OURS,
    customer_kwargs,
    vendor_only_page,
)
from .matrix_accounts import person_kwargs as account_person_kwargs
from .matrix_surveys import (
    RECIPIENT,
    TEMPLATE_TARGETS,
    _survey_and_token,
    api_survey_kwargs,
    template_kwargs,
    template_status,
)

# Every template target (the shipped one, and each vendor's fresh copy of it) is at version 1.
TEMPLATE_BODY = {
    "version": 1,
    "name": "当社版",
    "questions": [{"code": "A1", "kind": "likert", "category": "A", "facet": "logical", "text_ja": "品質"}],
}


def portal_invitation_kwargs(cast, target, user):
    survey, invitation, _token = _survey_and_token(cast, target)
    return {"project_id": survey.project_id, "invitation_id": invitation.pk}


def _recipient_status(role, target):
    if role == "anonymous":
        return 401
    return 200 if role in RECIPIENT[target] else 404


def _ledger_read(name: str = "project_id") -> Expect:
    return Expect(project_page(CAN_SEE_REPORTS, anonymous=401), project_kwargs(name), PROJECT_TARGETS)


EXPECTATIONS: dict[str, Expect] = {
    # Surveys
    "api:update_survey_template": Expect(
        template_status(200, shipped_success=403, anonymous=401),
        template_kwargs,
        TEMPLATE_TARGETS,
        method="put",
        data=lambda cast, target, user: TEMPLATE_BODY,
    ),
    "api:close_survey": Expect(
        api_write(CAN_SEE_INTERNAL, CAN_EDIT, 200), api_survey_kwargs, PROJECT_TARGETS, method="post"
    ),
    # Every role that opens the project lists its own invitations there (an empty list for most).
    "api:list_my_survey_invitations": Expect(
        project_page(CAN_VIEW, anonymous=401), project_kwargs("project_id"), PROJECT_TARGETS
    ),
    "api:get_survey_invitation_answer": Expect(_recipient_status, portal_invitation_kwargs, PROJECT_TARGETS),
    "api:post_survey_invitation_answer": Expect(
        _recipient_status,
        portal_invitation_kwargs,
        PROJECT_TARGETS,
        method="post",
        data=lambda cast, target, user: {"answers": {"B1": 4}, "submit": False},
    ),
    # Ledger
    "api:ledger_chain": _ledger_read(),
    "api:ledger_export": _ledger_read(),
    "api:contract_value": _ledger_read(),
    "api:customer_request_indicators": _ledger_read(),
    # Accounts and trust
    "api:get_account_plan": Expect(
        project_page(CAN_SEE_ACCOUNT, anonymous=401), customer_kwargs, ACCOUNT_TARGETS
    ),
    "api:mark_account_key_person_met": Expect(
        api_write(CAN_SEE_OURS, CAN_KEEP_OURS, 200), account_person_kwargs, ACCOUNT_TARGETS, method="post"
    ),
    "api:trust_definitions": Expect(vendor_only_page(401)),
}
