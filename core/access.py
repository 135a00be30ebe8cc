"""Who may do what: THE allow-lists, and the guards that enforce them on pages and API endpoints.

Access is default-deny at every layer:

- every page requires a login (Django's ``LoginRequiredMiddleware``; the few public views say
  ``@login_not_required``), and every page's view carries one of the guards below (:func:`require`),
  which admits only the roles named in an allow-list — a role added later is admitted nowhere until
  someone lists it; a caring mother refused a page is sent to her phone pages (/m/) instead of a 403;
- every API view names its permission class (:func:`api_roles`; the REST framework's default is
  :class:`DenyAll`);
- every query over people goes through ``Model.objects.visible_to(user)`` (core.scoping).

tests/test_access_matrix.py walks every URL as every kind of user and fails on a URL nobody classified.

A superuser acts as an administrator (and is never a caring mother). An inactive or anonymous user has
no role.
"""

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.roles import Role

# --- the allow-lists ------------------------------------------------------------------------------

# Federation pages and data over a region subtree: read.
READ = frozenset({Role.ADMIN, Role.STAFF, Role.VIEWER})
# ... and change (read-only leaders are not in it).
EDIT = frozenset({Role.ADMIN, Role.STAFF})
# Users, regions, the audit log and the contact rhythm of a region.
MANAGE = frozenset({Role.ADMIN})
# The caring mothers' phone pages (/m/) and the few API endpoints the phone uses, whose serializers
# show a child by the given name only, with no address, and only while she is paired with the child.
# Every other page sends her to PHONE_HOME (see require), every other endpoint refuses her (403).
PHONE = frozenset({Role.VOLUNTEER})
# Anything every signed-in user has: their notifications, their password, the home page.
SIGNED_IN = frozenset({Role.ADMIN, Role.STAFF, Role.VIEWER, Role.VOLUNTEER})
# Where a caring mother is sent from a federation page (the URL name of her phone home).
PHONE_HOME = "phone:home"

DEFAULT_MESSAGES = {
    READ: gettext_lazy("This page is for federation staff."),
    EDIT: gettext_lazy("Your role can read this but not change it."),
    MANAGE: gettext_lazy("Only administrators can do this."),
    PHONE: gettext_lazy("This page is for caring mothers."),
    SIGNED_IN: gettext_lazy("Log in first."),
}


def role_of(user) -> str | None:
    """The role ``user`` acts in: a superuser's is admin; None for anonymous and inactive users."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return Role.ADMIN if user.is_superuser else user.role


def allowed(user, roles: frozenset) -> bool:
    return role_of(user) in roles


def is_volunteer(user) -> bool:
    """A caring mother signed in: she sees only her paired children."""
    return role_of(user) == Role.VOLUNTEER


def check(user, roles: frozenset, message: str | None = None) -> None:
    """PermissionDenied (403) unless ``user``'s role is in ``roles``."""
    if not allowed(user, roles):
        raise PermissionDenied(message or DEFAULT_MESSAGES.get(roles) or _("You may not do this."))


# --- pages ----------------------------------------------------------------------------------------

def require(roles: frozenset, message: str | None = None) -> Callable:
    """View decorator: only the roles in ``roles`` (an allow-list above) get past; others get a 403 —
    except a caring mother, who is sent to her phone pages (/m/, :data:`PHONE_HOME`) from any page
    whose allow-list does not name her: the federation's pages show full names and addresses, hers
    only given names. The view remembers its allow-list (``view.access``) for the access-matrix test."""

    def decorator(view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if Role.VOLUNTEER not in roles and is_volunteer(request.user):
                return redirect(PHONE_HOME)
            check(request.user, roles, message)
            return view(request, *args, **kwargs)

        guarded.access = roles
        return guarded

    return decorator


# --- the API --------------------------------------------------------------------------------------

class DenyAll(BasePermission):
    """The REST framework's default: an API view that names no permission admits nobody."""

    def has_permission(self, request, view) -> bool:
        return False


class RolePermission(BasePermission):
    """Admits the roles of ``read`` to safe methods and those of ``write`` to the others."""

    read: frozenset = frozenset()
    write: frozenset = frozenset()

    def has_permission(self, request, view) -> bool:
        return allowed(request.user, self.read if request.method in SAFE_METHODS else self.write)


class PhoneListsUnfiltered:
    """API view mixin: a caring mother's lists (her few children, pairings, activities) take no query
    filters — searching by surname or region would tell her what her serializers leave out."""

    def filter_queryset(self, queryset):
        if is_volunteer(self.request.user):
            return queryset
        return super().filter_queryset(queryset)


def api_roles(read: frozenset, write: frozenset | None = None) -> type[RolePermission]:
    """A permission class for an API view: ``read`` roles read, ``write`` roles (default: the same)
    change."""
    name = "Allow" + "".join(sorted(r.title() for r in read)) + ("Write" + "".join(
        sorted(r.title() for r in write)) if write is not None else "")
    return type(name, (RolePermission,), {"read": read, "write": read if write is None else write})
