"""Django admin for care activities: scoped like accounts/admin.py (region admins see their subtree
only) and read-only — activities are recorded and corrected on the staff pages, the phone pages and
the API, through activities.services, which enforce the rules and audit late corrections; nothing is
deleted. Photos are shown on the activity's staff page (the private files have no public URL)."""

from django.contrib import admin

from accounts.admin import ScopedAdminMixin
from activities.models import Activity

FIELDS = ["id", "volunteer", "occurred_on", "kind", "services", "is_group", "title", "region", "duration_minutes",
          "place", "participants", "aid_value_yuan", "notes", "follow_up", "created_by", "created_at", "updated_at"]


@admin.register(Activity)
class ActivityAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["occurred_on", "kind", "volunteer", "region", "participants", "aid_value_yuan", "is_group",
                    "follow_up"]
    list_filter = ["kind", "is_group", "follow_up"]
    search_fields = ["volunteer__name", "title"]
    list_select_related = ["volunteer", "region"]
    date_hierarchy = "occurred_on"
    show_full_result_count = False
    fields = readonly_fields = FIELDS

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
