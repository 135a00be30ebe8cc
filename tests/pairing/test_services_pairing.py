"""The pairing rules (pairing.services): every refusal names its field and writes nothing; history stays."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from children import services as child_services
from children.models import ExitReason, Status
from pairing import services
from pairing.models import EndReason, Pairing, PairingRole
from tests.pairing.conftest import START
from volunteers import services as volunteer_services
from volunteers.models import VolunteerStatus

LEAD, HELPER = PairingRole.LEAD, PairingRole.HELPER


def refused(call, field: str) -> ValidationError:
    """Run ``call``; it must raise a ValidationError on ``field`` and leave the pairings untouched."""
    before = list(Pairing.objects.order_by("pk").values_list("pk", "ended_on", "role"))
    with pytest.raises(ValidationError) as excinfo:
        call()
    assert field in excinfo.value.message_dict, excinfo.value.message_dict
    assert list(Pairing.objects.order_by("pk").values_list("pk", "ended_on", "role")) == before
    return excinfo.value


# --- creating -------------------------------------------------------------------------------------

def test_one_to_one_lead_pairing(staff_lishi, child_lishi, mother_lishi):
    pairing = services.pairing_create(actor=staff_lishi, child=child_lishi, volunteer=mother_lishi, role=LEAD,
                                      started_on=START)
    assert (pairing.child, pairing.volunteer, pairing.role, pairing.started_on) == (child_lishi, mother_lishi, LEAD,
                                                                                    START)
    assert pairing.is_active and pairing.created_by == staff_lishi
    assert not services.children_needing_lead(actor=staff_lishi).filter(pk=child_lishi.pk).exists()


def test_start_date_defaults_to_today(staff_lishi, child_lishi, mother_lishi, today):
    pairing = services.pairing_create(actor=staff_lishi, child=child_lishi, volunteer=mother_lishi, role=LEAD)
    assert pairing.started_on == today


def test_second_active_lead_is_refused(pair, make_volunteer, staff_lishi, child_lishi, mother_lishi):
    pair(child_lishi, mother_lishi)
    other = make_volunteer(staff_lishi, name="王翠花")
    error = refused(lambda: pair(child_lishi, other), "role")
    assert "刘秀兰" in error.message_dict["role"][0]  # names the current lead


def test_over_capacity_is_refused(pair, make_child, make_volunteer, staff_lishi):
    mother = make_volunteer(staff_lishi, name="孙玉兰", capacity=1)
    pair(make_child(staff_lishi, name="甲小一"), mother)
    refused(lambda: pair(make_child(staff_lishi, name="乙小二"), mother), "volunteer")


def test_helpers_do_not_count_against_capacity(pair, make_child, make_volunteer, staff_lishi, mother_lishi):
    helper = make_volunteer(staff_lishi, name="孙玉兰", capacity=1)
    pair(make_child(staff_lishi, name="甲小一"), helper)
    second = make_child(staff_lishi, name="乙小二")
    pair(second, mother_lishi)
    assert pair(second, helper, HELPER).role == HELPER


def test_helper_without_lead_is_refused(pair, child_lishi, mother_lishi):
    refused(lambda: pair(child_lishi, mother_lishi, HELPER), "role")


def test_same_volunteer_twice_is_refused(pair, child_lishi, mother_lishi):
    pair(child_lishi, mother_lishi)
    refused(lambda: pair(child_lishi, mother_lishi, HELPER), "volunteer")


def test_exited_child_is_refused(pair, staff_lishi, child_lishi, mother_lishi):
    child_services.child_exit(actor=staff_lishi, child=child_lishi, reason=ExitReason.PARENTS_RETURNED,
                              exited_on=date(2025, 1, 10))
    refused(lambda: pair(child_lishi, mother_lishi), "child")


def test_suspended_child_is_refused(pair, staff_lishi, child_lishi, mother_lishi):
    child_services.child_change_status(actor=staff_lishi, child=child_lishi, to_status=Status.SUSPENDED,
                                       effective_on=date(2025, 1, 10))
    refused(lambda: pair(child_lishi, mother_lishi), "child")


def test_inactive_volunteer_is_refused(pair, staff_lishi, child_lishi, mother_lishi):
    volunteer_services.volunteer_set_status(actor=staff_lishi, volunteer=mother_lishi, status=VolunteerStatus.INACTIVE,
                                            effective_on=date(2025, 1, 10), reason="外出务工")
    refused(lambda: pair(child_lishi, mother_lishi), "volunteer")


def test_out_of_scope_child_is_refused(pair, child_yuci, mother_lishi):
    refused(lambda: pair(child_yuci, mother_lishi), "child")


def test_out_of_scope_volunteer_is_refused(pair, child_lishi, mother_yuci):
    refused(lambda: pair(child_lishi, mother_yuci), "volunteer")


def test_start_in_the_future_is_refused(pair, child_lishi, mother_lishi):
    refused(lambda: pair(child_lishi, mother_lishi, started_on=date(2999, 1, 1)), "started_on")


def test_start_before_the_child_entered_is_refused(pair, child_lishi, mother_lishi):
    refused(lambda: pair(child_lishi, mother_lishi, started_on=date(2020, 1, 1)), "started_on")


def test_unknown_role_is_refused(pair, child_lishi, mother_lishi):
    refused(lambda: pair(child_lishi, mother_lishi, "boss"), "role")


def test_viewer_cannot_pair(pair, viewer_lvliang, child_lishi, mother_lishi):
    with pytest.raises(PermissionDenied):
        pair(child_lishi, mother_lishi, actor=viewer_lvliang)
    assert not Pairing.objects.exists()


# --- the three shapes -----------------------------------------------------------------------------

def test_many_to_one_lead_and_helpers(pair, make_volunteer, staff_lishi, child_lishi, mother_lishi):
    """多对一: one lead and two helpers around one child."""
    pair(child_lishi, mother_lishi)
    pair(child_lishi, make_volunteer(staff_lishi, name="医生张"), HELPER)
    pair(child_lishi, make_volunteer(staff_lishi, name="老师李"), HELPER)
    active = Pairing.objects.filter(child=child_lishi).active()
    assert sorted(active.values_list("role", flat=True)) == [HELPER, HELPER, LEAD]


def test_one_to_many_one_mother_leads_three(pair, make_child, staff_lishi, mother_lishi):
    """一对多, "1+3": one caring mother leads three children, her full capacity."""
    for name in ("甲小一", "乙小二", "丙小三"):
        pair(make_child(staff_lishi, name=name), mother_lishi)
    assert services.active_leads_of(mother_lishi) == 3 == mother_lishi.capacity


# --- ending ---------------------------------------------------------------------------------------

def test_end_keeps_the_row(pair, staff_lishi, child_lishi, mother_lishi):
    pairing = pair(child_lishi, mother_lishi)
    services.pairing_end(actor=staff_lishi, pairing=pairing, ended_on=date(2025, 6, 1), end_reason=EndReason.MOVED,
                         note="随父母迁往太原")
    pairing.refresh_from_db()
    assert (pairing.ended_on, pairing.end_reason, pairing.end_note, pairing.ended_by) == (
        date(2025, 6, 1), EndReason.MOVED, "随父母迁往太原", staff_lishi)
    assert services.children_needing_lead(actor=staff_lishi).filter(pk=child_lishi.pk).exists()


def test_end_before_start_is_refused(pair, staff_lishi, child_lishi, mother_lishi):
    pairing = pair(child_lishi, mother_lishi)
    refused(lambda: services.pairing_end(actor=staff_lishi, pairing=pairing, ended_on=date(2025, 2, 1),
                                         end_reason=EndReason.OTHER), "ended_on")


def test_end_without_reason_is_refused(pair, staff_lishi, child_lishi, mother_lishi):
    pairing = pair(child_lishi, mother_lishi)
    refused(lambda: services.pairing_end(actor=staff_lishi, pairing=pairing, ended_on=date(2025, 6, 1),
                                         end_reason=""), "end_reason")


def test_ending_twice_is_refused(pair, staff_lishi, child_lishi, mother_lishi):
    pairing = pair(child_lishi, mother_lishi)
    services.pairing_end(actor=staff_lishi, pairing=pairing, ended_on=date(2025, 6, 1), end_reason=EndReason.OTHER)
    refused(lambda: services.pairing_end(actor=staff_lishi, pairing=pairing, ended_on=date(2025, 6, 2),
                                         end_reason=EndReason.OTHER), "ended_on")


def test_ending_a_lead_with_helpers_requires_a_new_lead(pair, make_volunteer, staff_lishi, child_lishi,
                                                         mother_lishi):
    lead = pair(child_lishi, mother_lishi)
    pair(child_lishi, make_volunteer(staff_lishi, name="医生张"), HELPER)
    refused(lambda: services.pairing_end(actor=staff_lishi, pairing=lead, ended_on=date(2025, 6, 1),
                                         end_reason=EndReason.VOLUNTEER_LEFT), "new_lead")


def test_promoting_a_helper_to_lead(pair, make_volunteer, staff_lishi, child_lishi, mother_lishi):
    lead = pair(child_lishi, mother_lishi)
    doctor = make_volunteer(staff_lishi, name="医生张")
    helper = pair(child_lishi, doctor, HELPER)
    new = services.pairing_end(actor=staff_lishi, pairing=lead, ended_on=date(2025, 6, 1),
                               end_reason=EndReason.REASSIGNED, new_lead=doctor)
    assert (new.volunteer, new.role, new.started_on) == (doctor, LEAD, date(2025, 6, 1))
    helper.refresh_from_db()
    assert (helper.ended_on, helper.end_reason) == (date(2025, 6, 1), EndReason.REASSIGNED)
    assert Pairing.objects.filter(child=child_lishi).count() == 3  # old lead, old helper row, new lead


def test_new_lead_from_outside_the_helpers(pair, make_volunteer, staff_lishi, child_lishi, mother_lishi):
    lead = pair(child_lishi, mother_lishi)
    helper = pair(child_lishi, make_volunteer(staff_lishi, name="医生张"), HELPER)
    other = make_volunteer(staff_lishi, name="王翠花")
    new = services.pairing_end(actor=staff_lishi, pairing=lead, ended_on=date(2025, 6, 1),
                               end_reason=EndReason.VOLUNTEER_LEFT, new_lead=other)
    assert new.volunteer == other
    helper.refresh_from_db()
    assert helper.is_active  # the helper stays beside the new lead


def test_new_lead_out_of_scope_rolls_the_end_back(pair, make_volunteer, staff_lishi, child_lishi, mother_lishi,
                                                   mother_yuci):
    lead = pair(child_lishi, mother_lishi)
    pair(child_lishi, make_volunteer(staff_lishi, name="医生张"), HELPER)
    refused(lambda: services.pairing_end(actor=staff_lishi, pairing=lead, ended_on=date(2025, 6, 1),
                                         end_reason=EndReason.VOLUNTEER_LEFT, new_lead=mother_yuci), "new_lead")


def test_out_of_scope_pairing_cannot_be_ended(pair, staff_yuci, child_lishi, mother_lishi):
    pairing = pair(child_lishi, mother_lishi)
    with pytest.raises(Pairing.DoesNotExist):
        services.pairing_end(actor=staff_yuci, pairing=pairing, ended_on=date(2025, 6, 1), end_reason=EndReason.OTHER)


def test_child_exit_ends_its_pairings(pair, make_volunteer, staff_lishi, child_lishi, mother_lishi):
    pair(child_lishi, mother_lishi)
    pair(child_lishi, make_volunteer(staff_lishi, name="医生张"), HELPER)
    child_services.child_exit(actor=staff_lishi, child=child_lishi, reason=ExitReason.AGED_OUT,
                              exited_on=date(2025, 7, 1))
    rows = Pairing.objects.filter(child=child_lishi)
    assert rows.count() == 2
    assert set(rows.values_list("ended_on", "end_reason")) == {(date(2025, 7, 1), EndReason.CHILD_EXITED)}


def test_volunteer_deactivation_ends_hers_and_lists_children_needing_a_lead(pair, make_child, make_volunteer,
                                                                             staff_lishi, mother_lishi):
    led = make_child(staff_lishi, name="甲小一")
    helped = make_child(staff_lishi, name="乙小二")
    pair(led, mother_lishi)
    pair(helped, make_volunteer(staff_lishi, name="王翠花"))
    pair(helped, mother_lishi, HELPER)
    needing = volunteer_services.volunteer_set_status(actor=staff_lishi, volunteer=mother_lishi,
                                                      status=VolunteerStatus.INACTIVE, effective_on=date(2025, 8, 1),
                                                      reason="调离本地")
    assert needing == [led]
    assert not Pairing.objects.filter(volunteer=mother_lishi).active().exists()
    assert set(Pairing.objects.filter(volunteer=mother_lishi).values_list("end_reason", flat=True)) == {
        EndReason.VOLUNTEER_LEFT}


def test_history_is_never_deleted(pair, make_volunteer, staff_lishi, child_lishi, mother_lishi):
    first = pair(child_lishi, mother_lishi)
    services.pairing_end(actor=staff_lishi, pairing=first, ended_on=date(2025, 4, 1), end_reason=EndReason.OTHER)
    second = pair(child_lishi, make_volunteer(staff_lishi, name="王翠花"), started_on=date(2025, 4, 1))
    services.pairing_end(actor=staff_lishi, pairing=second, ended_on=date(2025, 5, 1), end_reason=EndReason.OTHER)
    pair(child_lishi, mother_lishi, started_on=date(2025, 5, 2))  # the first mother again
    rows = list(Pairing.objects.filter(child=child_lishi).order_by("started_on").values_list("started_on", "ended_on"))
    assert rows == [(START, date(2025, 4, 1)), (date(2025, 4, 1), date(2025, 5, 1)), (date(2025, 5, 2), None)]


def test_children_needing_lead_lists_only_active_unled_children_in_scope(pair, make_child, staff_lishi,
                                                                          child_lishi, child_yuci, mother_lishi):
    led = make_child(staff_lishi, name="甲小一")
    pair(led, mother_lishi)
    exited = make_child(staff_lishi, name="乙小二")
    child_services.child_exit(actor=staff_lishi, child=exited, reason=ExitReason.MOVED_AWAY,
                              exited_on=date(2025, 1, 10))
    assert list(services.children_needing_lead(actor=staff_lishi)) == [child_lishi]
