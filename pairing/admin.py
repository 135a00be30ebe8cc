"""Django admin for pairings: scoped like accounts/admin.py (region admins see their subtree only) and
read-only — pairings are made and ended on the staff pages and the API, through pairing.services,
which enforce the rules; nothing is ever deleted."""

from django.contrib import admin

from accounts.admin import ScopedAdminMixin
from pairing.models import Pairing

FIELDS = ["child", "volunteer", "role", "started_on", "ended_on", "end_reason", "end_note", "created_by",
          "ended_by", "created_at"]


@admin.register(Pairing)
class PairingAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["child", "volunteer", "role", "started_on", "ended_on", "end_reason"]
    list_filter = ["role", "end_reason"]
    search_fields = ["child__name", "volunteer__name", "volunteer__phone"]
    list_select_related = ["child", "volunteer"]
    date_hierarchy = "started_on"
    show_full_result_count = False
    fields = readonly_fields = FIELDS

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
