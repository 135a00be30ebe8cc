from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.access import MANAGE, READ, allowed, role_of


def navigation(request):
    """The navigation entries a user's role gives them (core.access's allow-lists, as the pages check)."""
    user = getattr(request, "user", None)
    if role_of(user) is None:
        return {"nav_items": []}
    items = [(_("Home"), reverse("home"))]
    if allowed(user, READ):
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
    if allowed(user, MANAGE):
        items.append((_("Users"), reverse("accounts:user-list")))
        items.append((_("Regions"), reverse("accounts:region-list")))
        items.append((_("Audit log"), reverse("accounts:audit-list")))
        # Django's admin site admits only is_staff accounts (accounts.services sets it for admins).
        if user.is_staff:
            items.append((_("Admin site"), reverse("admin:index")))
    return {"nav_items": items}
