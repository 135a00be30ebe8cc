"""Rebuild the analytics table (reports.analytics) for the last ``--months`` months up to the current
one, in this process: after a bulk load, or to fill the table on a new installation (afterwards the
nightly task and the changes keep it up to date)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core import months
from reports import analytics


class Command(BaseCommand):
    help = "Rebuild the statistics analytics table for the last N months (default 12), the current one included."

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=12, help="How many months, the current one included (1–60).")

    def handle(self, *args, **options):
        count = options["months"]
        if not 1 <= count <= 60:
            raise CommandError(_("--months must be between 1 and 60."))
        for build, seconds in analytics.stats_recent_rebuild(count=count):
            self.stdout.write(_("%(month)s: %(rows)s rows in %(seconds).1f s")
                              % {"month": months.label(build.month), "rows": build.rows, "seconds": seconds})

