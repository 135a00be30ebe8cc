"""Who may use the pairing pages and services: each page names its allow-list (core.access), pairing
and ending are for admins and staff only, and the list's region filter is core.regions' picker."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import resolve, reverse

from core.access import EDIT, READ
from pairing import services
from pairing.models import Pairing, PairingRole

pytestmark = pytest.mark.django_db

EDIT_REFUSAL = "您的角色只能查看结对信息，不能修改。"  # "Your role can read pairings but not change them."


@pytest.mark.parametrize(("name", "args", "roles"), [
    ("pairing:list", [], READ),
    ("pairing:coverage", [], READ),
    ("pairing:suggest", [1], READ),
    ("pairing:confirm", [1], EDIT),
    ("pairing:create", [1], EDIT),
    ("pairing:detail", [1], READ),
    ("pairing:end", [1], EDIT),
    ("pairing:card", [1], READ),
])
def test_each_pairing_page_names_its_allow_list(name, args, roles):
    assert resolve(reverse(name, args=args)).func.access == roles


def test_a_caring_mother_may_not_pair(client, volunteer_lishi, child_lishi, mother_lishi):
    client.force_login(volunteer_lishi)
    response = client.post(reverse("pairing:create", args=[child_lishi.pk]),
                           {"choice": f"{mother_lishi.pk}:lead", "started_on": "2025-03-01"})
    assert (response.status_code, response["Location"]) == (302, reverse("phone:home"))
    assert not Pairing.objects.exists()


def test_a_caring_mother_may_not_end_her_own_pairing(client, pair, volunteer_lishi, volunteer_mother_lishi,
                                                     child_lishi):
    pairing = pair(child_lishi, volunteer_mother_lishi)
    client.force_login(volunteer_lishi)
    response = client.post(reverse("pairing:end", args=[pairing.pk]),
                           {"ended_on": "2025-06-01", "end_reason": "other"})
    assert (response.status_code, response["Location"]) == (302, reverse("phone:home"))
    pairing.refresh_from_db()
    assert pairing.is_active


def test_a_viewer_is_refused_pairing_before_the_child_is_looked_up(client, viewer_lvliang, child_yuci,
                                                                   mother_yuci):
    """Outside her area or not, a read-only role learns nothing about the child: 403, not 404."""
    client.force_login(viewer_lvliang)
    response = client.post(reverse("pairing:create", args=[child_yuci.pk]),
                           {"choice": f"{mother_yuci.pk}:lead", "started_on": "2025-03-01"})
    assert response.status_code == 403


def test_a_read_only_role_is_told_it_cannot_change_pairings(viewer_lvliang, child_lishi, mother_lishi):
    with pytest.raises(PermissionDenied, match=EDIT_REFUSAL):
        services.pairing_create(actor=viewer_lvliang, child=child_lishi, volunteer=mother_lishi,
                                role=PairingRole.LEAD)


def test_a_deactivated_staff_member_cannot_pair(staff_lishi, child_lishi, mother_lishi):
    staff_lishi.is_active = False
    with pytest.raises(PermissionDenied):
        services.pairing_create(actor=staff_lishi, child=child_lishi, volunteer=mother_lishi,
                                role=PairingRole.LEAD)
    assert not Pairing.objects.exists()


def test_the_region_filter_is_the_users_region_and_below(client, staff_lishi, regions):
    client.force_login(staff_lishi)
    codes = [code for code, _label in client.get(reverse("pairing:list")).context["region_options"]]
    assert codes == [regions.lishi.code, regions.lishi_township.code]


def test_a_caring_mother_is_sent_from_the_pairings_to_her_phone_pages(client, volunteer_lishi):
    client.force_login(volunteer_lishi)
    response = client.get(reverse("pairing:list"))
    assert (response.status_code, response["Location"]) == (302, reverse("phone:home"))


def test_the_child_page_links_each_current_pairing_for_a_viewer(client, pair, viewer_lvliang, child_lishi,
                                                               mother_lishi):
    pairing = pair(child_lishi, mother_lishi)
    client.force_login(viewer_lvliang)
    html = client.get(reverse("children:detail", args=[child_lishi.pk])).content.decode()
    assert reverse("pairing:detail", args=[pairing.pk]) in html
