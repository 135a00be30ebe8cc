"""Fixtures for casework (case plans, actions, consents, referrals). The children, volunteer and pairing
fixtures live in sibling conftests and are imported here.

``red_child``: 王小雨 of 东关村 (离石区), assessed red ten days before the pinned day, paired with
``volunteer_mother_lishi`` (the caring mother who logs in as ``volunteer_lishi``) as her lead.
``plan``: her open case plan, made by ``staff_lishi``.
"""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from casework import services
from children import services as child_services
from tests.children.conftest import child_lishi, child_yuci, make_child  # noqa: F401
from tests.pairing.conftest import pair  # noqa: F401
from tests.volunteers.conftest import make_volunteer, volunteer_mother_lishi  # noqa: F401


def assess(actor, child, color: str, *, on: date):
    return child_services.child_assess(actor=actor, child=child, color=color, reasons=["safety"], assessed_on=on)


@pytest.fixture
def local_today() -> date:
    return timezone.localdate()


@pytest.fixture
def red_child(child_lishi, staff_lishi, volunteer_mother_lishi, pair, local_today):  # noqa: F811
    assess(staff_lishi, child_lishi, "red", on=local_today - timedelta(days=10))
    pair(child_lishi, volunteer_mother_lishi, started_on=local_today - timedelta(days=30))
    child_lishi.refresh_from_db()
    return child_lishi


@pytest.fixture
def red_child_yuci(child_yuci, staff_yuci, local_today):  # noqa: F811
    assess(staff_yuci, child_yuci, "red", on=local_today - timedelta(days=10))
    child_yuci.refresh_from_db()
    return child_yuci


@pytest.fixture
def plan(red_child, staff_lishi, local_today):
    return services.plan_create(actor=staff_lishi, child=red_child, goals="稳定学业，改善监护",
                                review_on=local_today + timedelta(days=30))


@pytest.fixture
def action(plan, staff_lishi, local_today):
    return services.action_add(actor=staff_lishi, plan=plan, description="联系学校班主任", owner=staff_lishi,
                               due_on=local_today + timedelta(days=7))


@pytest.fixture
def referral(red_child, staff_lishi):
    return services.referral_create(actor=staff_lishi, child=red_child, department="education",
                                    organisation="离石区教育局", reason="有辍学风险",
                                    consent_override_reason="监护人外出务工，联系不上")
