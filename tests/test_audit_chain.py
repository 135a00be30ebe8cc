"""The tamper-evident audit trail (accounts.auditchain): rows sealed into a keyed hash chain; editing,
deleting or inserting a row directly in the database makes ``verify_audit`` name the first broken row."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from accounts import auditchain
from accounts.audit import audit_record
from accounts.models import AuditAction, AuditChainHead, AuditEvent
from tests.children.conftest import child_lishi, make_child  # noqa: F401
from tests.clock import SHANGHAI

pytestmark = pytest.mark.django_db

MORNING = datetime(2027, 3, 15, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def staff_lishi(staff_lishi):
    """The county A staff member, her own account's creation audited and sealed (seq 1): a test's own
    rows start at seq 2."""
    assert auditchain.audit_seal() == 1
    return staff_lishi


@pytest.fixture
def trail(staff_lishi):
    """Five changes, sealed: seq 2–6."""
    with time_machine.travel(MORNING, tick=False):
        rows = [audit_record(actor=staff_lishi, action=AuditAction.UPDATE, target_type="children.child",
                             target_id=str(n), target_label=f"儿童{n}", region_code="141102001200",
                             changes={"name": [f"旧{n}", f"新{n}"]}, detail={"on": "2027-03-15", "n": n})
                for n in range(1, 6)]
        assert auditchain.audit_seal() == 5
    return [AuditEvent.objects.get(pk=row.pk) for row in rows]


def sql(statement: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def verify() -> auditchain.Verification:
    return auditchain.audit_verify()


def test_a_sealed_trail_verifies(trail):
    result = verify()
    assert (result.intact, result.sealed, result.checked) == (True, 6, 6)


def test_sealing_chains_each_row_to_the_one_before(trail):
    assert [row.seq for row in trail] == [2, 3, 4, 5, 6]
    assert [row.prev_hash for row in trail[1:]] == [row.hash for row in trail[:-1]]
    assert trail[0].prev_hash == AuditEvent.objects.get(seq=1).hash
    assert AuditChainHead.objects.get().last_hash == trail[-1].hash


def test_an_edited_row_is_named(trail):
    sql("UPDATE accounts_auditevent SET target_label = %s WHERE id = %s", "别人", trail[2].pk)
    result = verify()
    assert (result.broken_id, result.broken_seq) == (trail[2].pk, 4)
    assert "changed" in result.problem


def test_an_edited_detail_is_named(trail):
    AuditEvent.objects.filter(pk=trail[1].pk).update(detail={"on": "2027-03-16", "n": 2})
    assert verify().broken_seq == 3


def test_an_edited_row_with_its_hashes_recomputed_without_the_key_is_still_named(trail, settings):
    key = settings.AUDIT_HMAC_KEY
    settings.AUDIT_HMAC_KEY = "an attacker's guess at the key, long enough"
    forged = {**AuditEvent.objects.filter(pk=trail[2].pk).values(*auditchain.WHOLE).get(), "target_label": "别人"}
    AuditEvent.objects.filter(pk=trail[2].pk).update(target_label="别人", mac=auditchain.row_mac(forged),
                                                     hash=auditchain.chain_hash(trail[1].hash, forged))
    settings.AUDIT_HMAC_KEY = key
    assert verify().broken_seq == 4


def test_a_deleted_row_is_named_by_the_gap(trail):
    AuditEvent.objects.filter(pk=trail[1].pk).delete()
    result = verify()
    assert (result.broken_id, result.broken_seq) == (trail[2].pk, 4)
    assert "missing" in result.problem


def test_the_last_rows_deleted_are_noticed(trail):
    AuditEvent.objects.filter(pk__in=[trail[3].pk, trail[4].pk]).delete()
    result = verify()
    assert (result.broken_id, result.broken_seq, result.sealed) == (None, 5, 4)


def test_a_row_inserted_by_hand_is_named(trail, staff_lishi):
    forged = AuditEvent.objects.create(actor=staff_lishi, action=AuditAction.UPDATE, target_type="children.child",
                                       target_id="9", target_label="伪造", mac="0" * 64)
    result = verify()
    assert (result.intact, result.broken_id) == (False, forged.pk)


def test_a_row_inserted_into_the_chain_is_named(trail, staff_lishi):
    for row in reversed(trail[2:]):  # make room at 4
        sql("UPDATE accounts_auditevent SET seq = seq + 1 WHERE id = %s", row.pk)
    forged = AuditEvent.objects.create(actor=staff_lishi, action=AuditAction.UPDATE, target_type="children.child",
                                       target_id="9", seq=4, prev_hash=trail[1].hash, hash="f" * 64, mac="0" * 64)
    assert verify().broken_id == forged.pk


def test_the_order_of_rows_cannot_be_swapped(trail):
    sql("UPDATE accounts_auditevent SET seq = -1 WHERE id = %s", trail[1].pk)
    sql("UPDATE accounts_auditevent SET seq = 3 WHERE id = %s", trail[2].pk)
    sql("UPDATE accounts_auditevent SET seq = 4 WHERE id = %s", trail[1].pk)
    assert verify().broken_seq == 3


def test_a_row_waiting_to_be_sealed_is_checked_too(trail, staff_lishi):
    waiting = audit_record(actor=staff_lishi, action=AuditAction.STATUS, target_type="children.child",
                           target_id="6", changes={"status": ["active", "exited"]})
    assert verify().intact
    AuditEvent.objects.filter(pk=waiting.pk).update(changes={"status": ["active", "active"]})
    assert verify().broken_id == waiting.pk


def test_todays_folded_view_waits_for_the_next_day(staff_lishi):
    with time_machine.travel(MORNING, tick=False):
        audit_record(actor=staff_lishi, action=AuditAction.VIEW, target_type="children.child", target_id="1")
        assert auditchain.audit_seal() == 0
    with time_machine.travel(MORNING + timedelta(hours=2), tick=False):
        audit_record(actor=staff_lishi, action=AuditAction.VIEW, target_type="children.child", target_id="1")
        assert verify().intact  # its count went up: the row's hash does not cover the count
    with time_machine.travel(MORNING + timedelta(days=1), tick=False):
        assert auditchain.audit_seal() == 1
    view = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert (view.count, view.seq, view.day) == (2, 2, date(2027, 3, 15))
    assert verify().intact


def test_a_sealed_views_count_changed_is_named(staff_lishi):
    with time_machine.travel(MORNING, tick=False):
        audit_record(actor=staff_lishi, action=AuditAction.VIEW, target_type="children.child", target_id="1")
    with time_machine.travel(MORNING + timedelta(days=1), tick=False):
        auditchain.audit_seal()
    AuditEvent.objects.filter(action=AuditAction.VIEW).update(count=1000)
    assert verify().broken_seq == 2


def test_a_row_committed_late_is_sealed_after_the_rows_already_chained(trail, staff_lishi):
    late = audit_record(actor=staff_lishi, action=AuditAction.CREATE, target_type="children.child", target_id="7")
    AuditEvent.objects.filter(pk=late.pk).update(id=trail[0].pk - 100)  # as if its id came first
    assert auditchain.audit_seal() == 1
    assert AuditEvent.objects.get(pk=trail[0].pk - 100).seq == 7
    assert verify().intact


def test_sealing_in_batches_continues_the_chain(staff_lishi):
    for n in range(5):
        audit_record(actor=staff_lishi, action=AuditAction.CREATE, target_type="children.child", target_id=str(n))
    assert [auditchain.audit_seal(batch=2) for _ in range(4)] == [2, 2, 1, 0]
    assert verify().intact and AuditChainHead.objects.get().last_seq == 6


def test_the_command_reports_the_first_break(trail):
    AuditEvent.objects.filter(pk=trail[3].pk).update(target_id="99")
    with pytest.raises(CommandError, match=rf"row id {trail[3].pk} \(seq 5\)"):
        call_command("verify_audit")


def test_the_command_seals_and_reports_an_intact_trail(staff_lishi, capsys):
    for n in range(3):
        audit_record(actor=staff_lishi, action=AuditAction.CREATE, target_type="children.child", target_id=str(n))
    call_command("verify_audit", "--seal")
    out = capsys.readouterr().out
    assert "Sealed 3 row(s)." in out and "intact: 4 sealed row(s)" in out


def test_the_beat_schedule_seals_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["accounts-seal-audit"]
    assert entry["task"] == "accounts.tasks.seal_audit"


def test_what_the_pages_and_the_api_audit_seals_intact(staff_lishi, child_lishi, client, api_client_for):  # noqa: F811
    client.force_login(staff_lishi)
    with time_machine.travel(MORNING, tick=True):
        for _ in range(2):
            assert client.get(reverse("children:detail", args=[child_lishi.pk]), REMOTE_ADDR="10.0.0.8").status_code == 200
        response = api_client_for(staff_lishi).post(f"/api/v1/children/{child_lishi.pk}/reveal-id/",
                                                    {"reason": "办理医保需核对"}, format="json")
        assert response.status_code == 200
    with time_machine.travel(MORNING + timedelta(days=1), tick=True):
        while auditchain.audit_seal():
            pass
    result = verify()
    assert (result.intact, result.sealed) == (True, AuditEvent.objects.count())
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, count=2, seq__isnull=False).exists()
