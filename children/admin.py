"""The ledger in Django admin: read-only and scoped. Changes go through the staff pages and the API,
which call children.services (validation, history rows, audit); the admin is for looking things up."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin import ScopedAdminMixin
from children.models import Child


@admin.register(Child)
class ChildAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "gender", "birth_date", "masked_id_number", "region", "status", "risk_color",
                    "next_review_on"]
    list_filter = ["status", "risk_color", "is_left_behind", "is_in_difficulty", "is_orphan",
                   "is_de_facto_unsupported"]
    search_fields = ["name", "=id_number_last4"]
    list_select_related = ["region"]
    show_full_result_count = False
    exclude = ["id_number_encrypted", "id_number_digest"]

    @admin.display(description=_("ID number"))
    def masked_id_number(self, obj: Child) -> str:
        return obj.id_number_masked

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
