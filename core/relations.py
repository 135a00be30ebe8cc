"""Related rows already in hand, cached on an instance as ``prefetch_related`` would have loaded them.

A service that has just written an object and its related rows can hand it back ready to show: reading
``instance.<name>.all()`` then takes no query, as after a prefetch."""

from collections.abc import Iterable

from django.db import models


def cache_related(instance: models.Model, name: str, rows: Iterable[models.Model]) -> None:
    """Make ``instance.<name>.all()`` (a reverse foreign key or a many-to-many) answer ``rows`` without a
    query, the way ``prefetch_related`` fills it (django.db.models.query.prefetch_one_level)."""
    queryset = getattr(instance, name).all()  # lazy: no query
    queryset._result_cache = list(rows)
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = queryset
