"""The one place that turns a user into the rows they may see.

Each model over people has a queryset built on :class:`ScopedQuerySet`, whose ``visible_to(user)`` is
THE scoping entry point: federation roles (core.access.READ) see the rows of their region subtree,
a caring mother (core.access.PHONE) the rows her model's :meth:`ScopedQuerySet.for_volunteer` gives,
and everybody else nothing. Views, API endpoints, exports, reports and tasks read through it only, so
an object outside the caller's scope does not exist for them (404).
"""

from django.db import models
from django.db.models import QuerySet

from core.access import PHONE, READ, SIGNED_IN, role_of
from core.regioncodes import subtree_q


def restrict_to_subtree(queryset: QuerySet, user, field: str = "region") -> QuerySet:
    """Rows of ``queryset`` whose ``field`` (a region FK or code) lies under the user's region.

    Superusers see everything; anonymous or inactive users, users of a role no allow-list knows and
    users without a region, nothing.
    """
    if role_of(user) not in SIGNED_IN:
        return queryset.none()
    if user.is_superuser:
        return queryset
    if not user.region_id:
        return queryset.none()
    return queryset.filter(subtree_q(field, user.region_id))


class ScopedQuerySet(models.QuerySet):
    """Default-deny scoping. Subclasses name where the row's region is (``region_field``) and, if
    caring mothers may see any rows, override :meth:`for_volunteer`."""

    # The path from the row to its region (a Region FK or a 12-digit code).
    region_field = "region"

    def visible_to(self, user):
        role = role_of(user)
        if role in READ:
            return restrict_to_subtree(self, user, self.region_field)
        if role in PHONE:
            return self.for_volunteer(user)
        return self.none()

    def for_volunteer(self, user):
        """The rows a caring mother (a signed-in volunteer) sees: none unless the model says so."""
        return self.none()
