"""The audit log names detail and change keys in words (accounts.audit_views.key_label): one mapping,
then the audited model's verbose names; unknown keys stay as they are."""

import pytest
from django.urls import reverse

from accounts.audit import audit_record
from accounts.models import AuditAction
from children.models import Child

pytestmark = pytest.mark.django_db

LISHI_VILLAGE = "141102001200"


def detail_of(client, admin, *, target_type: str, detail: dict, changes: dict | None = None):
    audit_record(actor=None, action=AuditAction.EXPORT, target_type=target_type, target_id="1", target_label="x",
                 region_code=LISHI_VILLAGE, detail=detail, changes=changes)
    client.force_login(admin)
    return client.get(reverse("accounts:audit-list")).context["page"][0]


def labels(items) -> set[str]:
    return {item.label for item in items}


def test_report_download_keys_are_in_chinese(client, admin_lishi, regions):
    event = detail_of(client, admin_lishi, target_type="reports.reportrun", detail={"format": "pdf", "month": "2026-11"})
    assert labels(event.detail_items) == {"格式", "月份"}


def test_export_filter_keys_are_in_chinese(client, admin_lishi, regions):
    event = detail_of(client, admin_lishi, target_type="children.child", detail={"filters": {"status": "exited"}})
    assert [item.value for item in event.detail_items] == ["状态=已退出"]


def test_changed_field_names_are_the_models_verbose_names(client, admin_lishi, regions):
    event = detail_of(client, admin_lishi, target_type="children.child", detail={"fields": ["school"]})
    assert [item.value for item in event.detail_items] == [str(Child._meta.get_field("school").verbose_name)]


def test_an_unknown_key_is_shown_as_it_is(client, admin_lishi, regions):
    event = detail_of(client, admin_lishi, target_type="children.child", detail={"mystery": "1"})
    assert labels(event.detail_items) == {"mystery"}
