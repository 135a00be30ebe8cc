"""Fill the database with realistic Chinese demo data: ``seed_demo --scale small|county|province``.

Loads the real region tree first if it is missing, then runs the steps in demo.steps.
Idempotent: if the demo data is already there (the ``sx_admin`` user exists) it creates nothing.
It always ends by printing the demo logins.
"""

import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from demo.context import SeedContext
from demo.scales import SCALES
from demo.steps import run_steps
from demo.users import MARKER_USERNAME, demo_present, print_logins
from reports import analytics

# The months of the analytics table seed_demo builds (the dashboard's 12-month trend).
STATS_MONTHS = 12


class Command(BaseCommand):
    help = "Create realistic demo data (regions, users, …) at the given scale; prints the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="small",
                            help="small: two counties; county: two counties in full and parts of two cities; "
                                 "province: all 117 counties (≈1,400 townships, ≈28,000 villages).")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (the same seed gives the same data).")

    def handle(self, *args, scale: str, seed: int, **options):
        started = time.perf_counter()
        if demo_present():
            self.stdout.write(_("Demo data is already present (user %(username)s exists); nothing was created.")
                              % {"username": MARKER_USERNAME})
        else:
            self.stdout.write(_("Seeding demo data at %(scale)s scale (seed %(seed)s)…") % {"scale": scale, "seed": seed})
            ctx = SeedContext(spec=SCALES[scale], seed=seed, stdout=self.stdout)
            run_steps(ctx)
            self.stdout.write(self.style.SUCCESS(_("Demo data created in %(seconds).1f s.")
                                                 % {"seconds": time.perf_counter() - started}))
            if scale == "province":
                # A dozen builds of the province take minutes: the nightly task, or the command, makes them.
                self.stdout.write(_("The statistics of closed months are computed live until the analytics table "
                                    "is built: manage.py rebuild_stats (or the nightly task)."))
            else:
                built = analytics.stats_recent_rebuild(count=STATS_MONTHS)
                self.stdout.write(_("Analytics table built for %(count)s months in %(seconds).1f s.")
                                  % {"count": len(built), "seconds": sum(seconds for _b, seconds in built)})
        print_logins(self.stdout)
