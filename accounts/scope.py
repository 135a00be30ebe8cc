"""The one place that turns a user into the part of the region tree they may see.

Each model over people exposes ``Model.objects.visible_to(user)`` and builds it on
:func:`restrict_to_subtree`; views, API endpoints, exports and tasks read through those querysets
only, so an object outside the caller's subtree does not exist for them (404).
"""

from django.db.models import QuerySet

from accounts.regioncodes import subtree_q


def has_region_access(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def restrict_to_subtree(queryset: QuerySet, user, field: str = "region") -> QuerySet:
    """Rows of ``queryset`` whose ``field`` (a region FK or code) lies under the user's region.

    Superusers see everything; anonymous or inactive users, and users without a region, nothing.
    """
    if not has_region_access(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    if not user.region_id:
        return queryset.none()
    return queryset.filter(subtree_q(field, user.region_id))
