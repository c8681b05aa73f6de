"""Admin site for vendor administrators. Writes of projects and members go through the services."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import locking, services
from .models import ApiToken, AuditEvent, Organization, Project, ProjectMember, User


def _organizations_seen_by(user):
    """The organizations a vendor's non-superuser administrator works with: their own, and the customers and
    partners of their vendor's projects. Other vendors, and their customers' people, stay out of every admin
    list, change page and autocomplete (the autocomplete reads the related admin's queryset)."""
    projects = Project.objects.filter(vendor_org_id=user.organization_id)
    partners = ProjectMember.objects.filter(project__in=projects).values("user__organization_id")
    return Organization.objects.filter(
        Q(pk=user.organization_id) | Q(pk__in=projects.values("customer_org_id")) | Q(pk__in=partners)
    )


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "industry"]
    list_filter = ["kind"]
    search_fields = ["name"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pk__in=_organizations_seen_by(request.user).values("pk"))


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "organization", "is_vendor_manager", "is_staff", "is_active"]
    list_filter = ["organization__kind", "is_vendor_manager", "is_staff", "is_active"]
    list_select_related = ["organization"]
    search_fields = ["email", "display_name"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(organization__in=_organizations_seen_by(request.user).values("pk"))

    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["display_name", "organization", "language"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_vendor_manager", "is_staff", "is_superuser", "groups"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "display_name", "organization", "password1", "password2"],
            },
        ),
    ]


class ProjectMemberInline(admin.TabularInline):
    model = ProjectMember
    extra = 0
    autocomplete_fields = ["user"]


def _project_page_state(project: Project) -> str:
    """What the project's change page edits: the project (its updated_at) and its members' roles."""
    members = sorted(ProjectMember.objects.filter(project=project).values_list("pk", "user_id", "role"))
    return locking.content_digest([locking.state(project), members])


class ProjectAdminForm(forms.ModelForm):
    """The change page carries the state it was opened on (optimistic lock, see core/locking.py).

    The admin validates inside its transaction, so the project row stays locked from the check to the save:
    a page opened before someone else saved the project or its members is refused with nothing written.
    """

    lock = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    class Meta:
        model = Project
        fields = "__all__"  # noqa: DJ007 -- the admin chooses the fields shown (ProjectAdmin)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["lock"].initial = locking.token(self.instance, _project_page_state)

    def clean(self):
        cleaned = super().clean()
        sent = cleaned.get("lock")
        if self.instance.pk is not None and sent:
            current = Project.objects.select_for_update().filter(pk=self.instance.pk).first()
            if current is None or locking.token(current, _project_page_state) != sent:
                raise ValidationError(locking.stale_message(), code="stale")
        return cleaned


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    form = ProjectAdminForm
    list_display = ["code", "name", "customer_org", "phase", "start_date", "end_date"]
    list_filter = ["phase", "vendor_org"]
    list_select_related = ["customer_org"]
    search_fields = ["code", "name", "customer_org__name"]
    inlines = [ProjectMemberInline]

    def get_queryset(self, request):
        # A vendor's administrators manage their own vendor's projects; only superusers see every vendor.
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(vendor_org_id=request.user.organization_id)

    def save_model(self, request, obj, form, change):
        if change:
            changes = {
                name: form.cleaned_data[name]
                for name in form.changed_data
                if name in services.PROJECT_AUDITED_FIELDS
            }
            fresh = Project.objects.get(pk=obj.pk)
            services.project_update(by=request.user, project=fresh, **changes)
            other = [name for name in form.changed_data if name not in services.PROJECT_AUDITED_FIELDS]
            if other:
                obj.save(update_fields=other)
        else:
            fields = {name: form.cleaned_data[name] for name in services.PROJECT_AUDITED_FIELDS}
            created = services.project_create(
                by=request.user, vendor_org=obj.vendor_org, customer_org=obj.customer_org, **fields
            )
            obj.pk = created.pk

    def save_formset(self, request, form, formset, change):
        for member in formset.save(commit=False):
            services.member_add(by=request.user, project=form.instance, user=member.user, role=member.role)
        for member in formset.deleted_objects:
            services.member_remove(by=request.user, member=member)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_id", "project"]
    list_filter = ["action", "object_type"]
    list_select_related = ["actor", "project"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        # Another vendor's history is not this vendor's administrators' to read.
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        own = Q(project__vendor_org_id=request.user.organization_id)
        return queryset.filter(
            own | Q(project__isnull=True, actor__organization_id=request.user.organization_id)
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used_at"]
    list_select_related = ["user"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(user__organization__in=_organizations_seen_by(request.user).values("pk"))
