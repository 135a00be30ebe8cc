"""The accounts pages' allow-lists (core.access) and the navigation built from the same lists."""

import pytest
from django.urls import resolve, reverse

from core.access import MANAGE, SIGNED_IN

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    ("accounts:user-list", []), ("accounts:user-create", []), ("accounts:region-list", []),
    ("accounts:region-detail", ["141102000000"]), ("accounts:audit-list", []),
]


def nav_urls(client) -> set[str]:
    return {url for _label, url in client.get(reverse("home")).context["nav_items"]}


@pytest.mark.parametrize(("name", "args", "roles"), [
    ("home", [], SIGNED_IN), ("password_change", [], SIGNED_IN),
    *[(name, args, MANAGE) for name, args in ADMIN_PAGES],
    ("accounts:user-detail", [1], MANAGE), ("accounts:user-deactivate", [1], MANAGE),
    ("accounts:user-reactivate", [1], MANAGE),
])
def test_every_accounts_page_names_its_allow_list(name, args, roles):
    assert resolve(reverse(name, args=args)).func.access == roles


@pytest.mark.parametrize(("name", "args"), ADMIN_PAGES)
@pytest.mark.parametrize("actor", ["staff_lishi", "viewer_lvliang"])
def test_only_administrators_open_the_admin_pages(request, client, actor, name, args):
    client.force_login(request.getfixturevalue(actor))
    assert client.get(reverse(name, args=args)).status_code == 403


@pytest.mark.parametrize(("name", "args"), ADMIN_PAGES)
def test_a_caring_mother_is_sent_from_the_admin_pages_to_her_phone_pages(client, volunteer_lishi, name, args):
    client.force_login(volunteer_lishi)
    response = client.get(reverse(name, args=args))
    assert (response.status_code, response["Location"]) == (302, reverse("phone:home"))


def test_a_caring_mothers_home_is_her_phone_page(client, volunteer_lishi):
    client.force_login(volunteer_lishi)
    response = client.get(reverse("home"))
    assert (response.status_code, response.url) == (302, reverse("phone:home"))


def test_a_superuser_has_the_federation_home(client, superuser):
    client.force_login(superuser)
    assert client.get(reverse("home")).status_code == 200


def test_a_viewer_navigates_the_federation_pages_but_not_the_users(client, viewer_lvliang):
    client.force_login(viewer_lvliang)
    urls = nav_urls(client)
    assert reverse("children:list") in urls and reverse("accounts:user-list") not in urls


def test_an_admin_is_offered_the_admin_site(client, admin_lishi):
    client.force_login(admin_lishi)
    assert reverse("admin:index") in nav_urls(client)


def test_staff_are_not_offered_the_admin_site(client, staff_lishi):
    client.force_login(staff_lishi)
    assert reverse("admin:index") not in nav_urls(client)


def test_the_admin_site_keeps_a_logins_user_name(client, admin_lishi, staff_lishi):
    client.force_login(admin_lishi)
    client.post(reverse("admin:accounts_user_change", args=[staff_lishi.pk]),
                {"username": "renamed", "name": "李敏", "phone": "", "role": "staff", "region": "141102000000"})
    staff_lishi.refresh_from_db()
    assert staff_lishi.username == "staff_lishi"
