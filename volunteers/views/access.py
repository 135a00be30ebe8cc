"""Who may use the roster's staff pages: region roles read (volunteers get 403), editors write."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.phone import mask_mobile
from accounts.roles import REGION_ROLES


def require_region_role(user) -> None:
    """The roster is a staff page: caring mothers with a login have their own pages, not this one."""
    if not (user.is_superuser or user.role in REGION_ROLES):
        raise PermissionDenied(_("The roster is for federation staff."))


def require_editor(user) -> None:
    if not user.can_edit:
        raise PermissionDenied(_("Your role can read the roster but not change it."))


def shown_phone(user, phone: str) -> str:
    """Editors see a caring mother's full number; read-only roles see it masked."""
    return phone if user.can_edit else mask_mobile(phone)
