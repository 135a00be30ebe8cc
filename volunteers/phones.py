"""Who sees a caring mother's full mobile number: editors (core.access.EDIT); read-only roles see it
masked (accounts.phone.mask_mobile)."""

from accounts.phone import mask_mobile
from core.access import EDIT, allowed


def shown_phone(user, phone: str) -> str:
    """A number as ``user`` may see it on the roster pages."""
    return phone if allowed(user, EDIT) else mask_mobile(phone)


def phones_shown(user, volunteer) -> bool:
    """Whether ``user`` sees the full numbers of ``volunteer`` and her helpers: editors do, and so does
    she herself (through the API)."""
    return user is None or allowed(user, EDIT) or (volunteer.user_id is not None and volunteer.user_id == user.pk)
