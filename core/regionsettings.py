"""Settings a region may give itself, the nearest region's winning (a county's over its province's):
the contact rhythm (activities.rhythm) and the yearly commitments (pairing.commitments) read them alike."""

from collections.abc import Iterable, Mapping
from typing import TypeVar

from django.db.models import Q

from core.regioncodes import ancestor_codes, subtree_q

T = TypeVar("T")


def nearest(settings_by_code: Mapping[str, T], region_code: str | None) -> T | None:
    """The setting of ``region_code`` or of its nearest ancestor that has one; None when none has."""
    if region_code:
        for code in (region_code, *ancestor_codes(region_code)):
            if code in settings_by_code:
                return settings_by_code[code]
    return None


def covering(region_codes: Iterable[str] = (), *, subtree_of: str | None = None) -> Q | None:
    """The condition on a ``region`` field that selects the settings of ``region_codes`` and of all their
    ancestors, plus every setting under ``subtree_of``; None when nothing is asked for."""
    codes = set()
    for code in [*region_codes, *([subtree_of] if subtree_of else [])]:
        codes.add(code)
        codes.update(ancestor_codes(code))
    if not codes:
        return None
    condition = Q(region_id__in=codes)
    if subtree_of:
        condition |= subtree_q("region", subtree_of)
    return condition
