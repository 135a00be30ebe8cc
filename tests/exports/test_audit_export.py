"""An administrator exports her subtree's audit log for a date range as .xlsx, through the export jobs;
nobody else may, and a bad filter is refused naming it."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import auditchain
from accounts.audit import audit_record
from accounts.models import AuditAction, AuditEvent
from exports.models import ExportRun
from tests.exports.helpers import export_post, exported_sheet, records

pytestmark = pytest.mark.django_db

LISHI_VILLAGE = "141102001200"
YUCI_TOWNSHIP = "140702100000"


def event(actor, *, label: str, region_code: str, at: datetime) -> AuditEvent:
    made = audit_record(actor=actor, action=AuditAction.UPDATE, target_type="children.child", target_id="1",
                        target_label=label, region_code=region_code, changes={"name": ["旧", "新"]})
    AuditEvent.objects.filter(pk=made.pk).update(at=at)
    return made


@pytest.fixture
def events(staff_lishi, staff_yuci):
    march = timezone.make_aware(datetime(2027, 3, 1, 23, 30))  # Beijing time
    return [event(staff_lishi, label="甲三月一日", region_code=LISHI_VILLAGE, at=march),
            event(staff_lishi, label="甲三月五日", region_code=LISHI_VILLAGE, at=march.replace(day=5)),
            event(staff_yuci, label="乙三月一日", region_code=YUCI_TOWNSHIP, at=march)]


def labels(client, user, **params) -> list[str]:
    client.force_login(user)
    return sorted(r["记录名称"] for r in records(exported_sheet(client, "audit", **params))
                  if r["记录类型"] == "children.child")


def test_an_administrator_exports_her_subtree_only(client, admin_lishi, events):
    assert labels(client, admin_lishi) == ["甲三月一日", "甲三月五日"]


def test_the_export_follows_the_date_range_in_local_days(client, admin_province, events):
    assert labels(client, admin_province, since="2027-03-01", until="2027-03-01") == ["乙三月一日", "甲三月一日"]


def test_the_rows_carry_their_chain_fields(client, admin_lishi, events):
    auditchain.audit_seal()
    client.force_login(admin_lishi)
    row = next(r for r in records(exported_sheet(client, "audit")) if r["记录名称"] == "甲三月一日")
    stored = AuditEvent.objects.get(pk=events[0].pk)
    assert (row["操作"], row["链中序号"], row["链哈希"]) == ("修改", stored.seq, stored.hash)
    assert row["变更（旧值 → 新值）"] == '{"name": ["旧", "新"]}'


@pytest.mark.parametrize("who", ["staff_lishi", "viewer_lvliang"])
def test_only_administrators_may_export_the_audit_log(client, request, events, who):
    client.force_login(request.getfixturevalue(who))
    response = export_post(client, "audit")
    assert response.status_code == 403
    assert not ExportRun.objects.exists()


def test_a_malformed_date_is_refused_naming_the_field(client, admin_lishi, events):
    client.force_login(admin_lishi)
    response = export_post(client, "audit", since="2027-13-45")
    assert response.status_code == 400
    assert "2027-13-45" in response.content.decode()
    assert not ExportRun.objects.exists()


def test_the_audit_page_offers_the_export(client, admin_lishi, events):
    client.force_login(admin_lishi)
    page = client.get(reverse("accounts:audit-list"), {"since": "2027-03-01"}).content.decode()
    assert reverse("exports:create", args=["audit"]) + "?since=2027-03-01" in page
