"""Guardians' consents (casework.consents) for the demo: most children's guardians agreed to keeping their
information and to photos when they entered the programme, some also to sharing with other departments;
a few never gave one (the home page counts them), a few withdrew theirs later."""

import random
from datetime import timedelta

from django.utils.translation import gettext as _

from casework.models import ConsentMethod, GuardianConsent
from children.models import Guardian
from demo.children import ChildPlan, staff_by_county
from demo.context import SeedContext

WITNESSES = ("村妇联主席", "村委会委员", "学校班主任", "村医")


def seed_consents(ctx: SeedContext) -> dict[str, int]:
    children: dict[str, list[ChildPlan]] = ctx.extra["children"]
    staff = staff_by_county(ctx)
    first_guardian = {child_id: (name, relation) for child_id, name, relation in
                      Guardian.objects.filter(position=0).values_list("child_id", "name", "relation")}
    writer = ctx.bulk.writer(GuardianConsent)
    bar = ctx.progress(len(children))
    for township_code in sorted(children):
        bar.advance()
        rng = random.Random(f"{ctx.seed}:consents:{township_code}")
        for plan in children[township_code]:
            recorder = staff.get(plan.county_id)
            guardian = first_guardian.get(plan.id)
            if recorder is None or guardian is None or (not plan.pinned and rng.random() < 0.08):
                continue  # no consent on record yet
            given_on = plan.entered_on + timedelta(days=rng.randint(0, 20))
            if given_on > ctx.today:
                given_on = plan.entered_on
            withdrawn = None
            if not plan.pinned and rng.random() < 0.03 and given_on + timedelta(days=60) < ctx.today:
                withdrawn = given_on + timedelta(days=rng.randint(30, 60))
            writer.add_instance(GuardianConsent(
                child_id=plan.id, given_by=guardian[0], relation=guardian[1][:20], given_on=given_on,
                processing=True, photos=True, sharing=plan.pinned or rng.random() < 0.35,
                method=ConsentMethod.VERBAL, witness=rng.choice(WITNESSES), recorded_by_id=recorder,
                withdrawn_on=withdrawn, withdrawn_by_id=recorder if withdrawn else None))
    writer.flush()
    bar.close()
    return {_("guardians' consents"): writer.count}
