"""The seeding steps, in order, and the runner.

A step is a function ``step(ctx: SeedContext) -> dict[str, int]`` returning how many rows it made
of each kind (label → count). To add one, write it in a module of this app and append the function
to :data:`STEPS`. ``demo`` sits above every other app, so it imports their models and services
directly; no other app imports ``demo``.

The runner runs every step inside one transaction (a failed run leaves nothing behind, so it can
simply be run again) and each step in its own savepoint, and prints per step the rows made and the
time taken. Steps write their big tables through ``ctx.bulk`` (:mod:`demo.copywriter`); after the
last step the runner has it put back the indexes and foreign keys it set aside on PostgreSQL
(printed as the ``indexes`` step), still inside the transaction.
"""

import random
import time
from collections.abc import Callable, Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from demo.activities import seed_activities
from demo.children import seed_children, seed_needs
from demo.consents import seed_consents
from demo.context import SeedContext
from demo.pairing import seed_pairings
from demo.regions import seed_regions
from demo.users import seed_users
from demo.volunteers import seed_volunteers

Step = Callable[[SeedContext], dict[str, int]]

STEPS: list[Step] = [
    seed_regions,
    seed_users,
    seed_children,
    seed_volunteers,
    seed_pairings,
    seed_needs,
    seed_consents,
    seed_activities,
]


def step_name(step: Step) -> str:
    """``seed_children`` → ``children``: the label printed and the name the step's RNG is seeded with."""
    return step.__name__.removeprefix("seed_")


def run_steps(ctx: SeedContext, steps: Sequence[Step] | None = None) -> dict[str, int]:
    """Run ``steps`` (default :data:`STEPS`) in order; return the rows made per label, over all steps."""
    totals: dict[str, int] = {}
    with transaction.atomic():
        for step in STEPS if steps is None else steps:
            name = step_name(step)
            ctx.rng = random.Random(f"{ctx.seed}:{name}")
            ctx.step = name
            started = time.perf_counter()
            with transaction.atomic():
                made = step(ctx)
                ctx.bulk.flush()
            _report(ctx, name, made, time.perf_counter() - started)
            for label, count in made.items():
                totals[label] = totals.get(label, 0) + count
        if ctx.bulk.pending():
            ctx.step = "indexes"
            started = time.perf_counter()
            with ctx.progress(ctx.bulk.pending()) as bar:
                made = ctx.bulk.finish(advance=bar.advance)
            _report(ctx, ctx.step, {_("indexes rebuilt"): made["indexes"],
                                    _("foreign keys checked"): made["foreign keys"]}, time.perf_counter() - started)
    return totals


def _report(ctx: SeedContext, name: str, made: dict[str, int], elapsed: float) -> None:
    detail = ", ".join(f"{count:,} {label}" for label, count in made.items()) or "-"
    ctx.stdout.write(f"  {name:<12} {detail} ({elapsed:.1f} s)")
