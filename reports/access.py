"""Who may use the monthly reports and the statistics — the federation's staff, leaders and
administrators (core.access.READ) — and what everyone else is told, on the pages, in the API and by
the services alike."""

from django.utils.translation import gettext_lazy

REPORTS_DENIED = gettext_lazy("Reports are for federation staff and leaders.")
STATS_DENIED = gettext_lazy("The statistics are for federation staff and leaders.")
