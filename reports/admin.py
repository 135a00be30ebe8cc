"""Django admin for report runs: read-only and scoped (region admins see runs of their subtree).

Runs are made through the report pages, the API or the monthly schedule (reports.services); here
they can be looked at, not created, changed or deleted. The file is downloaded from the report page,
which checks scope and records the download."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from accounts.admin import ScopedAdminMixin
from reports.models import ReportRun


@admin.register(ReportRun)
class ReportRunAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["id", "region", "month", "format", "status", "progress", "attempts", "requested_by",
                    "created_at", "finished_at"]
    list_filter = ["status", "format", "month"]
    search_fields = ["region__code", "region__name"]
    list_select_related = ["region", "requested_by"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = ["region", "month", "format", "status", "progress", "page_link", "error", "requested_by",
              "created_at", "started_at", "finished_at", "attempts"]
    readonly_fields = fields

    @admin.display(description=_("report page"))
    def page_link(self, run: ReportRun) -> str:
        return format_html('<a href="{}">{}</a>', reverse("reports:detail", args=[run.pk]), pgettext("action", "Open"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
