"""The ledger in Django admin: scoped like everything else, read-only, IDs masked."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_children_admin_lists_only_the_subtree_and_masks_ids(client, admin_lishi, child_lishi, child_yuci):
    client.force_login(admin_lishi)
    page = client.get(reverse("admin:children_child_changelist")).content.decode()
    assert child_lishi.name in page
    assert child_yuci.name not in page
    assert child_lishi.id_number_masked in page
    assert child_lishi.reveal_id_number() not in page


def test_children_admin_is_read_only(client, admin_lishi, child_lishi):
    client.force_login(admin_lishi)
    assert client.get(reverse("admin:children_child_add")).status_code == 403
    response = client.post(reverse("admin:children_child_change", args=[child_lishi.pk]), {"name": "改名"})
    assert response.status_code == 403
    child_lishi.refresh_from_db()
    assert child_lishi.name == "王小雨"
