"""Organizations, people, projects, memberships and the audit log."""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Organization(models.Model):
    class Kind(models.TextChoices):
        VENDOR = "vendor", _("Vendor")
        CUSTOMER = "customer", _("Customer")
        PARTNER = "partner", _("Partner vendor")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["vendor", "customer", "partner"]), name="organization_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # Compared as people read names: full-width letters and digits, case and outer spaces do not make a
        # second organization (顧客Ｃ１ is 顧客C1), which a customer could be mistaken for.
        self.name = unicodedata.normalize("NFKC", self.name or "").strip()
        if Organization.objects.filter(name__iexact=self.name).exclude(pk=self.pk).exists():
            raise ValidationError({"name": _("An organization with this name exists already.")})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        if "organization" not in fields and "organization_id" not in fields:
            fields["organization"] = Organization.objects.filter(kind=Organization.Kind.VENDOR).first()
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an e-mail address and belongs to one organization."""

    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=100)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="users", verbose_name=_("organization")
    )
    language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    # Portfolio role: a vendor manager sees every project of their vendor organization.
    is_vendor_manager = models.BooleanField(_("vendor manager"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("can use the admin site"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["display_name"]

    def __str__(self) -> str:
        return f"{self.display_name} <{self.email}>"

    def clean(self) -> None:
        super().clean()  # Django's: the address NFKC-normalised (ｖｅｎｄｏｒ@… is vendor@…)
        self.email = (self.email or "").strip()
        # One mailbox, one account: another account whose address differs only in case would get the same
        # mail (password resets included) and could be taken for this one.
        if User.objects.filter(email__iexact=self.email).exclude(pk=self.pk).exists():
            raise ValidationError({"email": _("An account with this e-mail address exists already.")})

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name

    @property
    def org_kind(self) -> str:
        return self.organization.kind

    @property
    def is_vendor(self) -> bool:
        return self.organization.kind == Organization.Kind.VENDOR


class Project(models.Model):
    class Phase(models.TextChoices):
        PROPOSAL = "proposal", _("Proposal")
        REQUIREMENTS = "requirements", _("Requirements definition")
        DESIGN = "design", _("Design")
        BUILD = "build", _("Development")
        TEST = "test", _("Testing")
        RELEASE = "release", _("Migration and release")
        OPERATION = "operation", _("Operation and maintenance")
        CLOSED = "closed", _("Closed")

    vendor_org = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="vendor_projects",
        limit_choices_to={"kind": Organization.Kind.VENDOR},
        verbose_name=_("vendor"),
    )
    customer_org = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="customer_projects",
        limit_choices_to={"kind": Organization.Kind.CUSTOMER},
        verbose_name=_("customer"),
    )
    code = models.CharField(_("project code"), max_length=32, unique=True)
    name = models.CharField(_("project name"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices, default=Phase.PROPOSAL)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    contract_amount = models.DecimalField(
        _("contract amount (JPY)"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    # Vendor-internal: never rendered for customer or partner roles.
    internal_note = models.TextField(_("internal note (vendor only)"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="project_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(contract_amount__isnull=True) | Q(contract_amount__gte=0),
                name="project_contract_amount_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("core:project_home", args=[self.pk])

    def clean(self) -> None:
        # Codes are compared as people read them: ＯＷＮ－１ or own-1 would be a second project "OWN-1".
        self.code = unicodedata.normalize("NFKC", self.code or "").strip()
        if Project.objects.filter(code__iexact=self.code).exclude(pk=self.pk).exists():
            raise ValidationError({"code": _("A project with this code exists already.")})

    @property
    def phase_label(self) -> str:
        return str(self.get_phase_display())


class Role(models.TextChoices):
    VENDOR_MANAGER = "vendor_manager", _("Vendor manager")
    VENDOR_PM = "vendor_pm", _("Project manager")
    VENDOR_MEMBER = "vendor_member", _("Project member")
    CUSTOMER_SPONSOR = "customer_sponsor", _("Customer sponsor")
    CUSTOMER_MEMBER = "customer_member", _("Customer member")
    PARTNER_VIEWER = "partner_viewer", _("Partner vendor (read only)")


VENDOR_ROLES = frozenset({Role.VENDOR_MANAGER, Role.VENDOR_PM, Role.VENDOR_MEMBER})
CUSTOMER_ROLES = frozenset({Role.CUSTOMER_SPONSOR, Role.CUSTOMER_MEMBER})
PARTNER_ROLES = frozenset({Role.PARTNER_VIEWER})
# Which organization kind each role must come from.
ROLE_ORG_KIND = {
    **{role: Organization.Kind.VENDOR for role in VENDOR_ROLES},
    **{role: Organization.Kind.CUSTOMER for role in CUSTOMER_ROLES},
    **{role: Organization.Kind.PARTNER for role in PARTNER_ROLES},
}


class ProjectMember(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)

    class Meta:
        verbose_name = _("project member")
        verbose_name_plural = _("project members")
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="project_member_unique"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="project_member_role_valid"),
        ]
        indexes = [models.Index(fields=["user", "project"])]

    def __str__(self) -> str:
        return f"{self.user} @ {self.project.code} ({self.get_role_display()})"


class Visibility(models.TextChoices):
    """Who outside the vendor may see an item that belongs to a project (used by later apps)."""

    INTERNAL = "internal", _("Vendor only")
    CUSTOMER = "customer", _("Vendor and customer")
    PARTNERS = "partners", _("Vendor, customer and partner vendors")


AUDIT_ACTION_LABELS = {
    "project.create": _("Project created"),
    "project.update": _("Project details changed"),
    "member.add": _("Member added"),
    "member.change_role": _("Member's role changed"),
    "member.remove": _("Member removed"),
    "user.set_language": _("Language changed"),
    "api_token.create": _("API token created"),
    "api_token.revoke": _("API token revoked"),
    "calendar_feed.create": _("Calendar feed URL created"),
    "calendar_feed.regenerate": _("Calendar feed URL replaced"),
    "calendar_feed.revoke": _("Calendar feed URL revoked"),
    "stakeholder.create": _("Stakeholder added"),
    "stakeholder.update": _("Stakeholder changed"),
    "goal.create": _("Goal added"),
    "goal.update": _("Goal changed"),
    "requirement.create": _("Requirement added"),
    "requirement.update": _("Requirement changed"),
    "requirement.withdraw": _("Requirement withdrawn"),
    "requirement.import": _("Requirements imported from Excel"),
    "review.submit": _("Requirements sent for customer review"),
    "review.withdraw": _("Customer review withdrawn"),
    "review.comment": _("Customer comment on a requirement"),
    "baseline.approve": _("Requirements approved by the customer"),
    "milestone.create": _("Milestone added"),
    "milestone.update": _("Milestone changed"),
    "milestone.reforecast": _("Milestone forecast changed"),
    "milestone.achieve": _("Milestone reached"),
    "task.create": _("Task added"),
    "task.update": _("Task changed"),
    "task.move": _("Task moved"),
    "task.progress": _("Task progress reported"),
    "task.delete": _("Task deleted"),
    "task.import": _("WBS imported from Excel"),
    "glossary.create": _("Glossary term added"),
    "glossary.update": _("Glossary term changed"),
    "glossary.delete": _("Glossary term deleted"),
    "report.create": _("Weekly report drafted"),
    "report.update": _("Weekly report draft changed"),
    "report.publish": _("Weekly report published"),
    "report.correct": _("Weekly report corrected"),
    "report.acknowledge": _("Weekly report acknowledged"),
    "report.ask": _("Question on a weekly report"),
    "report.answer": _("Answer on a weekly report"),
    "customer_request.create": _("Customer request made"),
    "customer_request.acknowledge": _("Customer request acknowledged"),
    "customer_request.answer": _("Customer request answered"),
    "customer_request.close": _("Customer request closed"),
    "change_request.create": _("Change request drafted"),
    "change_request.propose": _("Change request proposed to the customer"),
    "change_request.withdraw": _("Change request withdrawn"),
    "change_request.approve": _("Change request approved by the customer"),
    "change_request.reject": _("Change request rejected by the customer"),
    "ledger.record": _("Entry recorded in the ledger"),
    "trouble.create": _("Trouble recorded"),
    "trouble.update": _("Trouble changed"),
    "trouble.escalate": _("Risk became an issue"),
    "trouble.disclose": _("Trouble disclosed to the customer"),
    "trouble.status": _("Trouble analysis started"),
    "trouble.note": _("Internal note on a trouble"),
    "trouble.option": _("Option added to a trouble"),
    "trouble.propose": _("Options proposed to the customer"),
    "trouble.decide": _("Option chosen for a trouble"),
    "trouble.follow_up": _("Follow-up action added"),
    "trouble.follow_up_done": _("Follow-up action done"),
    "trouble.close": _("Trouble closed with root cause and prevention"),
    "trouble.prevention_done": _("Prevention measure done"),
    "trouble.close_imported": _("Trouble closed in the tracker it was imported from"),
    "trouble.reopen_imported": _("Trouble reopened in the tracker it was imported from"),
    "trouble.escalate_disclosure": _("Overdue disclosure escalated to the vendor managers"),
    # survey actions
    "survey_template.copy": _("Survey template copied"),
    "survey_template.update": _("Survey template changed"),
    "survey_template.new_version": _("New version of a survey template"),
    "survey.send": _("Survey sent"),
    "survey.remind": _("Survey reminder sent"),
    "survey.close": _("Survey closed"),
    "survey.respond": _("Survey answered"),
    # account actions
    "account_plan.create": _("Account plan started"),
    "account_plan.update": _("Account plan changed"),
    "roadmap_step.create": _("Roadmap step added"),
    "roadmap_step.update": _("Roadmap step changed"),
    "roadmap_step.delete": _("Roadmap step removed"),
    "key_person.create": _("Key person added"),
    "key_person.update": _("Key person changed"),
    "key_person.delete": _("Key person removed"),
    "key_person.met": _("Met a key person"),
    "relationship_signal.create": _("Relationship signal recorded"),
    # business flow actions
    "flow.create": _("Business flow added"),
    "flow.update": _("Business flow changed"),
    "flow.version_upload": _("New version of a business flow uploaded"),
    "flow.link_add": _("Requirement linked to a flow step"),
    "flow.link_remove": _("Requirement unlinked from a flow step"),
    "flow.comment_add": _("Comment on a flow step"),
    # integration actions
    "customer_request.due_notice": _("Reminder sent: request due soon"),
    "notification_preferences.save": _("Notification settings changed"),
    "task.redmine_journal": _("Redmine history imported"),
    "webhook.create": _("Webhook added"),
    "webhook.update": _("Webhook changed"),
    "webhook.delete": _("Webhook removed"),
    "webhook.secret": _("Webhook secret renewed"),
}


def visibility_field() -> models.CharField:
    """A project item's ``visibility`` (read by ``access.items_visible_to``); customer-visible by default."""
    return models.CharField(
        _("visible to"), max_length=16, choices=Visibility.choices, default=Visibility.CUSTOMER
    )


class AppendOnlyQuerySet(models.QuerySet):
    """Rows can be added, never changed or removed through the ORM (audit log, baselines, ledger)."""

    def update(self, **kwargs):
        raise PermissionError(f"{self.model._meta.verbose_name} is append-only")

    def delete(self):
        raise PermissionError(f"{self.model._meta.verbose_name} is append-only")


class AppendOnlyModel(models.Model):
    """A model whose rows, once saved, are immutable."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError(f"{self._meta.verbose_name} is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(f"{self._meta.verbose_name} is append-only")


class AuditEvent(AppendOnlyModel):
    """Append-only record of a write: who, when, what, and a before/after summary."""

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("actor")
    )
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    project = models.ForeignKey(
        Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("project")
    )
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["project", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"

    @property
    def action_label(self) -> str:
        return str(AUDIT_ACTION_LABELS.get(self.action, self.action))

    @property
    def changed_field_labels(self) -> list[str]:
        """The changed fields by their translated names, e.g. ['フェーズ', 'プロジェクト名']."""
        from django.apps import apps
        from django.core.exceptions import FieldDoesNotExist

        model = apps.get_model(self.object_type)
        labels = []
        for name in sorted(set(self.before) | set(self.after)):
            try:
                labels.append(str(model._meta.get_field(name).verbose_name))
            except FieldDoesNotExist:
                labels.append(name)
        return labels


class TokenScope(models.TextChoices):
    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 digest is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    # A read token may only read (GET/HEAD/OPTIONS); a write token may do whatever its owner may do.
    scope = models.CharField(_("scope"), max_length=8, choices=TokenScope.choices, default=TokenScope.WRITE)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class CalendarFeedToken(models.Model):
    """The secret in a person's calendar feed URL (milestones as iCalendar, read without logging in).

    Only a SHA-256 digest is stored, like an API token; the URL is shown once. One per person: making a new
    one replaces the digest, so the old URL stops working at once.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="calendar_feed_token")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed URL")
        verbose_name_plural = _("calendar feed URLs")

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})"
