"""The roster's words for refusals. Who is allowed is core.access's allow-lists (READ for the staff
pages, EDIT for changes); these are the messages a refused user reads."""

from django.utils.translation import gettext_lazy as _

# Refused by a READ guard: a caring mother with a login has her own pages, not these.
STAFF_ONLY = _("The roster is for federation staff.")
# Refused by an EDIT guard or check: read-only leaders (and anyone else outside EDIT).
READ_ONLY = _("Your role can read the roster but not change it.")
