"""alerts.services: reporting (who may, idempotent on the UUID, who is told), acknowledging (a red card),
closing (the outcome), the transitions and the audit."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from accounts.models import AuditAction, AuditEvent
from activities.delivery import RecordingBackend
from activities.models import Notification
from alerts import services
from alerts.models import Alert, AlertStatus
from children import services as child_services
from children.models import Child, RiskAssessment
from tests.alerts.conftest import OCCURRED

pytestmark = pytest.mark.django_db
RECORDING = ["activities.delivery.RecordingBackend"]


@override_settings(NOTIFICATION_BACKENDS=RECORDING)
def test_a_caring_mother_reports_and_the_township_and_county_staff_are_told(
        volunteer_lishi, child, staff_binhe, staff_lishi, admin_lishi, staff_lvliang, viewer_lvliang, staff_yuci,
        admin_province, django_capture_on_commit_callbacks):
    RecordingBackend.reset()
    with django_capture_on_commit_callbacks(execute=True):
        alert, created = services.alert_report(actor=volunteer_lishi, id=uuid.uuid4(), child=child.pk,
                                               kind="injury", description="从树上摔下", occurred_on=OCCURRED)
    assert created and alert.status == AlertStatus.OPEN and alert.reported_by == volunteer_lishi
    told = Notification.objects.filter(kind="alert")
    # The township's and the county's staff and admin — not the city, the province, a viewer or 榆次区.
    assert sorted(n.recipient.username for n in told) == ["admin_lishi", "staff_binhe", "staff_lishi"]
    assert sorted(n.recipient.username for n in RecordingBackend.outbox) == ["admin_lishi", "staff_binhe",
                                                                             "staff_lishi"]
    RecordingBackend.reset()


def test_the_notification_names_the_child_by_her_given_name_only(volunteer_lishi, child, staff_lishi, report):
    alert = report(volunteer_lishi, child=child)
    note = Notification.objects.get(recipient=staff_lishi, kind="alert")
    assert "小雨" in note.title and "王小雨" not in note.title
    assert child.reveal_id_number() not in note.title + note.body
    assert note.link == f"/alerts/{alert.pk}/"
    assert note.title == "紧急情况：小雨（意外受伤）"


def test_a_caring_mother_cannot_report_for_a_child_she_is_not_paired_with(volunteer_lishi, my_mother, child_lishi):
    with pytest.raises(ValidationError) as error:
        services.alert_report(actor=volunteer_lishi, id=uuid.uuid4(), child=child_lishi.pk, kind="injury",
                              description="摔伤", occurred_on=OCCURRED)
    assert error.value.message_dict == {"child": ["只能为目前与您结对的儿童报告紧急情况。"]}
    assert not Alert.objects.exists() and not Notification.objects.exists()


def test_staff_reporting_for_a_child_outside_their_area_is_not_found(staff_yuci, child):
    with pytest.raises(Child.DoesNotExist):
        services.alert_report(actor=staff_yuci, id=uuid.uuid4(), child=child.pk, kind="missing",
                              description="走失", occurred_on=OCCURRED)
    assert not Alert.objects.exists()


def test_a_leader_cannot_report(viewer_lvliang, child):
    with pytest.raises(PermissionDenied):
        services.alert_report(actor=viewer_lvliang, id=uuid.uuid4(), child=child.pk, kind="missing",
                              description="走失", occurred_on=OCCURRED)


def test_the_same_id_and_content_again_is_the_same_alert(volunteer_lishi, child, staff_lishi):
    alert_id = uuid.uuid4()
    fields = {"actor": volunteer_lishi, "id": alert_id, "child": child.pk, "kind": "neglect",
              "description": "家中无人照看", "occurred_on": OCCURRED}
    first, created = services.alert_report(**fields)
    again, created_again = services.alert_report(**fields)
    assert created and not created_again and again.pk == first.pk
    assert Alert.objects.count() == 1
    assert Notification.objects.filter(recipient=staff_lishi).count() == 1


def test_the_same_id_with_other_content_is_a_conflict(volunteer_lishi, child):
    alert_id = uuid.uuid4()
    services.alert_report(actor=volunteer_lishi, id=alert_id, child=child.pk, kind="neglect",
                          description="家中无人照看", occurred_on=OCCURRED)
    with pytest.raises(services.AlertConflict) as conflict:
        services.alert_report(actor=volunteer_lishi, id=alert_id, child=child.pk, kind="violence",
                              description="家中无人照看", occurred_on=OCCURRED)
    assert str(conflict.value) == "已有同一编号但内容不同的紧急情况报告。"
    assert Alert.objects.get().kind == "neglect"


@pytest.mark.parametrize(("field", "values", "message"), [
    ("kind", {"kind": "fire"}, "请选择发生了什么。"),
    ("description", {"description": "   "}, "请简要描述发生的情况。"),
    ("description", {"description": "很" * 501}, "情况描述不能超过 500 个字。"),
    ("occurred_on", {"occurred_on": None}, "请填写发生日期。"),
    ("occurred_on", {"occurred_on": OCCURRED.replace(day=16)}, "日期 2027-03-16 晚于今天。"),
    ("id", {"id": "not-a-uuid"}, "报告编号必须是 UUID。"),
])
def test_bad_input_is_refused_naming_the_field(volunteer_lishi, child, field, values, message):
    fields = {"actor": volunteer_lishi, "id": uuid.uuid4(), "child": child.pk, "kind": "injury",
              "description": "摔伤", "occurred_on": OCCURRED, **values}
    with pytest.raises(ValidationError) as error:
        services.alert_report(**fields)
    assert list(error.value.message_dict) == [field]
    if field != "occurred_on" or values["occurred_on"] is None:
        assert error.value.message_dict[field] == [message]
    assert not Alert.objects.exists()


def test_acknowledging_gives_a_child_not_on_a_red_card_a_red_assessment(volunteer_lishi, child, staff_lishi, report):
    alert = report(volunteer_lishi, child=child)
    services.alert_acknowledge(actor=staff_lishi, alert=alert)
    alert.refresh_from_db()
    child.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED and alert.acknowledged_by == staff_lishi
    assert child.risk_color == "red"
    assessment = RiskAssessment.objects.get(child=child)
    assert assessment.color == "red" and assessment.reasons == ["safety"] and "从树上摔下" in assessment.note
    assert AuditEvent.objects.filter(action=AuditAction.STATUS, target_id=str(alert.pk)).exists()


def test_acknowledging_a_child_already_red_records_no_new_assessment(volunteer_lishi, child, staff_lishi, report):
    child_services.child_assess(actor=staff_lishi, child=child, color="red", reasons=["guardianship"],
                                assessed_on=OCCURRED)
    alert = report(volunteer_lishi, child=child)
    services.alert_acknowledge(actor=staff_lishi, alert=alert)
    assert RiskAssessment.objects.filter(child=child).count() == 1


def test_an_alert_is_acknowledged_once(volunteer_lishi, child, staff_lishi, report):
    alert = report(volunteer_lishi, child=child)
    services.alert_acknowledge(actor=staff_lishi, alert=alert)
    with pytest.raises(ValidationError) as error:
        services.alert_acknowledge(actor=staff_lishi, alert=alert)
    assert error.value.message_dict == {"status": ["只能接报待处理的紧急情况报告；这份报告的状态是“处理中”。"]}


def test_closing_needs_the_outcome(volunteer_lishi, child, staff_lishi, report):
    alert = report(volunteer_lishi, child=child)
    services.alert_acknowledge(actor=staff_lishi, alert=alert)
    with pytest.raises(ValidationError) as error:
        services.alert_close(actor=staff_lishi, alert=alert, outcome="  ")
    assert error.value.message_dict == {"outcome": ["请填写处理结果。"]}
    assert Alert.objects.get().status == AlertStatus.ACKNOWLEDGED


def test_closing_records_the_outcome(volunteer_lishi, child, staff_lishi, report):
    alert = report(volunteer_lishi, child=child)
    services.alert_acknowledge(actor=staff_lishi, alert=alert)
    services.alert_close(actor=staff_lishi, alert=alert, outcome="已送医，监护人到场")
    alert.refresh_from_db()
    assert (alert.status, alert.outcome, alert.closed_by) == (AlertStatus.CLOSED, "已送医，监护人到场", staff_lishi)


def test_an_open_alert_is_acknowledged_before_it_is_closed(volunteer_lishi, child, staff_lishi, report):
    alert = report(volunteer_lishi, child=child)
    with pytest.raises(ValidationError) as error:
        services.alert_close(actor=staff_lishi, alert=alert, outcome="误报")
    assert list(error.value.message_dict) == ["status"]


def test_staff_outside_the_area_cannot_acknowledge(volunteer_lishi, child, staff_yuci, report):
    alert = report(volunteer_lishi, child=child)
    with pytest.raises(Alert.DoesNotExist):
        services.alert_acknowledge(actor=staff_yuci, alert=alert)


@pytest.mark.parametrize("actor", ["viewer_lvliang", "volunteer_lishi"])
def test_leaders_and_caring_mothers_cannot_acknowledge(request, volunteer_lishi, child, report, actor):
    alert = report(volunteer_lishi, child=child)
    with pytest.raises(PermissionDenied):
        services.alert_acknowledge(actor=request.getfixturevalue(actor), alert=alert)


def test_a_report_is_audited(volunteer_lishi, child, report):
    alert = report(volunteer_lishi, child=child)
    event = AuditEvent.objects.get(action=AuditAction.CREATE, target_type="alerts.alert")
    assert event.target_id == str(alert.pk) and event.actor == volunteer_lishi and event.region_code == child.region_id
