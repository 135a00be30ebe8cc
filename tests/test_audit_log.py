"""The audit log page: region admins browse the events of their subtree, nobody else reads it."""

from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import idcard
from accounts.audit import audit_record
from accounts.models import AuditAction, AuditEvent, Region
from children import services
from children.models import ExitReason, Status

pytestmark = pytest.mark.django_db

LISHI_VILLAGE = "141102001200"
YUCI_TOWNSHIP = "140702100000"


def event(actor, action, *, record: str, label: str, region_code: str, detail=None, ip="10.0.0.8") -> AuditEvent:
    """An event as the children services record it (see children.services)."""
    made = audit_record(actor=actor, action=action, target_type="children.child", target_id=record,
                        target_label=label, region_code=region_code, detail=detail)
    AuditEvent.objects.filter(pk=made.pk).update(ip=ip)
    return made


@pytest.fixture
def events(regions, staff_lishi, staff_yuci):
    """A view and a reveal in 离石区, a view in 榆次区."""
    return {
        "lishi_view": event(staff_lishi, AuditAction.VIEW, record="11", label="王小雨（**************1234）",
                            region_code=LISHI_VILLAGE),
        "lishi_reveal": event(staff_lishi, AuditAction.REVEAL, record="11", label="王小雨（**************1234）",
                              region_code=LISHI_VILLAGE, detail={"reason": "为孩子办理助学金"}),
        "yuci_view": event(staff_yuci, AuditAction.VIEW, record="22", label="张小军（**************5678）",
                           region_code=YUCI_TOWNSHIP),
    }


def listed(response) -> set[int]:
    return {e.pk for e in response.context["page"]}


def test_admin_lishi_sees_lishi_events_only(client, admin_lishi, events):
    client.force_login(admin_lishi)
    assert listed(client.get(reverse("accounts:audit-list"))) == {events["lishi_view"].pk, events["lishi_reveal"].pk}


def test_province_admin_sees_every_event_of_the_province(client, admin_province, events):
    client.force_login(admin_province)
    assert listed(client.get(reverse("accounts:audit-list"))) == {e.pk for e in events.values()}


def test_staff_cannot_read_the_audit_log(client, staff_lishi, events):
    client.force_login(staff_lishi)
    assert client.get(reverse("accounts:audit-list")).status_code == 403


def test_viewer_cannot_read_the_audit_log(client, viewer_lvliang, events):
    client.force_login(viewer_lvliang)
    assert client.get(reverse("accounts:audit-list")).status_code == 403


def test_volunteer_cannot_read_the_audit_log(client, volunteer_lishi, events):
    client.force_login(volunteer_lishi)
    response = client.get(reverse("accounts:audit-list"))
    assert (response.status_code, response["Location"]) == (302, reverse("phone:home"))


def test_audit_log_shows_who_what_where_and_the_reveal_reason(client, admin_lishi, staff_lishi, events):
    client.force_login(admin_lishi)
    page = client.get(reverse("accounts:audit-list")).content.decode()
    assert staff_lishi.username in page
    assert "王小雨（**************1234）" in page
    assert "为孩子办理助学金" in page
    assert "10.0.0.8" in page
    assert Region.objects.get(pk=LISHI_VILLAGE).name in page


def test_audit_log_shows_coded_details_in_words(client, admin_lishi, regions):
    event(None, AuditAction.STATUS, record="11", label="王小雨", region_code=LISHI_VILLAGE,
          detail={"from": "active", "to": "exited", "reason": "aged_out", "on": "2025-01-01"})
    client.force_login(admin_lishi)
    items = client.get(reverse("accounts:audit-list")).context["page"][0].detail_items
    # PostgreSQL's jsonb keeps its own key order, so compare without it.
    assert sorted(item.value for item in items) == sorted([str(Status.ACTIVE.label), str(Status.EXITED.label),
                                                           str(ExitReason.AGED_OUT.label), "2025-01-01"])


def test_audit_log_links_a_child_event_to_the_child_page(client, admin_lishi, events):
    client.force_login(admin_lishi)
    assert reverse("children:detail", args=[11]) in client.get(reverse("accounts:audit-list")).content.decode()


def test_audit_log_filters_by_action(client, admin_lishi, events):
    client.force_login(admin_lishi)
    response = client.get(reverse("accounts:audit-list"), {"action": "reveal"})
    assert listed(response) == {events["lishi_reveal"].pk}


def test_audit_log_filters_by_user_name(client, admin_province, staff_yuci, events):
    client.force_login(admin_province)
    response = client.get(reverse("accounts:audit-list"), {"actor": staff_yuci.username})
    assert listed(response) == {events["yuci_view"].pk}


def test_audit_log_filters_by_record(client, admin_province, events):
    client.force_login(admin_province)
    assert listed(client.get(reverse("accounts:audit-list"), {"record": "22"})) == {events["yuci_view"].pk}


def test_audit_log_filters_by_region_subtree(client, admin_province, events):
    client.force_login(admin_province)
    response = client.get(reverse("accounts:audit-list"), {"region": "140700000000"})  # 晋中市
    assert listed(response) == {events["yuci_view"].pk}


def test_audit_log_filters_by_local_date_range(client, admin_lishi, events):
    # The view happened at 23:30 Beijing time on 1 March (15:30 UTC), the reveal on 3 March.
    march_1_late = timezone.make_aware(datetime(2026, 3, 1, 23, 30))
    AuditEvent.objects.filter(pk=events["lishi_view"].pk).update(at=march_1_late)
    AuditEvent.objects.filter(pk=events["lishi_reveal"].pk).update(at=march_1_late + timedelta(days=2))
    client.force_login(admin_lishi)
    response = client.get(reverse("accounts:audit-list"), {"since": "2026-03-01", "until": "2026-03-01"})
    assert listed(response) == {events["lishi_view"].pk}


def test_audit_log_reports_a_malformed_date(client, admin_lishi, events):
    client.force_login(admin_lishi)
    response = client.get(reverse("accounts:audit-list"), {"since": "2026-13-45"})
    assert response.status_code == 200
    assert response.context["errors"]
    assert len(listed(response)) == 2


def test_navigation_offers_the_audit_log_to_admins_only(client, admin_lishi, staff_lishi, regions):
    client.force_login(admin_lishi)
    assert reverse("accounts:audit-list") in client.get(reverse("home")).content.decode()
    client.force_login(staff_lishi)
    assert reverse("accounts:audit-list") not in client.get(reverse("home")).content.decode()


def test_a_real_reveal_appears_in_the_log_with_its_reason(client, admin_lishi, staff_lishi, regions):
    number = idcard.generate(region_code6="141102", birth_date=date(2015, 3, 8), sex="female", sequence=11)
    child = services.child_create(actor=staff_lishi, name="刘小梅", gender="female", birth_date=date(2015, 3, 8),
                                  id_number=number, region=Region.objects.get(pk=LISHI_VILLAGE),
                                  categories=["left_behind"], entered_on=date(2024, 9, 1))
    services.child_reveal_id_number(actor=staff_lishi, child=child, reason="核对民政名单")
    client.force_login(admin_lishi)
    response = client.get(reverse("accounts:audit-list"), {"action": "reveal", "record": str(child.pk)})
    assert [(e.actor_id, e.region_code) for e in response.context["page"]] == [(staff_lishi.pk, LISHI_VILLAGE)]
    assert "核对民政名单" in response.content.decode()
    assert number not in response.content.decode()


# Queries of the audit log: the session (1), the user (2), the count (3), one page of events with their
# actors (4), the names of the regions on the page (5), the regions of the region filter (6), the
# unread-notifications badge (7).
AUDIT_LIST_QUERIES = 7


def test_audit_log_queries_are_constant(client, admin_province, staff_lishi, events, django_assert_num_queries):
    client.force_login(admin_province)
    with django_assert_num_queries(AUDIT_LIST_QUERIES):
        client.get(reverse("accounts:audit-list"))
    for i in range(20):
        event(staff_lishi, AuditAction.VIEW, record=str(100 + i), label=f"孩子{i}",
              region_code=(LISHI_VILLAGE, YUCI_TOWNSHIP, "141102000000")[i % 3])
    with django_assert_num_queries(AUDIT_LIST_QUERIES):
        response = client.get(reverse("accounts:audit-list"))
    assert response.context["page"].paginator.count == 23
