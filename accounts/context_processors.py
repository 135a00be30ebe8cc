from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.roles import REGION_ROLES


def navigation(request):
    """The navigation entries a user's role gives them."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav_items": []}
    items = [(_("Home"), reverse("home"))]
    if user.is_superuser or user.role in REGION_ROLES:
        items.append((_("Children"), reverse("children:list")))
        items.append((_("Risk board"), reverse("children:risk-board")))
        items.append((_("Needs"), reverse("children:need-list")))
        items.append((_("Caring mothers"), reverse("volunteers:list")))
        items.append((_("Trainings"), reverse("volunteers:training-list")))
        items.append((_("Pairings"), reverse("pairing:list")))
        items.append((_("Coverage"), reverse("pairing:coverage")))
        items.append((_("Activities"), reverse("activities:list")))
        items.append((_("Overdue contacts"), reverse("rhythm:overdue")))
        items.append((_("Reports"), reverse("reports:list")))
        items.append((_("Statistics"), reverse("reports:dashboard")))
    items.append((_("Notifications"), reverse("rhythm:notifications")))
    if user.is_region_admin:
        items.append((_("Users"), reverse("accounts:user-list")))
        items.append((_("Regions"), reverse("accounts:region-list")))
        items.append((_("Audit log"), reverse("accounts:audit-list")))
    if user.is_superuser or user.is_staff:
        items.append((_("Admin site"), reverse("admin:index")))
    return {"nav_items": items}
