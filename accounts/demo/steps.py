"""The seeding steps, in order, and the runner.

A step is a function ``step(ctx: SeedContext) -> dict[str, int]`` returning how many rows it made
of each kind (label → count). To add one (children, volunteers, pairings, activities …), write it
in the app it belongs to and append its dotted path to :data:`STEPS`; dotted paths keep this
module free of imports from apps that build on ``accounts``.

The runner runs every step inside one transaction (a failed run leaves nothing behind, so it can
simply be run again) and each step in its own savepoint, and prints per step the rows made and the
time taken.
"""

import random
import time

from django.db import transaction
from django.utils.module_loading import import_string

from accounts.demo.context import SeedContext

STEPS: list[str] = [
    "accounts.demo.regions.seed_regions",
    "accounts.demo.users.seed_users",
    "children.demo.seed_children",
    "volunteers.demo.seed_volunteers",
    "pairing.demo.seed_pairings",
    "children.demo.seed_needs",
    "activities.demo.seed_activities",
]


def step_name(path: str) -> str:
    return path.rsplit(".", 1)[1].removeprefix("seed_")


def run_steps(ctx: SeedContext, steps: list[str] | None = None) -> dict[str, int]:
    """Run ``steps`` (default :data:`STEPS`) in order; return the rows made per label, over all steps."""
    totals: dict[str, int] = {}
    with transaction.atomic():
        for path in STEPS if steps is None else steps:
            name = step_name(path)
            ctx.rng = random.Random(f"{ctx.seed}:{name}")
            started = time.perf_counter()
            with transaction.atomic():
                made = import_string(path)(ctx)
            elapsed = time.perf_counter() - started
            detail = ", ".join(f"{count:,} {label}" for label, count in made.items()) or "-"
            ctx.stdout.write(f"  {name:<12} {detail} ({elapsed:.1f} s)")
            for label, count in made.items():
                totals[label] = totals.get(label, 0) + count
    return totals
