from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def navigation(request):
    """The navigation entries a user's role gives them."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav_items": []}
    items = [(_("Home"), reverse("home"))]
    if user.is_region_admin:
        items.append((_("Users"), reverse("accounts:user-list")))
        items.append((_("Regions"), reverse("accounts:region-list")))
    if user.is_superuser or user.is_staff:
        items.append((_("Admin site"), reverse("admin:index")))
    return {"nav_items": items}
