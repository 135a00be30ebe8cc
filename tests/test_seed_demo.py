"""manage.py seed_demo (small scale only: it is what tests and first-time users run) and its name data.

The demo is seeded once for the module, on ``DEMO_DAY``, inside a transaction that is rolled back after the
module's last test; each test runs in a savepoint within it (the ``db`` fixture), so tests cannot disturb
each other and nothing leaks into later tests. Seeding into a database that already has townships is in
tests/test_seed_demo_regions.py: it needs a database without the demo.
"""

import base64
import random
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Region, RegionLevel, User
from accounts.roles import Role
from core import months, regioncodes
from demo import places
from demo.users import DEMO_OTP_SECRET, print_logins
from tests import clock

LISHI, YUCI = "141102000000", "140702000000"


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", scale="small", stdout=out, **options)
    return out.getvalue()


# The day the demo is seeded on (its dates are relative to it); the tests run on the same day.
DEMO_DAY = clock.DEFAULT_TODAY


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker) -> Iterator[str]:
    """``seed_demo --scale small`` once for the module (what it printed); rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        with clock.pinned(DEMO_DAY):
            output = seed()
        yield output
        transaction.set_rollback(True)


@pytest.fixture
def seeded(demo_output, db) -> str:
    """The module's demo data, the test in a savepoint within it; what the first run printed."""
    return demo_output


def test_the_demo_logins_have_their_roles_and_regions(seeded):
    got = {u.username: (u.role, u.region_id) for u in User.objects.filter(
        username__in=["sx_admin", "ll_viewer", "ls_admin", "ls_staff", "yc_staff"])}
    assert got == {
        "sx_admin": (Role.ADMIN, "140000000000"),
        "ll_viewer": (Role.VIEWER, "141100000000"),
        "ls_admin": (Role.ADMIN, LISHI),
        "ls_staff": (Role.STAFF, LISHI),
        "yc_staff": (Role.STAFF, YUCI),
    }


def test_admin_is_a_superuser_without_a_region(seeded):
    admin = User.objects.get(username="admin")
    assert (admin.is_superuser, admin.is_staff, admin.region_id) == (True, True, None)


def test_only_admin_role_users_may_use_the_django_admin(seeded):
    staff_flags = dict(User.objects.filter(is_superuser=False).values_list("username", "is_staff"))
    assert staff_flags == {"sx_admin": True, "ll_viewer": False, "ls_admin": True, "ls_staff": False,
                           "yc_staff": False, "volunteer": False}


def test_the_volunteer_login_works_in_a_village_of_lishi(seeded):
    volunteer = User.objects.select_related("region").get(username="volunteer")
    assert (volunteer.role, volunteer.region.level) == (Role.VOLUNTEER, RegionLevel.VILLAGE)
    assert regioncodes.in_subtree(LISHI, volunteer.region_id)


def test_every_demo_login_has_the_demo_password_a_name_and_a_mobile_number(seeded):
    for user in User.objects.all():
        assert user.check_password("Demo@2026"), user.username
        assert user.name and len(user.phone) == 11, user.username


def test_villages_sit_under_townships_of_the_two_real_counties(seeded):
    villages = Region.objects.filter(level=RegionLevel.VILLAGE).select_related("parent__parent")
    assert villages.count() >= 50
    assert {(v.parent.level, v.parent.parent_id) for v in villages} == {
        (RegionLevel.TOWNSHIP, LISHI), (RegionLevel.TOWNSHIP, YUCI)}


def test_lishi_gets_about_ten_of_its_real_townships(seeded):
    names = list(Region.objects.filter(parent_id=LISHI).values_list("name", flat=True))
    assert len(names) == 10
    assert set(names) <= set(places.REAL_TOWNSHIPS["141102"])


def test_a_second_run_creates_nothing_and_says_so(seeded):
    before = (Region.objects.count(), User.objects.count())
    output = seed()
    assert (Region.objects.count(), User.objects.count()) == before
    assert "sx_admin" in output.split("\n")[0]


def test_the_logins_are_printed_after_seeding(seeded):
    for username in ("admin", "sx_admin", "ll_viewer", "ls_admin", "ls_staff", "yc_staff", "volunteer"):
        assert username in seeded
    assert "Demo@2026" in seeded


def test_the_logins_are_printed_again_on_a_second_run(seeded):
    assert "ls_staff" in seed()


def test_the_real_regions_are_loaded_when_missing(seeded):
    assert Region.objects.filter(level=RegionLevel.COUNTY).count() == 117


# --- the name data ---------------------------------------------------------------------------------

def test_real_township_codes_follow_the_street_town_xiang_convention():
    coded = dict(places.townships(random.Random(1), county_code=LISHI, county_name="离石区", count=None))
    assert (coded["141102001000"], coded["141102100000"], coded["141102200000"]) == ("滨河街道", "信义镇", "枣林乡")


def test_made_up_townships_are_distinct_and_coded_by_kind():
    coded = places.townships(random.Random(3), county_code="141121000000", county_name="文水县", count=14)
    stems = {name.removesuffix(places.kind_of(name)) for _code, name in coded}
    assert len(stems) == 14
    start = {places.STREET: 1, places.TOWN: 100, places.XIANG: 200}
    for code, name in coded:
        number = int(code[6:9])
        assert start[places.kind_of(name)] <= number < start[places.kind_of(name)] + 100, (code, name)


def test_villages_are_numbered_communities_first_then_villages():
    coded = places.villages(random.Random(5), township_code="141102100000", township_name="信义镇", count=20)
    for code, name in coded:
        assert code[:9] == "141102100"
        assert (int(code[9:]) >= 200) == name.endswith("村"), (code, name)


def test_the_same_seed_gives_the_same_names():
    first = places.villages(random.Random(9), township_code="140702200000", township_name="郭家堡乡", count=15)
    again = places.villages(random.Random(9), township_code="140702200000", township_name="郭家堡乡", count=15)
    assert first == again


def test_the_named_demo_administrators_have_the_demo_authenticator(seeded):
    """Two-factor login (OTP_REQUIRED_ROLES): a newcomer gets the code from the printed demo secret."""
    enrolled = {d.user.username: d.key for d in TOTPDevice.objects.select_related("user")}
    assert enrolled == dict.fromkeys(["admin", "sx_admin", "ls_admin"], base64.b32decode(DEMO_OTP_SECRET).hex())


def test_the_login_table_says_how_to_get_the_demo_code(seeded, settings):
    settings.OTP_REQUIRED_ROLES = frozenset({"admin"})
    out = StringIO()
    print_logins(out)
    assert DEMO_OTP_SECRET in out.getvalue()


def test_the_analytics_table_gives_the_live_figures_on_the_demo(seeded):
    from reports import analytics, stats, statstable

    closed = months.months_ending(months.previous_month(DEMO_DAY), 3)
    for month in closed:
        analytics.stats_month_rebuild(month=month)
    assert statstable.table_months(closed).fresh == frozenset(closed)
    township = Region.objects.filter(parent=LISHI).order_by("code").first()
    for code in ("140000000000", "141100000000", LISHI, YUCI, township.code):
        region = Region.objects.get(pk=code)
        for month in closed:
            assert (stats.region_stats(region=region, month=month)
                    == stats.region_stats(region=region, month=month, live=True)), (code, month)
        assert (stats.monthly_trend(region=region, month=closed[-1])
                == stats.monthly_trend(region=region, month=closed[-1], live=True))
    assert stats.region_stats(region=Region.objects.get(pk=LISHI), month=closed[-1])["activities"] > 0
