"""Gray zones (グレーゾーン) and anticipated questions (想定問答).

A **gray-zone item** is work nobody owns yet, or work that spans several vendors of the customer's programme
(the customer's other vendors are partner organizations on the project). It may come from a trouble, a
follow-up action, a customer request or a WBS task (``source`` and the one matching foreign key), or stand
alone as an *action*. Its life:

    unowned ──offer──▶ offered ──accept──▶ accepted          (an owner took it)
       ▲                  │
       └─────decline──────┘
    unowned / offered ──escalate──▶ escalated ──decide──▶ decided   (the customer sponsor chose the owner;
                                                                    the decision is in the ledger)

Its *age* is the number of business days (Japanese public holidays skipped) it has had no owner: from being
marked until it was owned, or until today.

Who sees it: vendor roles always; the customer once it is shared with the customer (``visibility``); a
partner vendor only when it is shared with partners *and* the partner's organization is on its share list
(``GrayZoneShare``). Comments keep the audience they were written for (``GrayZoneComment.visibility``).

An **anticipated question** (``Position``) is the vendor's short written position before a meeting: the
question it expects, the facts, the options and its recommendation. It is a draft (vendor only, version 0)
until shared with the customer and, where chosen, with partner vendors; from then on every edit is a new
numbered ``PositionVersion`` (append-only), so what was shared before stays readable.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shinrai.core.models import AppendOnlyModel, Organization, Project, User, Visibility, visibility_field
from shinrai.progress import workdays

TOKYO = ZoneInfo("Asia/Tokyo")

AUDIT_LABELS = {
    "grayzone.create": _("Gray-zone item marked"),
    "grayzone.update": _("Gray-zone item changed"),
    "grayzone.share": _("Gray-zone item shared"),
    "grayzone.offer": _("Gray-zone item offered to an owner"),
    "grayzone.accept": _("Gray-zone item accepted by its owner"),
    "grayzone.decline": _("Gray-zone item declined"),
    "grayzone.escalate": _("Gray-zone item escalated to the customer sponsor"),
    "grayzone.decide": _("Owner of a gray-zone item decided by the customer"),
    "grayzone.comment": _("Comment on a gray-zone item"),
    "position.create": _("Anticipated question written"),
    "position.update": _("Anticipated question changed"),
    "position.share": _("Anticipated question shared"),
}


def age_in_business_days(marked_at: datetime, until: date) -> int:
    """Business days from the day (Japan time) ``marked_at`` falls on, not counted, to ``until``, counted:
    marked on Friday, Monday is 1; weekends and Japanese public holidays are skipped. 0 when ``until`` is not
    after that day. (Also the trust indicator's rule: ``accounts.trust_selectors``.)"""
    start = timezone.localtime(marked_at, TOKYO).date()
    if until <= start:
        return 0
    return workdays.business_days_between(start, until, inclusive=False)


class GrayZoneItem(models.Model):
    class Reason(models.TextChoices):
        NO_OWNER = "no_owner", _("Nobody owns it yet")
        SEVERAL_VENDORS = "several_vendors", _("It spans several vendors")

    class Source(models.TextChoices):
        ACTION = "action", _("Stand-alone action")
        TROUBLE = "trouble", _("Trouble")
        FOLLOW_UP = "follow_up", _("Follow-up action")
        CUSTOMER_REQUEST = "customer_request", _("Customer request")
        TASK = "task", _("Task")

    class State(models.TextChoices):
        UNOWNED = "unowned", _("No owner")
        OFFERED = "offered", _("Offered to an owner")
        ESCALATED = "escalated", _("Escalated to the customer sponsor")
        ACCEPTED = "accepted", _("Owner accepted")
        DECIDED = "decided", _("Owner decided by the customer")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="grayzone_items")
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what needs doing"), blank=True)
    reason = models.CharField(_("why it is a gray zone"), max_length=16, choices=Reason.choices)
    source = models.CharField(_("comes from"), max_length=16, choices=Source.choices, default=Source.ACTION)
    # At most one of these, the one ``source`` names (SET_NULL: a deleted task leaves the item standing).
    trouble = models.ForeignKey(
        "troubles.Trouble", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    follow_up = models.ForeignKey(
        "troubles.FollowUp", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    customer_request = models.ForeignKey(
        "ledger.CustomerRequest", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    task = models.ForeignKey(
        "progress.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    visibility = visibility_field()
    visibility.default = Visibility.INTERNAL  # vendor only until shared (services.item_share)
    shared_with = models.ManyToManyField(
        Organization, through="GrayZoneShare", related_name="+", verbose_name=_("partner vendors")
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.UNOWNED)
    offered_to_org = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("offered to"),
    )
    offered_to_user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("offered to")
    )
    offered_at = models.DateTimeField(_("offered at"), null=True, blank=True)
    offer_note = models.TextField(_("note with the offer"), blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    escalation_note = models.TextField(_("why it is escalated"), blank=True)
    owner_org = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner (organization)"),
    )
    owner_user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("owner")
    )
    owned_at = models.DateTimeField(_("owned since"), null=True, blank=True)
    owner_note = models.TextField(_("note on the owner (acceptance or the decision's rationale)"), blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    ledger_entry = models.ForeignKey(
        "ledger.Entry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("marked by")
    )
    created_at = models.DateTimeField(_("marked at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    OPEN_STATES = (State.UNOWNED, State.OFFERED, State.ESCALATED)
    OWNED_STATES = (State.ACCEPTED, State.DECIDED)

    class Meta:
        verbose_name = _("gray-zone item")
        verbose_name_plural = _("gray-zone items")
        ordering = ["project", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="grayzone_item_number_unique"),
            models.CheckConstraint(
                condition=Q(state__in=["unowned", "offered", "escalated", "accepted", "decided"]),
                name="grayzone_item_state_valid",
            ),
            # Owned exactly when it has an owner organization and the moment it got one.
            models.CheckConstraint(
                condition=(
                    Q(state__in=["accepted", "decided"], owner_org__isnull=False, owned_at__isnull=False)
                    | (
                        Q(state__in=["unowned", "offered", "escalated"])
                        & Q(owner_org__isnull=True, owned_at__isnull=True)
                    )
                ),
                name="grayzone_item_owner_iff_owned",
            ),
            models.CheckConstraint(
                condition=~Q(state="offered") | Q(offered_to_org__isnull=False, offered_at__isnull=False),
                name="grayzone_item_offer_has_addressee",
            ),
            models.CheckConstraint(
                condition=~Q(state="escalated") | (Q(escalated_at__isnull=False) & ~Q(visibility="internal")),
                name="grayzone_item_escalation_is_shared",
            ),
            # A customer's decision cannot exist without its ledger entry.
            models.CheckConstraint(
                condition=~Q(state="decided") | Q(ledger_entry__isnull=False, decided_by__isnull=False),
                name="grayzone_item_decision_in_ledger",
            ),
            models.CheckConstraint(
                condition=(
                    (Q(trouble__isnull=True) | Q(source="trouble"))
                    & (Q(follow_up__isnull=True) | Q(source="follow_up"))
                    & (Q(customer_request__isnull=True) | Q(source="customer_request"))
                    & (Q(task__isnull=True) | Q(source="task"))
                ),
                name="grayzone_item_source_matches",
            ),
            # One open gray-zone item per source object (an owned one may be followed by a new one).
            *(
                models.UniqueConstraint(
                    fields=[name],
                    condition=Q(state__in=["unowned", "offered", "escalated"]),
                    name=f"grayzone_item_one_open_per_{name}",
                )
                for name in ("trouble", "follow_up", "customer_request", "task")
            ),
        ]
        indexes = [models.Index(fields=["project", "state"])]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("grayzone:detail", args=[self.project_id, self.pk])

    @property
    def ref(self) -> str:
        return f"GZ-{self.number:03d}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def source_id(self) -> int | None:
        return {
            self.Source.TROUBLE: self.trouble_id,
            self.Source.FOLLOW_UP: self.follow_up_id,
            self.Source.CUSTOMER_REQUEST: self.customer_request_id,
            self.Source.TASK: self.task_id,
        }.get(self.source)

    def age_days(self, today: date | None = None) -> int:
        """Business days without an owner: from the day it was marked (not counted) to the day it was owned,
        or to ``today`` (Japan time) while it has none. Marked and owned on the same day: 0."""
        until = (
            timezone.localdate(self.owned_at)
            if self.owned_at is not None
            else (today or timezone.localdate())
        )
        return age_in_business_days(self.created_at, until)


class PartnerShare(models.Model):
    """A partner vendor's organization on the share list of an item or a position (who shared it, when)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("partner vendor")
    )
    shared_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    shared_at = models.DateTimeField(_("shared at"), default=timezone.now)

    class Meta:
        abstract = True


class GrayZoneShare(PartnerShare):
    """A partner vendor's organization on an item's share list: its viewers see and comment on the item."""

    item = models.ForeignKey(GrayZoneItem, on_delete=models.CASCADE, related_name="shares")

    class Meta:
        verbose_name = _("gray-zone share")
        verbose_name_plural = _("gray-zone shares")
        constraints = [
            models.UniqueConstraint(fields=["item", "organization"], name="grayzone_share_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.organization_id}"


class GrayZoneComment(models.Model):
    """A comment on an item. ``visibility`` is the audience it was written for: the item's at the time, or
    vendor only when a vendor user chose so; a later, wider sharing of the item does not widen it."""

    item = models.ForeignKey(GrayZoneItem, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(_("comment"))
    visibility = visibility_field()
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        verbose_name = _("gray-zone comment")
        verbose_name_plural = _("gray-zone comments")
        ordering = ["item", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.body[:40]}"


# --- Anticipated questions (想定問答) ------------------------------------------------------------------


class Position(models.Model):
    """The vendor's written position on a question it expects at a meeting.

    ``version`` 0 is a draft (vendor only). Sharing makes version 1; every later edit adds the next version
    (``PositionVersion``), and the fields here always equal the latest version's.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="positions")
    number = models.PositiveIntegerField(_("number"))
    question = models.CharField(_("the question we expect"), max_length=300)
    meeting = models.CharField(_("meeting"), max_length=200, blank=True)
    meeting_on = models.DateField(_("meeting date"), null=True, blank=True)
    facts = models.TextField(_("facts"))
    options = models.TextField(_("options"), blank=True)
    recommendation = models.TextField(_("our recommendation"))
    visibility = visibility_field()
    visibility.default = Visibility.INTERNAL
    shared_with = models.ManyToManyField(
        Organization, through="PositionShare", related_name="+", verbose_name=_("partner vendors")
    )
    version = models.PositiveIntegerField(_("version"), default=0)
    shared_at = models.DateTimeField(_("first shared at"), null=True, blank=True)
    author = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("written by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("anticipated question")
        verbose_name_plural = _("anticipated questions")
        ordering = ["project", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="position_number_unique"),
            # A draft is vendor-only and has no version; a shared position has both.
            models.CheckConstraint(
                condition=(
                    Q(version=0, visibility="internal", shared_at__isnull=True)
                    | (Q(version__gte=1, shared_at__isnull=False) & ~Q(visibility="internal"))
                ),
                name="position_draft_or_shared",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.question}"

    @property
    def ref(self) -> str:
        return f"Q-{self.number:03d}"

    @property
    def is_shared(self) -> bool:
        return self.version > 0


class PositionShare(PartnerShare):
    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="shares")

    class Meta:
        verbose_name = _("anticipated question share")
        verbose_name_plural = _("anticipated question shares")
        constraints = [
            models.UniqueConstraint(fields=["position", "organization"], name="position_share_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.position_id} → {self.organization_id}"


class PositionVersion(AppendOnlyModel):
    """One shared version of a position, never changed. ``visibility`` is who it was shared with then."""

    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    question = models.CharField(_("the question we expect"), max_length=300)
    meeting = models.CharField(_("meeting"), max_length=200, blank=True)
    meeting_on = models.DateField(_("meeting date"), null=True, blank=True)
    facts = models.TextField(_("facts"))
    options = models.TextField(_("options"), blank=True)
    recommendation = models.TextField(_("our recommendation"))
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    visibility = visibility_field()
    written_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("written by")
    )
    created_at = models.DateTimeField(_("shared at"), default=timezone.now)

    class Meta:
        verbose_name = _("version of an anticipated question")
        verbose_name_plural = _("versions of anticipated questions")
        ordering = ["position", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["position", "number"], name="position_version_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="position_version_positive"),
            models.CheckConstraint(condition=~Q(visibility="internal"), name="position_version_is_shared"),
        ]

    def __str__(self) -> str:
        return f"{self.position_id} v{self.number}"
