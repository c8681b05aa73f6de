"""API endpoints of the ledger app (same conventions as shinrai/progress/api.py).

Reads through the selectors, writes through the services, every project looked up through
``shinrai.core.access`` (via ``selectors.ledger_project_for``: partner vendors get 404, the ledger is between
vendor and customer). What the caller may not see answers 404; what they may see but not do answers 403;
bad input answers 422. Beside the entries, the API reads what the ledger pages show: the chain check, the
JSON export (the download's own bytes), the contract value and the indicators of the customer's requests.
None of these objects has an ``updated_at`` or a ``version``, so there is no ETag or ``updated_since`` here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import ConfigDict

from shinrai.api.pagination import Pagination
from shinrai.core import access
from shinrai.core.access import Perm

from . import exports, selectors, services
from .chain import iso_utc

router = Router(tags=["ledger"])


class _Input(Schema):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class EntryOut(Schema):
    seq: int
    project: int
    kind: str
    subject: str
    payload: dict[str, Any]
    actor: int
    actor_name: str
    created_at: str = Field(description="ISO 8601 in UTC with microseconds, exactly as hashed")
    refers_to: int | None = Field(description="Database id of the corrected entry")
    prev_hash: str
    hash: str = Field(description="SHA-256 of the canonical serialisation (see the JSON export's recipe)")


class LedgerOut(Schema):
    verified: bool
    broken_at_seq: int | None
    count: int
    entries: list[EntryOut]


class RequestOut(Schema):
    id: int
    title: str
    body: str
    due_at: datetime
    requested_by: str
    created_at: datetime
    status: str
    acknowledged_at: datetime | None
    answer: str
    answered_at: datetime | None
    answered_by: str | None
    closed_at: datetime | None
    overdue: bool
    answered_late: bool


class RequestIn(_Input):
    title: str = Field(min_length=1, max_length=200)
    body: str = ""
    due_at: datetime = Field(description="When it is due; without a time zone, Japan time")


class ChangeOut(Schema):
    id: int
    title: str
    description: str
    reason: str
    cost_impact: int = Field(description="Yen; negative for a reduction")
    schedule_impact_days: int
    requested_by: str
    created_at: datetime
    status: str
    proposed_at: datetime | None
    decided_by: str | None = Field(description="The customer sponsor who approved or rejected it")
    decided_at: datetime | None
    decision_note: str
    value_after: int | None = Field(description="The contract value right after its approval")

    @staticmethod
    def resolve_decided_by(obj) -> str | None:
        return obj.decided_by.get_full_name() if obj.decided_by_id else None


class DecisionIn(_Input):
    approve: bool
    note: str = ""


class AnswerIn(_Input):
    answer: str = Field(min_length=1)


class ChangeIn(_Input):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1)
    reason: str = Field(min_length=1)
    # Bounded by the columns, so that out-of-range numbers answer 422 instead of failing in the database.
    cost_impact: int = Field(0, ge=-(2**63 - 1), le=2**63 - 1, description="Yen; negative for a reduction")
    schedule_impact_days: int = Field(
        0, ge=-(2**31 - 1), le=2**31 - 1, description="Days; negative when it finishes earlier"
    )
    requested_by: str = Field("", max_length=200, description="Who asked for it; empty for the caller")


class RecordIn(_Input):
    kind: str = Field(description="agreement, sign_off, decision or correction")
    subject: str = Field(min_length=1, max_length=300)
    details: str = ""
    agreed_with: str = Field("", max_length=300)
    corrects: int | None = Field(
        None, ge=1, le=2**31 - 1, description="For a correction: the number (seq) of the entry"
    )


def _require(role, perm: Perm) -> None:
    if perm not in access.ROLE_PERMS[role]:
        raise HttpError(403, "Forbidden")


def _entry_out(e) -> dict:
    return {
        "seq": e.seq,
        "project": e.project_id,
        "kind": e.kind,
        "subject": e.subject,
        "payload": e.payload,
        "actor": e.actor_id,
        "actor_name": e.actor.get_full_name(),
        "created_at": iso_utc(e.created_at),
        "refers_to": e.refers_to_id,
        "prev_hash": e.prev_hash,
        "hash": e.hash,
    }


def _request_out(item, now) -> dict:
    return {
        "id": item.pk,
        "title": item.title,
        "body": item.body,
        "due_at": item.due_at,
        "requested_by": item.requested_by.get_full_name(),
        "created_at": item.created_at,
        "status": item.status,
        "acknowledged_at": item.acknowledged_at,
        "answer": item.answer,
        "answered_at": item.answered_at,
        "answered_by": item.answered_by.get_full_name() if item.answered_by_id else None,
        "closed_at": item.closed_at,
        "overdue": item.is_overdue(now),
        "answered_late": item.answered_late,
    }


@router.get(
    "/projects/{int:project_id}/ledger",
    response=LedgerOut,
    summary="The project's ledger: every entry with its hashes, and whether the chain verifies",
)
def get_ledger(request, project_id: int):
    user = request.auth
    project, _role = selectors.ledger_project_for(user, project_id)
    state = selectors.chain_state(project)
    entries = [_entry_out(e) for e in selectors.entries_for(user=user, project=project)]
    return {
        "verified": state.ok,
        "broken_at_seq": state.broken_seq,
        "count": len(entries),
        "entries": entries,
    }


@router.get(
    "/projects/{int:project_id}/customer-requests",
    response=list[RequestOut],
    summary="The customer's requests with their due times, soonest due first",
)
@paginate(Pagination)
def list_customer_requests(request, project_id: int):
    user = request.auth
    project, _role = selectors.ledger_project_for(user, project_id)
    now = timezone.now()
    return [_request_out(item, now) for item in selectors.requests_for(user=user, project=project)]


@router.post(
    "/projects/{int:project_id}/customer-requests",
    response={201: RequestOut},
    summary="Ask the vendor for something by a due time (customer roles; 403 for vendor roles)",
)
def create_customer_request(request, project_id: int, payload: RequestIn):
    user = request.auth
    project, role = selectors.ledger_project_for(user, project_id)
    _require(role, Perm.COMMENT)
    item = services.request_create(by=user, project=project, **payload.model_dump())
    return Status(201, _request_out(item, timezone.now()))


@router.get(
    "/projects/{int:project_id}/change-requests",
    response=list[ChangeOut],
    summary="Change requests (customers: those proposed to them), newest first",
)
@paginate(Pagination)
def list_change_requests(request, project_id: int):
    user = request.auth
    project, _role = selectors.ledger_project_for(user, project_id)
    return list(selectors.changes_for(user=user, project=project))


@router.post(
    "/projects/{int:project_id}/change-requests/{int:change_id}/decision",
    response=ChangeOut,
    summary="Approve or reject a proposed change (the customer sponsor only; 403 for other roles)",
)
def decide_change_request(request, project_id: int, change_id: int, payload: DecisionIn):
    user = request.auth
    project, role = selectors.ledger_project_for(user, project_id)
    change = selectors.change_for(user=user, project=project, pk=change_id)
    _require(role, Perm.DECIDE)
    return services.change_decide(by=user, change=change, approve=payload.approve, note=payload.note)


@router.post(
    "/projects/{int:project_id}/ledger/entries",
    response={201: EntryOut},
    summary="Record an agreement, sign-off or decision made outside the app, or a correction "
    "(vendor PM and manager; 403 for other roles)",
)
def record_ledger_entry(request, project_id: int, payload: RecordIn):
    user = request.auth
    project, role = selectors.ledger_project_for(user, project_id)
    _require(role, Perm.EDIT)
    entry = services.record_entry(by=user, project=project, **payload.model_dump())
    return Status(201, _entry_out(entry))


def _vendor_request(request, project_id: int, request_id: int):
    user = request.auth
    project, role = selectors.ledger_project_for(user, project_id)
    item = selectors.request_for(user=user, project=project, pk=request_id)
    _require(role, Perm.CONTRIBUTE)
    return user, item


@router.post(
    "/projects/{int:project_id}/customer-requests/{int:request_id}/acknowledge",
    response=RequestOut,
    summary="Acknowledge a waiting request (vendor roles; 403 for customer roles)",
)
def acknowledge_customer_request(request, project_id: int, request_id: int):
    user, item = _vendor_request(request, project_id, request_id)
    item = services.request_acknowledge(by=user, request=item)
    return _request_out(item, timezone.now())


@router.post(
    "/projects/{int:project_id}/customer-requests/{int:request_id}/answer",
    response=RequestOut,
    summary="Answer a request that is waiting or acknowledged (vendor roles; 403 for customer roles)",
)
def answer_customer_request(request, project_id: int, request_id: int, payload: AnswerIn):
    user, item = _vendor_request(request, project_id, request_id)
    item = services.request_answer(by=user, request=item, answer=payload.answer)
    return _request_out(item, timezone.now())


@router.post(
    "/projects/{int:project_id}/customer-requests/{int:request_id}/close",
    response=RequestOut,
    summary="Close a request (vendor roles; 403 for customer roles)",
)
def close_customer_request(request, project_id: int, request_id: int):
    user, item = _vendor_request(request, project_id, request_id)
    item = services.request_close(by=user, request=item)
    return _request_out(item, timezone.now())


@router.post(
    "/projects/{int:project_id}/change-requests",
    response={201: ChangeOut},
    summary="Draft a change request, not yet shown to the customer (vendor roles; 403 for customer roles)",
)
def create_change_request(request, project_id: int, payload: ChangeIn):
    user = request.auth
    project, role = selectors.ledger_project_for(user, project_id)
    _require(role, Perm.CONTRIBUTE)
    return Status(201, services.change_create(by=user, project=project, **payload.model_dump()))


def _vendor_change(request, project_id: int, change_id: int):
    user = request.auth
    project, role = selectors.ledger_project_for(user, project_id)
    change = selectors.change_for(user=user, project=project, pk=change_id)
    _require(role, Perm.EDIT)
    return user, change


@router.post(
    "/projects/{int:project_id}/change-requests/{int:change_id}/propose",
    response=ChangeOut,
    summary="Propose a draft change to the customer (vendor PM and manager; 403 for other roles)",
)
def propose_change_request(request, project_id: int, change_id: int):
    user, change = _vendor_change(request, project_id, change_id)
    return services.change_propose(by=user, change=change)


@router.post(
    "/projects/{int:project_id}/change-requests/{int:change_id}/withdraw",
    response=ChangeOut,
    summary="Withdraw a draft or proposed change (vendor PM and manager; 403 for other roles)",
)
def withdraw_change_request(request, project_id: int, change_id: int):
    user, change = _vendor_change(request, project_id, change_id)
    return services.change_withdraw(by=user, change=change)


# --- What the ledger pages show beside the entries ---------------------------------------------------------


class ChainOut(Schema):
    verified: bool = Field(description="Numbering, links and hashes all check out")
    count: int = Field(description="Entries checked (up to the broken one when it breaks)")
    broken_at_seq: int | None = Field(description="The first entry that does not check out")
    reason: str = Field(description="numbering, link or hash when broken; empty when verified")
    last_hash: str | None = Field(
        description="The newest entry's hash stands for the whole chain: keep a copy elsewhere to compare"
    )


class ApprovedChangeOut(Schema):
    id: int
    title: str
    cost_impact: int = Field(description="Yen; negative for a reduction")
    schedule_impact_days: int
    decided_at: datetime | None
    value_after: int | None = Field(description="The contract value after this change (null with no amount)")


class ContractValueOut(Schema):
    original: int | None = Field(description="The contract amount in yen (null when not set)")
    current: int | None = Field(description="original + every approved change")
    change_total: int
    schedule_days_total: int
    approved: list[ApprovedChangeOut] = Field(description="Approved changes, oldest decision first")


class RequestIndicatorsOut(Schema):
    total: int
    open: int = Field(description="Neither answered nor closed")
    overdue: int = Field(description="Past due with no answer (and not closed)")
    counted: int = Field(description="Answered, plus overdue: each is on time or not")
    on_time: int = Field(description="Answered by the due time")
    on_time_rate: float | None = Field(description="on_time / counted, 0–1; null when nothing counts yet")
    mean_hours: float | None = Field(description="From asking to answering, over answered requests")
    median_hours: float | None


class LedgerProjectOut(Schema):
    id: int
    code: str
    name: str


class LedgerChainSummaryOut(Schema):
    verified: bool
    entries: int
    broken_at_seq: int | None
    last_hash: str | None


class ExportEntryOut(EntryOut):
    kind_label: str
    refers_to_seq: int | None


class LedgerExportOut(Schema):
    format: str = Field(description="shinrai-ledger/1")
    project: LedgerProjectOut
    exported_at: str
    chain: LedgerChainSummaryOut
    verification: list[str] = Field(description="How to check the hashes without Shinrai")
    entries: list[ExportEntryOut]


@router.get(
    "/projects/{int:project_id}/ledger/chain",
    response=ChainOut,
    summary="Whether the project's hash chain verifies, as the ledger pages show it (vendor and customer "
    "roles; partner vendors 404)",
)
def ledger_chain(request, project_id: int):
    user = request.auth
    project, _role = selectors.ledger_project_for(user, project_id)
    state = selectors.chain_state(project)
    last = selectors.entries_for(user=user, project=project).last()
    return {
        "verified": state.ok,
        "count": state.count,
        "broken_at_seq": state.broken_seq,
        "reason": state.reason,
        "last_hash": last.hash if last else None,
    }


@router.get(
    "/projects/{int:project_id}/ledger/export",
    response=LedgerExportOut,
    summary="The ledger's JSON export, the same document as the ledger.json download, verifiable offline "
    "(vendor and customer roles; partner vendors 404)",
)
def ledger_export(request, project_id: int):
    user = request.auth
    project, _role = selectors.ledger_project_for(user, project_id)
    entries = list(selectors.entries_for(user=user, project=project))
    content = exports.ledger_json(project=project, entries=entries, state=selectors.chain_state(project))
    # The download's own bytes: a verifier gets the same document from the page and from the API.
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


@router.get(
    "/projects/{int:project_id}/contract-value",
    response=ContractValueOut,
    summary="The original contract value, the approved changes and the current value (vendor and customer "
    "roles; partner vendors 404)",
)
def contract_value(request, project_id: int):
    project, _role = selectors.ledger_project_for(request.auth, project_id)
    contract = selectors.contract_value(project)
    return {
        "original": contract.original,
        "current": contract.current,
        "change_total": contract.change_total,
        "schedule_days_total": contract.schedule_days_total,
        "approved": [
            {
                "id": change.pk,
                "title": change.title,
                "cost_impact": change.cost_impact,
                "schedule_impact_days": change.schedule_impact_days,
                "decided_at": change.decided_at,
                "value_after": change.running_value,
            }
            for change in contract.approved
        ],
    }


@router.get(
    "/projects/{int:project_id}/customer-requests/indicators",
    response=RequestIndicatorsOut,
    summary="How the vendor keeps the customer's due times: open, overdue, answered on time, hours to answer "
    "(vendor and customer roles; partner vendors 404)",
)
def customer_request_indicators(request, project_id: int):
    user = request.auth
    project, _role = selectors.ledger_project_for(user, project_id)
    found = selectors.request_indicators(selectors.requests_for(user=user, project=project))
    return {
        "total": found.total,
        "open": found.open,
        "overdue": found.overdue,
        "counted": found.counted,
        "on_time": found.on_time,
        "on_time_rate": found.on_time_rate,
        "mean_hours": found.mean_hours,
        "median_hours": found.median_hours,
    }
