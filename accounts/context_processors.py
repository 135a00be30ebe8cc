"""The navigation: defined once here (:data:`NAVIGATION`), shown in the side bar (≥1024 px), the ☰ menu
and the breadcrumb trail (templates/base.html). A link is shown only to the roles its view's allow-list
admits — read from the view itself (``view.access``, set by core.access.require), so the navigation
and the guard cannot disagree."""

from functools import lru_cache

from django.urls import resolve, reverse
from django.utils.translation import gettext_lazy as _

from core.access import MANAGE, READ, allowed, role_of

# (group label, ((item label, URL name), ...)); the group None is the home page, above every group.
NAVIGATION = (
    (None, ((_("Home"), "home"),)),
    (_("Ledgers"), (
        (_("Children ledger"), "children:list"),
        (_("Risk board"), "children:risk-board"),
        (_("Urgent reports"), "alerts:list"),
        (_("Urgent needs"), "children:need-list"),
        (_("Transfers"), "children:transfers"),
        (_("Upcoming anonymisations"), "children:retention"),
    )),
    (_("Caring mothers and pairings"), (
        (_("Caring mothers"), "volunteers:list"),
        (_("Trainings"), "volunteers:training-list"),
        (_("Pairings"), "pairing:list"),
        (_("Coverage"), "pairing:coverage"),
    )),
    (_("Care services"), (
        (_("Activities"), "activities:list"),
        (_("Overdue contacts"), "rhythm:overdue"),
        (_("Notifications"), "rhythm:notifications"),
    )),
    (_("Statistics and reports"), (
        (_("Statistics"), "reports:dashboard"),
        (_("Monthly reports"), "reports:list"),
        (_("Monthly submissions"), "submissions:month"),
        (_("My exports"), "exports:list"),
    )),
    (_("Administration"), (
        (_("Users"), "accounts:user-list"),
        (_("Regions"), "accounts:region-list"),
        (_("Audit log"), "accounts:audit-list"),
        (_("Admin site"), "admin:index"),
    )),
)


@lru_cache
def access_of(url_name: str) -> frozenset:
    """The roles the view behind ``url_name`` admits (its ``.access``). Django's admin site has no
    ``require`` guard: it admits administrators whose account is ``is_staff`` (see :func:`admits`)."""
    if url_name.startswith("admin:"):
        return MANAGE
    return resolve(reverse(url_name)).func.access


def admits(user, url_name: str) -> bool:
    """Whether the page ``url_name`` lets ``user`` in: the view's own allow-list."""
    if not allowed(user, access_of(url_name)):
        return False
    # Django's admin site admits only is_staff accounts (accounts.services sets it for admins).
    return user.is_staff if url_name.startswith("admin:") else True


def visible_navigation(user) -> list[tuple]:
    """``[(group label, [(label, url, url name), ...]), ...]``: the groups and links ``user`` may open."""
    groups = []
    for group, items in NAVIGATION:
        links = [(label, reverse(name), name) for label, name in items if admits(user, name)]
        if links:
            groups.append((group, links))
    return groups


def current_link(groups: list[tuple], path: str):
    """``(group, label, url, exact)`` of the section ``path`` is in: the link whose URL is the longest
    prefix of ``path`` (the home page only for itself); None outside every section."""
    best = None
    for group, links in groups:
        for label, url, _name in links:
            if (path == url or (url != "/" and path.startswith(url))) and (best is None or len(url) > len(best[2])):
                best = (group, label, url, path == url)
    return best


def navigation(request):
    """The navigation entries a user's role gives them, the current section, and whether the federation
    navigation (side bar, breadcrumb trail) is shown — caring mothers have their phone tab bar instead."""
    user = getattr(request, "user", None)
    if role_of(user) is None:
        return {"nav_items": [], "nav_groups": [], "nav_current": None}
    groups = visible_navigation(user)
    items = [(label, url) for _group, links in groups for label, url, _name in links]
    if not allowed(user, READ):
        return {"nav_items": items, "nav_groups": [], "nav_current": None}
    current = current_link(groups, request.path)
    return {"nav_items": items, "nav_groups": groups, "nav_current": current}
