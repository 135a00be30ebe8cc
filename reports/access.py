"""Who may use the monthly reports and the statistics — the federation's staff, leaders and
administrators (core.access.READ) see and download them; only staff and administrators
(core.access.EDIT) make them (asking for a report writes a run and sets a worker to it), read-only
leaders do not — and what everyone else is told, on the pages, in the API and by the services alike."""

from django.utils.translation import gettext_lazy

REPORTS_DENIED = gettext_lazy("Reports are for federation staff and leaders.")
STATS_DENIED = gettext_lazy("The statistics are for federation staff and leaders.")
REPORTS_MAKE_DENIED = gettext_lazy("Reports are made by federation staff and administrators; "
                                   "read-only leaders can download them.")
