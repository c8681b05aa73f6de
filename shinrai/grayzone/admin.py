"""Read-only admin for gray-zone items and anticipated questions.

Every change goes through the services (state checks, the audit log, the ledger for decisions), so the admin
only shows them; a non-superuser administrator sees their own vendor's projects only.
"""

from django.contrib import admin

from .models import GrayZoneComment, GrayZoneItem, Position, PositionVersion


class _ReadOnly(admin.ModelAdmin):
    vendor_field = "project__vendor_org"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{self.vendor_field: request.user.organization_id})


class CommentInline(admin.TabularInline):
    model = GrayZoneComment
    extra = 0
    fields = ["created_at", "author", "visibility", "body"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(GrayZoneItem)
class GrayZoneItemAdmin(_ReadOnly):
    list_display = ["ref", "title", "project", "state", "reason", "visibility", "owner_org", "created_at"]
    list_filter = ["state", "reason", "visibility"]
    list_select_related = ["project", "owner_org"]
    search_fields = ["title", "project__code"]
    inlines = [CommentInline]


class VersionInline(admin.TabularInline):
    model = PositionVersion
    extra = 0
    fields = ["number", "created_at", "written_by", "visibility", "question", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Position)
class PositionAdmin(_ReadOnly):
    list_display = ["ref", "question", "project", "version", "visibility", "shared_at"]
    list_filter = ["visibility"]
    list_select_related = ["project"]
    search_fields = ["question", "project__code"]
    inlines = [VersionInline]
