"""The scoped queryset (core.scoping): default-deny; federation roles see their region subtree, a caring
mother what her model's ``for_volunteer`` gives (nothing unless the model says so). Exercised on real
models: children.models.Child (which lets a caring mother see her paired children) and
reports.models.ReportRun (which keeps the default: caring mothers see none)."""

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import Region, User
from accounts.roles import Role
from children.models import Child
from core.scoping import restrict_to_subtree
from reports.models import ReportFormat, ReportRun
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def visible(user) -> set[str]:
    return set(Child.objects.visible_to(user).values_list("name", flat=True))


@pytest.fixture
def two_children(child_lishi, child_yuci):
    """王小雨 in 东关村 (离石区), 张小军 in 修文镇 (榆次区)."""
    return child_lishi, child_yuci


def test_a_user_with_a_made_up_role_sees_nothing(two_children, regions):
    intruder = UserFactory(role="intruder", region=regions.shanxi)
    assert visible(intruder) == set()


def test_an_anonymous_user_sees_nothing(two_children):
    assert visible(AnonymousUser()) == set()


def test_an_inactive_administrator_sees_nothing(two_children, admin_province):
    admin_province.is_active = False
    assert visible(admin_province) == set()


def test_county_staff_see_their_county(two_children, staff_lishi):
    assert visible(staff_lishi) == {"王小雨"}


def test_county_staff_do_not_see_another_county(two_children, staff_yuci):
    assert visible(staff_yuci) == {"张小军"}


def test_a_city_viewer_sees_the_counties_below(two_children, viewer_lvliang):
    assert visible(viewer_lvliang) == {"王小雨"}


def test_a_provincial_administrator_sees_the_whole_province(two_children, admin_province):
    assert visible(admin_province) == {"王小雨", "张小军"}


def test_a_superuser_sees_everything(two_children, superuser):
    assert visible(superuser) == {"王小雨", "张小军"}


def test_a_village_user_sees_nothing_above_the_village(make_child, staff_lishi, regions):
    make_child(staff_lishi, name="镇上的孩子", region_code=regions.lishi_township.code)
    make_child(staff_lishi, name="村里的孩子", region_code=regions.lishi_village.code)
    village_staff = UserFactory(role=Role.STAFF, region=regions.lishi_village)
    assert visible(village_staff) == {"村里的孩子"}


def test_a_caring_mother_sees_no_unpaired_child(two_children, volunteer_mother_lishi, volunteer_lishi):
    assert visible(volunteer_lishi) == set()


def test_a_caring_mother_sees_the_child_she_is_paired_with(two_children, volunteer_mother_lishi, volunteer_lishi,
                                                           pair):
    pair(two_children[0], volunteer_mother_lishi)
    assert visible(volunteer_lishi) == {"王小雨"}


def test_a_caring_mother_gets_what_her_models_for_volunteer_gives(two_children, volunteer_mother_lishi,
                                                                   volunteer_lishi, pair):
    pair(two_children[0], volunteer_mother_lishi)
    assert list(Child.objects.visible_to(volunteer_lishi)) == list(Child.objects.for_volunteer(volunteer_lishi))


def test_a_model_that_says_nothing_shows_a_caring_mother_nothing(regions, volunteer_lishi, staff_lishi):
    ReportRun.objects.create(region=regions.lishi_village, month=date(2025, 3, 1), format=ReportFormat.XLSX)
    assert (ReportRun.objects.visible_to(staff_lishi).count(), ReportRun.objects.visible_to(volunteer_lishi).count()) \
        == (1, 0)


def test_restrict_to_subtree_shows_a_user_without_a_region_nothing(two_children):
    regionless = User(username="regionless", role=Role.STAFF, region=None)
    assert not restrict_to_subtree(Child.objects.all(), regionless).exists()


def test_restrict_to_subtree_follows_a_code_field(regions, staff_lishi):
    codes = set(restrict_to_subtree(Region.objects.all(), staff_lishi, "code").values_list("code", flat=True))
    assert codes == {regions.lishi.code, regions.lishi_township.code, regions.lishi_village.code}
