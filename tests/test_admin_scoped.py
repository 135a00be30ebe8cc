"""Django admin is on, and for non-superusers it is scoped like everything else."""

import pytest
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_staff_role_cannot_use_the_admin_site(client, staff_lishi):
    client.force_login(staff_lishi)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302  # to the admin login: no admin access


def test_admin_changelist_lists_only_the_subtree(client, admin_lishi, staff_lishi, staff_yuci):
    client.force_login(admin_lishi)
    page = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert staff_lishi.username in page
    assert staff_yuci.username not in page


def test_admin_change_page_outside_scope_is_not_reachable(client, admin_lishi, staff_yuci):
    client.force_login(admin_lishi)
    response = client.get(reverse("admin:accounts_user_change", args=[staff_yuci.pk]))
    assert response.status_code in (302, 404)  # Django admin redirects "does not exist" to the index
    assert staff_yuci.username not in response.content.decode()


def test_admin_add_outside_scope_is_refused(client, admin_lishi, regions):
    client.force_login(admin_lishi)
    response = client.post(reverse("admin:accounts_user_add"), {
        "username": "sneaky", "role": "staff", "region": "140702000000",
        "password1": "Kx9!pl2mQ", "password2": "Kx9!pl2mQ",
    })
    assert response.status_code == 200  # the form comes back with an error
    assert not User.objects.filter(username="sneaky").exists()


def test_admin_add_in_scope_goes_through_the_service(client, admin_lishi, regions):
    client.force_login(admin_lishi)
    client.post(reverse("admin:accounts_user_add"), {
        "username": "ls_added", "role": "viewer", "region": "141102000000",
        "password1": "Kx9!pl2mQ", "password2": "Kx9!pl2mQ",
    })
    created = User.objects.get(username="ls_added")
    assert created.created_by_id == admin_lishi.pk
    assert created.check_password("Kx9!pl2mQ")


def test_admin_cannot_delete_users(client, admin_lishi, staff_lishi):
    client.force_login(admin_lishi)
    response = client.post(reverse("admin:accounts_user_delete", args=[staff_lishi.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert User.objects.filter(pk=staff_lishi.pk).exists()

