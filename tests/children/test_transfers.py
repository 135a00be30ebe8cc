"""Two-sided transfers (children.transfers): the sending county asks, the receiving county accepts or
rejects, the sender may cancel; the child stays where she is until accepted, and the receiving side sees
only her summary before that.

The child (``child_lishi``) lives in a village of 离石区 (staff_lishi's county); she is asked to move to
修文镇 in 榆次区 (staff_yuci's county). ``staff_fenyang`` works in a third county (汾阳市).
"""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db import transaction as db_transaction
from django.urls import reverse
from django.utils import translation

from accounts.home import home_todo
from accounts.models import AuditAction, AuditEvent, Region
from accounts.roles import Role
from activities.models import Notification
from children import transfers
from children.models import Child, StatusChange, Transfer, TransferStatus
from pairing.models import EndReason, Pairing, PairingRole
from pairing.services import pairing_create
from tests.factories import YUCI_TOWNSHIP, RegionFactory, UserFactory
from tests.volunteers.conftest import make_volunteer  # noqa: F401

pytestmark = pytest.mark.django_db

MOVED_ON = date(2025, 1, 10)


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.fixture
def destination(regions) -> Region:
    return regions.yuci_township


@pytest.fixture
def transfer(staff_lishi, staff_yuci, child_lishi, destination) -> Transfer:
    """A pending request: 离石区 asks 榆次区 (where staff_yuci works) to take 王小雨 in."""
    return transfers.transfer_request(actor=staff_lishi, child=child_lishi, to_region=destination,
                                      reason="随父母到榆次务工", effective_on=MOVED_ON)


@pytest.fixture
def staff_fenyang(regions):
    """Staff of 汾阳市 (吕梁市), a third county: neither side of the transfer."""
    return UserFactory(username="staff_fenyang", role=Role.STAFF, region=RegionFactory(code="141182000000",
                                                                                         name="汾阳市"))


@pytest.fixture
def paired(make_volunteer, staff_lishi, child_lishi):  # noqa: F811
    """The child's lead caring mother in 离石区."""
    mother = make_volunteer(staff_lishi, name="刘秀兰")
    return pairing_create(actor=staff_lishi, child=child_lishi, volunteer=mother, role=PairingRole.LEAD,
                          started_on=date(2024, 10, 1))


def status_of(transfer: Transfer) -> str:
    return Transfer.objects.get(pk=transfer.pk).status


# --- the request ----------------------------------------------------------------------------------

def test_a_request_keeps_the_child_where_she_is(transfer, child_lishi):
    child = Child.objects.get(pk=child_lishi.pk)
    assert (transfer.status, child.region_id) == (TransferStatus.PENDING, "141102001200")
    assert not StatusChange.objects.filter(child=child, to_region__isnull=False).exists()


def test_a_request_is_audited_with_its_status(transfer, staff_lishi):
    event = AuditEvent.objects.get(target_type="children.transfer", target_id=str(transfer.pk))
    assert (event.actor, event.action, event.changes) == (staff_lishi, AuditAction.CREATE, {"status": ["", "pending"]})


def test_a_request_tells_the_receiving_county(transfer, staff_yuci):
    note = Notification.objects.get(recipient=staff_yuci)
    assert (note.kind, note.link) == (transfers.KIND_REQUESTED, reverse("children:transfers"))


def test_a_second_pending_request_is_refused_in_chinese(transfer, staff_lishi, child_lishi, regions):
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as caught:
            transfers.transfer_request(actor=staff_lishi, child=child_lishi, to_region=regions.yuci,
                                       reason="再次申请", effective_on=MOVED_ON)
        messages = caught.value.message_dict
    assert list(messages) == ["child"] and has_chinese(messages["child"][0])
    assert Transfer.objects.filter(child=child_lishi).count() == 1


def test_the_database_holds_one_pending_transfer_per_child(transfer, staff_lishi, regions):
    with pytest.raises(IntegrityError), db_transaction.atomic():
        Transfer.objects.create(child_id=transfer.child_id, from_region_id=transfer.from_region_id,
                                to_region=regions.yuci, reason="并发的第二条", effective_on=MOVED_ON,
                                requested_by=staff_lishi)


def test_a_new_request_may_follow_a_cancelled_one(transfer, staff_lishi, child_lishi, regions):
    transfers.transfer_cancel(actor=staff_lishi, transfer=transfer)
    again = transfers.transfer_request(actor=staff_lishi, child=child_lishi, to_region=regions.yuci,
                                       reason="再次申请", effective_on=MOVED_ON)
    assert again.status == TransferStatus.PENDING


@pytest.mark.parametrize(("to", "on", "field"), [
    ("141102001200", MOVED_ON, "to_region"),  # where she already is
    ("141100000000", MOVED_ON, "to_region"),  # a city, not a county, township or village
    (YUCI_TOWNSHIP, date(2099, 1, 1), "effective_on"),  # in the future
    (YUCI_TOWNSHIP, date(2024, 1, 1), "effective_on"),  # before she entered the programme
])
def test_a_bad_request_names_the_field_and_stores_nothing(staff_lishi, child_lishi, to, on, field):
    with pytest.raises(ValidationError) as caught:
        transfers.transfer_request(actor=staff_lishi, child=child_lishi, to_region=Region.objects.get(pk=to),
                                   reason="搬家", effective_on=on)
    assert list(caught.value.message_dict) == [field]
    assert not Transfer.objects.exists()


def test_a_request_needs_a_reason(staff_lishi, child_lishi, destination):
    with pytest.raises(ValidationError) as caught:
        transfers.transfer_request(actor=staff_lishi, child=child_lishi, to_region=destination, reason=" ",
                                   effective_on=MOVED_ON)
    assert list(caught.value.message_dict) == ["reason"]


def test_a_request_to_another_province_is_refused_on_to_region(staff_lishi, child_lishi):
    elsewhere = RegionFactory(code="610102001000", name="吴城街道")
    with pytest.raises(ValidationError) as caught:
        transfers.transfer_request(actor=staff_lishi, child=child_lishi, to_region=elsewhere, reason="搬家",
                                   effective_on=MOVED_ON)
    assert list(caught.value.message_dict) == ["to_region"]


def test_the_request_date_defaults_to_today(staff_lishi, child_lishi, destination):
    made = transfers.transfer_request(actor=staff_lishi, child=child_lishi, to_region=destination, reason="搬家")
    assert made.effective_on == transfers.services.today()


def test_a_read_only_leader_may_not_request(viewer_lvliang, child_lishi, destination):
    with pytest.raises(PermissionDenied):
        transfers.transfer_request(actor=viewer_lvliang, child=child_lishi, to_region=destination, reason="搬家",
                                   effective_on=MOVED_ON)
    assert not Transfer.objects.exists()


# --- accepting ------------------------------------------------------------------------------------

def test_the_receiving_county_accepts_and_the_child_moves(transfer, staff_yuci, child_lishi):
    transfers.transfer_accept(actor=staff_yuci, transfer=transfer)
    assert Child.objects.get(pk=child_lishi.pk).region_id == YUCI_TOWNSHIP
    assert status_of(transfer) == TransferStatus.ACCEPTED


def test_acceptance_keeps_the_history_row(transfer, staff_yuci, child_lishi):
    transfers.transfer_accept(actor=staff_yuci, transfer=transfer)
    row = StatusChange.objects.get(child=child_lishi, to_region__isnull=False)
    assert (row.from_region_id, row.to_region_id, row.effective_on, row.actor) == (
        "141102001200", YUCI_TOWNSHIP, MOVED_ON, staff_yuci)


def test_acceptance_ends_the_pairings_as_transferred(transfer, staff_yuci, paired):
    transfers.transfer_accept(actor=staff_yuci, transfer=transfer)
    pairing = Pairing.objects.get(pk=paired.pk)
    assert (pairing.end_reason, pairing.ended_on) == (EndReason.TRANSFERRED, transfers.services.today())


def test_acceptance_asks_the_receiving_staff_to_pair_the_child(transfer, staff_yuci, child_lishi):
    transfers.transfer_accept(actor=staff_yuci, transfer=transfer)
    note = Notification.objects.get(recipient=staff_yuci, kind=transfers.KIND_TO_PAIR)
    assert note.link == reverse("pairing:suggest", args=[child_lishi.pk])


def test_acceptance_tells_the_sending_side(transfer, staff_yuci, staff_lishi):
    transfers.transfer_accept(actor=staff_yuci, transfer=transfer)
    assert Notification.objects.filter(recipient=staff_lishi, kind=transfers.KIND_ACCEPTED).count() == 1


def test_acceptance_is_audited_with_the_old_and_new_status(transfer, staff_yuci):
    transfers.transfer_accept(actor=staff_yuci, transfer=transfer)
    event = AuditEvent.objects.get(target_type="children.transfer", action=AuditAction.STATUS)
    assert (event.actor, event.changes) == (staff_yuci, {"status": ["pending", "accepted"]})


def test_the_sender_may_not_accept_outside_her_area(transfer, staff_lishi, child_lishi):
    with pytest.raises(PermissionDenied):
        transfers.transfer_accept(actor=staff_lishi, transfer=transfer)
    assert (status_of(transfer), Child.objects.get(pk=child_lishi.pk).region_id) == ("pending", "141102001200")


def test_the_sender_accepts_a_move_inside_her_own_area(staff_lishi, child_lishi, regions):
    inside = transfers.transfer_request(actor=staff_lishi, child=child_lishi, to_region=regions.lishi_township,
                                        reason="搬到街道", effective_on=MOVED_ON)
    transfers.transfer_accept(actor=staff_lishi, transfer=inside)
    assert Child.objects.get(pk=child_lishi.pk).region_id == "141102001000"


def test_a_read_only_leader_may_not_accept(transfer, viewer_lvliang):
    with pytest.raises(PermissionDenied):
        transfers.transfer_accept(actor=viewer_lvliang, transfer=transfer)
    assert status_of(transfer) == TransferStatus.PENDING


def test_staff_of_a_third_county_do_not_find_the_transfer(transfer, staff_fenyang):
    with pytest.raises(Transfer.DoesNotExist):
        transfers.transfer_accept(actor=staff_fenyang, transfer=transfer)


def test_a_decided_transfer_cannot_be_decided_again(transfer, staff_yuci):
    transfers.transfer_accept(actor=staff_yuci, transfer=transfer)
    with pytest.raises(ValidationError) as caught:
        transfers.transfer_reject(actor=staff_yuci, transfer=transfer, reason="不接收")
    assert list(caught.value.message_dict) == ["status"]


def test_an_exit_cancels_the_pending_transfer(transfer, staff_lishi, child_lishi):
    transfers.services.child_exit(actor=staff_lishi, child=child_lishi, reason="moved_away", exited_on=MOVED_ON)
    assert status_of(transfer) == TransferStatus.CANCELLED
    assert AuditEvent.objects.filter(action=AuditAction.STATUS, target_id=str(transfer.pk)).exists()


def test_an_exit_tells_the_receiving_side_why_the_transfer_was_cancelled(transfer, staff_lishi, staff_yuci,
                                                                          child_lishi):
    transfers.services.child_exit(actor=staff_lishi, child=child_lishi, reason="moved_away", exited_on=MOVED_ON)
    notice = Notification.objects.get(recipient=staff_yuci, kind=transfers.KIND_CANCELLED)
    assert notice.body == "该儿童已退出。"


def test_an_exited_child_is_not_accepted(transfer, staff_lishi, staff_yuci, child_lishi):
    Transfer.objects.filter(pk=transfer.pk).update(status=TransferStatus.PENDING)
    Child.objects.filter(pk=child_lishi.pk).update(status="exited")
    with pytest.raises(ValidationError):
        transfers.transfer_accept(actor=staff_yuci, transfer=transfer)
    assert Child.objects.get(pk=child_lishi.pk).region_id == "141102001200"


# --- rejecting and cancelling ---------------------------------------------------------------------

def test_rejecting_needs_a_reason(transfer, staff_yuci):
    with pytest.raises(ValidationError) as caught:
        transfers.transfer_reject(actor=staff_yuci, transfer=transfer, reason="  ")
    assert list(caught.value.message_dict) == ["reason"]
    assert status_of(transfer) == TransferStatus.PENDING


def test_a_rejection_keeps_the_child_and_tells_the_sender_why(transfer, staff_yuci, staff_lishi, child_lishi):
    transfers.transfer_reject(actor=staff_yuci, transfer=transfer, reason="家庭未迁入本区")
    stored = Transfer.objects.get(pk=transfer.pk)
    assert (stored.status, stored.decision_reason, stored.decided_by) == ("rejected", "家庭未迁入本区", staff_yuci)
    assert Child.objects.get(pk=child_lishi.pk).region_id == "141102001200"
    assert "家庭未迁入本区" in Notification.objects.get(recipient=staff_lishi, kind=transfers.KIND_REJECTED).body


def test_the_sender_cancels(transfer, staff_lishi, staff_yuci):
    transfers.transfer_cancel(actor=staff_lishi, transfer=transfer)
    assert status_of(transfer) == TransferStatus.CANCELLED
    assert Notification.objects.filter(recipient=staff_yuci, kind=transfers.KIND_CANCELLED).exists()


def test_the_receiver_may_not_cancel(transfer, staff_yuci):
    with pytest.raises(PermissionDenied):
        transfers.transfer_cancel(actor=staff_yuci, transfer=transfer)
    assert status_of(transfer) == TransferStatus.PENDING


# --- scope ----------------------------------------------------------------------------------------

def test_both_sides_and_the_leader_above_see_the_transfer(transfer, staff_lishi, staff_yuci, viewer_lvliang,
                                                           staff_fenyang, volunteer_lishi):
    seen = {user.username: Transfer.objects.visible_to(user).filter(pk=transfer.pk).exists()
            for user in (staff_lishi, staff_yuci, viewer_lvliang, staff_fenyang, volunteer_lishi)}
    assert seen == {"staff_lishi": True, "staff_yuci": True, "viewer_lvliang": True, "staff_fenyang": False,
                    "volunteer_lishi": False}


# --- the pages ------------------------------------------------------------------------------------

def test_the_child_page_form_sends_a_request(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    response = client.post(reverse("children:transfer", args=[child_lishi.pk]),
                           {"region": YUCI_TOWNSHIP, "reason": "随父母务工", "effective_on": "2025-01-10"}, follow=True)
    assert Transfer.objects.get(child=child_lishi).status == TransferStatus.PENDING
    assert Child.objects.get(pk=child_lishi.pk).region_id == "141102001200"
    with translation.override("zh-hans"):
        assert "已提交转移申请，等待接收地确认" in [str(m) for m in response.context["messages"]]


def test_the_child_page_shows_the_pending_transfer_with_a_cancel_button(client, transfer, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    page = client.get(reverse("children:detail", args=[child_lishi.pk])).content.decode()
    assert 'id="pending-transfer"' in page
    assert f'action="{reverse("children:transfer-cancel", args=[transfer.pk])}"' in page
    assert f'action="{reverse("children:transfer", args=[child_lishi.pk])}"' not in page


def test_the_cancel_button_on_the_child_page_cancels(client, transfer, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    detail = reverse("children:detail", args=[child_lishi.pk])
    response = client.post(reverse("children:transfer-cancel", args=[transfer.pk]), {"next": detail})
    assert (response.status_code, response.url, status_of(transfer)) == (302, detail, TransferStatus.CANCELLED)


def test_the_receiver_sees_only_the_summary_before_accepting(client, transfer, staff_yuci, child_lishi):
    client.force_login(staff_yuci)
    page = client.get(reverse("children:transfers")).content.decode()
    assert child_lishi.name in page and child_lishi.id_number_masked in page
    assert child_lishi.reveal_id_number() not in page
    assert "李大山" not in page and "13935800001" not in page  # the guardian is part of the record
    assert client.get(reverse("children:detail", args=[child_lishi.pk])).status_code == 404


def test_the_child_page_opens_for_the_receiver_once_accepted(client, transfer, staff_yuci, child_lishi):
    client.force_login(staff_yuci)
    client.post(reverse("children:transfer-accept", args=[transfer.pk]))
    assert client.get(reverse("children:detail", args=[child_lishi.pk])).status_code == 200


def test_the_list_puts_incoming_pending_first(client, transfer, staff_yuci, make_child, staff_lishi, regions):
    outgoing_child = make_child(staff_yuci, name="张小军", region_code=YUCI_TOWNSHIP)
    outgoing = transfers.transfer_request(actor=staff_yuci, child=outgoing_child, to_region=regions.lishi,
                                          reason="回离石", effective_on=MOVED_ON)
    decided_child = make_child(staff_lishi, name="赵小兰")
    decided = transfers.transfer_request(actor=staff_lishi, child=decided_child, to_region=regions.yuci,
                                         reason="搬家", effective_on=MOVED_ON)
    transfers.transfer_reject(actor=staff_yuci, transfer=decided, reason="不在本区")
    client.force_login(staff_yuci)
    rows = list(client.get(reverse("children:transfers")).context["page"])
    assert [t.pk for t in rows] == [transfer.pk, outgoing.pk, decided.pk]
    assert [(t.can_decide, t.can_cancel) for t in rows] == [(True, False), (False, True), (False, False)]


def test_the_accept_button_moves_the_child(client, transfer, staff_yuci, child_lishi):
    client.force_login(staff_yuci)
    response = client.post(reverse("children:transfer-accept", args=[transfer.pk]))
    assert (response.status_code, response.url) == (302, reverse("children:transfers"))
    assert Child.objects.get(pk=child_lishi.pk).region_id == YUCI_TOWNSHIP


def test_the_reject_button_without_a_reason_changes_nothing(client, transfer, staff_yuci):
    client.force_login(staff_yuci)
    response = client.post(reverse("children:transfer-reject", args=[transfer.pk]), {"reason": ""}, follow=True)
    assert status_of(transfer) == TransferStatus.PENDING
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_the_reject_button_with_a_reason_rejects(client, transfer, staff_yuci):
    client.force_login(staff_yuci)
    client.post(reverse("children:transfer-reject", args=[transfer.pk]), {"reason": "家庭未迁入"})
    assert status_of(transfer) == TransferStatus.REJECTED


def test_a_third_county_gets_404_on_the_buttons(client, transfer, staff_fenyang):
    client.force_login(staff_fenyang)
    codes = [client.post(reverse(name, args=[transfer.pk]), {"reason": "x"}).status_code
             for name in ("children:transfer-accept", "children:transfer-reject", "children:transfer-cancel")]
    assert codes == [404, 404, 404]
    assert status_of(transfer) == TransferStatus.PENDING


def test_a_read_only_leader_gets_403_on_the_buttons(client, transfer, viewer_lvliang):
    client.force_login(viewer_lvliang)
    assert client.post(reverse("children:transfer-accept", args=[transfer.pk])).status_code == 403
    assert client.get(reverse("children:transfers")).status_code == 200


def test_the_sender_gets_403_accepting_outside_her_area(client, transfer, staff_lishi):
    client.force_login(staff_lishi)
    assert client.post(reverse("children:transfer-accept", args=[transfer.pk])).status_code == 403


def test_the_list_runs_a_fixed_number_of_queries(client, staff_lishi, staff_yuci, make_child, regions,
                                                 django_assert_num_queries):
    client.force_login(staff_yuci)
    url = reverse("children:transfers")

    def add(n):
        for i in range(n):
            child = make_child(staff_lishi, name=f"孩子{Transfer.objects.count()}{i}")
            transfers.transfer_request(actor=staff_lishi, child=child, to_region=regions.yuci, reason="搬家",
                                       effective_on=MOVED_ON)

    add(1)
    # 1 session, 2 user, 3 the count, 4 one page of transfers (child, regions and users JOINed),
    # 5 the unread-notifications badge.
    with django_assert_num_queries(5):
        client.get(url)
    add(3)
    with django_assert_num_queries(5):
        assert len(client.get(url).context["page"]) == 4


# --- the home page's to-do ------------------------------------------------------------------------

def test_the_home_todo_counts_the_incoming_pending_transfers(transfer, staff_yuci, staff_lishi, client):
    today = transfers.services.today()
    todo = home_todo(staff_yuci, today).todos["transfers"]
    assert todo.count == 1
    assert home_todo(staff_lishi, today).todos["transfers"].count == 0  # hers is outgoing
    client.force_login(staff_yuci)
    assert client.get(todo.url).context["page"].paginator.count == 1


def test_a_leader_has_no_transfers_todo(transfer, viewer_lvliang):
    assert "transfers" not in home_todo(viewer_lvliang, transfers.services.today()).todos
