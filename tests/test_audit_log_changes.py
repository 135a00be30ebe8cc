"""The audit log page shows what a change changed ("field: old → new", in words) and how many times a
folded view happened ("×3", with the last time), at its fixed query count."""

import pytest
from django.urls import reverse

from accounts import services
from accounts.audit import audit_record
from accounts.models import AuditAction
from tests.factories import LISHI_VILLAGE

pytestmark = pytest.mark.django_db

URL = reverse("accounts:audit-list")


def first_row(client):
    return client.get(URL).context["page"][0]


def view_child(actor, record: str = "11"):
    return audit_record(actor=actor, action=AuditAction.VIEW, target_type="children.child", target_id=record,
                        target_label="王小雨", region_code=LISHI_VILLAGE)


def test_a_role_change_reads_in_words(client, admin_lishi, staff_lishi):
    services.user_update(actor=admin_lishi, user=staff_lishi, role="admin")
    client.force_login(admin_lishi)
    assert [(c.label, c.old, c.new) for c in first_row(client).change_items] == [("角色", "妇联工作人员", "管理员")]


def test_a_move_names_the_regions(client, admin_lishi, staff_lishi, regions):
    services.user_update(actor=admin_lishi, user=staff_lishi, region=regions.lishi_township)
    client.force_login(admin_lishi)
    assert "离石区 → 滨河街道" in client.get(URL).content.decode()


def test_a_new_users_fields_read_from_nothing(client, admin_lishi, regions):
    services.user_create(actor=admin_lishi, username="ls_new", password="Kx9!pl2mQ", role="viewer",
                         region=regions.lishi, name="刘芳")
    client.force_login(admin_lishi)
    changes = {c.label: (c.old, c.new) for c in first_row(client).change_items}
    assert changes["角色"] == ("—", "只读用户（领导、执委）")


def test_a_deactivation_reads_yes_to_no(client, admin_lishi, staff_lishi):
    services.user_deactivate(actor=admin_lishi, user=staff_lishi)
    client.force_login(admin_lishi)
    (item,) = first_row(client).change_items
    assert (item.old, item.new) == ("是", "否")


def test_a_field_the_model_does_not_have_shows_its_key(client, admin_lishi, regions):
    audit_record(actor=admin_lishi, action=AuditAction.UPDATE, target_type="elsewhere.thing", target_id="1",
                 region_code=LISHI_VILLAGE, changes={"colour": ("red", "green")})
    client.force_login(admin_lishi)
    assert [(c.label, c.old, c.new) for c in first_row(client).change_items] == [("colour", "red", "green")]


def test_a_folded_view_shows_its_count(client, admin_lishi, staff_lishi):
    for _ in range(3):
        view_child(staff_lishi)
    client.force_login(admin_lishi)
    response = client.get(URL)
    assert [e.count for e in response.context["page"]] == [3]
    assert "×3" in response.content.decode()


def test_a_single_view_shows_no_count(client, admin_lishi, staff_lishi):
    view_child(staff_lishi)
    client.force_login(admin_lishi)
    assert "×1" not in client.get(URL).content.decode()


# Queries of the audit log (as in tests/test_audit_log.py): the session, the user, the count, one page of
# events with their actors, the names of the regions on the page (where events happened and where users
# were moved, in one query), the regions of the region filter, the unread-notifications badge.
AUDIT_LIST_QUERIES = 7


def test_changes_and_counts_cost_no_queries(client, admin_province, admin_lishi, staff_lishi, regions,
                                            django_assert_num_queries):
    services.user_update(actor=admin_province, user=staff_lishi, region=regions.lishi_township)
    services.user_update(actor=admin_province, user=staff_lishi, region=regions.yuci, role="viewer")
    services.user_deactivate(actor=admin_province, user=admin_lishi)
    for _ in range(3):
        view_child(staff_lishi)
    client.force_login(admin_province)
    with django_assert_num_queries(AUDIT_LIST_QUERIES):
        page = client.get(URL).content.decode()
    assert "滨河街道 → 榆次区" in page


def test_a_change_of_several_values_is_listed_not_a_500(client, admin_lishi, regions):
    from accounts.audit import audit_record
    from accounts.models import AuditAction

    audit_record(actor=admin_lishi, action=AuditAction.CREATE, target_type="casework.guardianconsent", target_id="1",
                 region_code="141102001200", changes={"method": [[], ["signed", "verbal"]]})
    client.force_login(admin_lishi)
    response = client.get("/accounts/audit/")
    assert response.status_code == 200 and "书面签字（保存扫描件）、口头同意（有见证人）" in response.content.decode()


def test_a_yes_or_no_detail_reads_in_words(client, admin_lishi, regions):
    from accounts.audit import audit_record
    from accounts.models import AuditAction

    audit_record(actor=admin_lishi, action=AuditAction.DOWNLOAD, target_type="casework.guardianconsent", target_id="1",
                 region_code="141102001200", detail={"document": True})
    client.force_login(admin_lishi)
    page = client.get("/accounts/audit/").content.decode()
    assert "True" not in page and "是" in page
