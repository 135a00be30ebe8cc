"""submissions.services: who may start, write, send, return and accept a submission, and every bad input
of issue 11 — each refused with a Chinese message naming the field, changing nothing."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Region
from accounts.roles import Role
from submissions import services
from submissions.models import Submission, SubmissionStatus, SubmissionStatusChange
from tests.factories import UserFactory
from tests.submissions.conftest import MONTH, SECTIONS, write

pytestmark = pytest.mark.django_db


def errors_of(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        call()
    return refused.value.message_dict


# --- starting the draft ---------------------------------------------------------------------------

def test_the_regions_staff_start_a_draft_they_prepare(regions, staff_binhe):
    submission, created = services.submission_get_or_create_draft(actor=staff_binhe, region=regions.lishi_township,
                                                                  month="2027-02")
    assert created and submission.status == SubmissionStatus.DRAFT and submission.month == MONTH
    assert submission.prepared_by == staff_binhe
    change = submission.status_changes.get()
    assert (change.from_status, change.to_status, change.actor) == ("", SubmissionStatus.DRAFT, staff_binhe)


def test_asking_again_returns_the_same_submission(regions, staff_binhe):
    first, _created = services.submission_get_or_create_draft(actor=staff_binhe, region=regions.lishi_township,
                                                              month=MONTH)
    again, created = services.submission_get_or_create_draft(actor=staff_binhe, region=regions.lishi_township.code,
                                                             month="2027-02")
    assert again == first and not created and Submission.objects.count() == 1


def test_a_region_outside_ones_scope_does_not_exist(regions, staff_yuci):
    with pytest.raises(Region.DoesNotExist):
        services.submission_get_or_create_draft(actor=staff_yuci, region=regions.lishi.code, month=MONTH)
    assert not Submission.objects.exists()


def test_a_future_month_is_refused(regions, staff_binhe):
    errors = errors_of(lambda: services.submission_get_or_create_draft(actor=staff_binhe,
                                                                       region=regions.lishi_township, month="2027-04"))
    assert errors == {"month": ["2027-04 尚未到来。"]}
    assert not Submission.objects.exists()


def test_the_current_month_may_be_drafted_early(regions, staff_binhe):
    submission, created = services.submission_get_or_create_draft(actor=staff_binhe, region=regions.lishi_township,
                                                                  month="2027-03")
    assert created and submission.month == date(2027, 3, 1)


def test_a_malformed_region_and_month_are_named_together(staff_binhe):
    errors = errors_of(lambda: services.submission_get_or_create_draft(actor=staff_binhe, region="1411", month="2"))
    assert set(errors) == {"region", "month"}


@pytest.mark.parametrize("level", ["lishi_village", "shanxi"])
def test_villages_and_the_province_send_no_submission(regions, superuser, level):
    errors = errors_of(lambda: services.submission_get_or_create_draft(actor=superuser,
                                                                       region=getattr(regions, level), month=MONTH))
    assert "不需要报送" in errors["region"][0]


def test_a_county_does_not_write_its_townships_submission(regions, staff_lishi):
    with pytest.raises(PermissionDenied, match="滨河街道的月度报送由该单位的工作人员填报"):
        services.submission_get_or_create_draft(actor=staff_lishi, region=regions.lishi_township, month=MONTH)
    assert not Submission.objects.exists()


def test_a_read_only_leader_writes_nothing(regions, leader_binhe):
    with pytest.raises(PermissionDenied, match="只读领导可以查看"):
        services.submission_get_or_create_draft(actor=leader_binhe, region=regions.lishi_township, month=MONTH)


# --- writing --------------------------------------------------------------------------------------

def test_the_draft_takes_the_written_sections_and_sign_off(regions, staff_binhe, leader_binhe):
    submission = write(staff_binhe, regions.lishi_township, leader_binhe)
    submission.refresh_from_db()
    assert (submission.work_done, submission.reviewed_by, submission.contact_phone) == (
        SECTIONS["work_done"], leader_binhe, "0358-8221234")


def test_the_reviewer_must_work_in_the_region(regions, staff_binhe, staff_lishi):
    submission, _created = services.submission_get_or_create_draft(actor=staff_binhe, region=regions.lishi_township,
                                                                   month=MONTH)
    errors = errors_of(lambda: services.submission_update(actor=staff_binhe, submission=submission,
                                                          reviewed_by=staff_lishi))
    assert "滨河街道" in errors["reviewed_by"][0]
    submission.refresh_from_db()
    assert submission.reviewed_by is None


def test_a_malformed_phone_is_refused(regions, staff_binhe):
    submission, _created = services.submission_get_or_create_draft(actor=staff_binhe, region=regions.lishi_township,
                                                                   month=MONTH)
    errors = errors_of(lambda: services.submission_update(actor=staff_binhe, submission=submission,
                                                          contact_phone="电话号码", work_done="写了"))
    assert "联系电话" in errors["contact_phone"][0]
    submission.refresh_from_db()
    assert (submission.contact_phone, submission.work_done) == ("", "")


def test_a_submitted_one_cannot_be_edited(regions, staff_binhe, leader_binhe, send):
    submission = send(staff_binhe, regions.lishi_township, leader_binhe)
    errors = errors_of(lambda: services.submission_update(actor=staff_binhe, submission=submission,
                                                          work_done="改一下"))
    assert errors == {"status": ["这份报送已是“已报送”状态，不能再修改。"]}
    submission.refresh_from_db()
    assert submission.work_done == SECTIONS["work_done"]


def test_a_returned_one_is_editable_again(regions, staff_binhe, leader_binhe, staff_lishi, send):
    submission = send(staff_binhe, regions.lishi_township, leader_binhe)
    services.submission_return(actor=staff_lishi, submission=submission, reason="请补充问题")
    services.submission_update(actor=staff_binhe, submission=submission, problems="补充：两名儿童转学。")
    submission.refresh_from_db()
    assert submission.problems == "补充：两名儿童转学。"


# --- sending --------------------------------------------------------------------------------------

def test_sending_names_each_missing_section(regions, staff_binhe, leader_binhe):
    submission = write(staff_binhe, regions.lishi_township, leader_binhe, work_done="", next_steps=" ")
    errors = errors_of(lambda: services.submission_submit(actor=staff_binhe, submission=submission))
    assert errors == {"work_done": ["报送前请填写“工作开展情况”。"], "next_steps": ["报送前请填写“下步打算”。"]}
    submission.refresh_from_db()
    assert (submission.status, submission.figures) == (SubmissionStatus.DRAFT, {})


def test_the_reviewer_cannot_be_the_preparer(regions, staff_binhe):
    submission = write(staff_binhe, regions.lishi_township, staff_binhe)
    errors = errors_of(lambda: services.submission_submit(actor=staff_binhe, submission=submission))
    assert errors == {"reviewed_by": ["审核人不能是填报人本人，请选择其他人员。"]}
    assert Submission.objects.get().status == SubmissionStatus.DRAFT


def test_a_reviewer_and_a_phone_are_needed(regions, staff_binhe):
    submission = write(staff_binhe, regions.lishi_township, None, contact_phone="")
    errors = errors_of(lambda: services.submission_submit(actor=staff_binhe, submission=submission))
    assert set(errors) == {"reviewed_by", "contact_phone"}


def test_a_month_is_sent_once_it_has_ended(regions, staff_binhe, leader_binhe):
    submission = write(staff_binhe, regions.lishi_township, leader_binhe, month=date(2027, 3, 1))
    errors = errors_of(lambda: services.submission_submit(actor=staff_binhe, submission=submission))
    assert errors == {"month": ["2027-03尚未结束：2027-04-01起才能报送。"]}


@pytest.mark.parametrize("today", [date(2027, 3, 1), date(2028, 3, 1)], ids=["1st", "after-feb-29"])
def test_february_is_sent_from_the_first_of_march(regions, staff_binhe, leader_binhe, today):
    month = date(today.year, 2, 1)
    submission = write(staff_binhe, regions.lishi_township, leader_binhe, month=month)
    services.submission_submit(actor=staff_binhe, submission=submission, today=today)
    assert Submission.objects.get().status == SubmissionStatus.SUBMITTED
    errors = errors_of(lambda: services.submission_submit(actor=staff_binhe, submission=submission, today=today))
    assert "不能再次报送" in errors["status"][0]


def test_sending_twice_is_refused(regions, staff_binhe, leader_binhe, send):
    submission = send(staff_binhe, regions.lishi_township, leader_binhe)
    errors = errors_of(lambda: services.submission_submit(actor=staff_binhe, submission=submission))
    assert errors == {"status": ["这份报送已是“已报送”状态，不能再次报送。"]}
    assert submission.status_changes.count() == 2  # started, sent


def test_the_county_does_not_send_its_townships_submission(regions, staff_binhe, leader_binhe, staff_lishi):
    submission = write(staff_binhe, regions.lishi_township, leader_binhe)
    with pytest.raises(PermissionDenied):
        services.submission_submit(actor=staff_lishi, submission=submission)
    assert Submission.objects.get().status == SubmissionStatus.DRAFT


def test_another_county_cannot_reach_it(regions, staff_binhe, leader_binhe, staff_yuci, send):
    submission = send(staff_binhe, regions.lishi_township, leader_binhe)
    for call in (services.submission_submit, services.submission_accept):
        with pytest.raises(Submission.DoesNotExist):
            call(actor=staff_yuci, submission=submission)
    with pytest.raises(Submission.DoesNotExist):
        services.submission_return(actor=staff_yuci, submission=submission, reason="不是我们的")


# --- returning and accepting ----------------------------------------------------------------------

def test_the_county_returns_with_a_reason(regions, staff_binhe, leader_binhe, staff_lishi, send):
    submission = send(staff_binhe, regions.lishi_township, leader_binhe)
    services.submission_return(actor=staff_lishi, submission=submission, reason="  活动次数与台账不符  ")
    submission.refresh_from_db()
    assert (submission.status, submission.returned_reason, submission.returned_by) == (
        SubmissionStatus.RETURNED, "活动次数与台账不符", staff_lishi)


def test_returning_without_a_reason_is_refused(regions, staff_binhe, leader_binhe, staff_lishi, send):
    submission = send(staff_binhe, regions.lishi_township, leader_binhe)
    errors = errors_of(lambda: services.submission_return(actor=staff_lishi, submission=submission, reason="  "))
    assert errors == {"reason": ["请填写退回原因。"]}
    assert Submission.objects.get().status == SubmissionStatus.SUBMITTED


def test_the_county_accepts(regions, staff_binhe, leader_binhe, staff_lishi, send):
    submission = send(staff_binhe, regions.lishi_township, leader_binhe)
    services.submission_accept(actor=staff_lishi, submission=submission)
    submission.refresh_from_db()
    assert (submission.status, submission.accepted_by) == (SubmissionStatus.ACCEPTED, staff_lishi)


def test_the_city_above_the_county_may_accept_a_township_too(regions, staff_binhe, leader_binhe, staff_lvliang,
                                                             send):
    submission = send(staff_binhe, regions.lishi_township, leader_binhe)
    services.submission_accept(actor=staff_lvliang, submission=submission)
    assert Submission.objects.get().status == SubmissionStatus.ACCEPTED


def test_accepting_ones_own_submission_is_refused(regions, staff_binhe, leader_binhe, send):
    submission = send(staff_binhe, regions.lishi_township, leader_binhe)
    colleague = UserFactory(username="admin_binhe", role=Role.ADMIN, region=regions.lishi_township)
    for actor in (staff_binhe, colleague):
        with pytest.raises(PermissionDenied, match="本单位的报送由上级退回或接收"):
            services.submission_accept(actor=actor, submission=submission)
    assert Submission.objects.get().status == SubmissionStatus.SUBMITTED


def test_a_superuser_who_sent_it_does_not_accept_it(regions, superuser, leader_binhe, send):
    submission = send(superuser, regions.lishi_township, leader_binhe)
    with pytest.raises(PermissionDenied, match="填报人、审核人或报送人"):
        services.submission_accept(actor=superuser, submission=submission)


def test_a_read_only_leader_above_neither_returns_nor_accepts(regions, staff_binhe, leader_binhe, viewer_lvliang,
                                                              send):
    submission = send(staff_binhe, regions.lishi_township, leader_binhe)
    with pytest.raises(PermissionDenied, match="只读领导只能查看"):
        services.submission_accept(actor=viewer_lvliang, submission=submission)
    with pytest.raises(PermissionDenied):
        services.submission_return(actor=viewer_lvliang, submission=submission, reason="看看")
    assert Submission.objects.get().status == SubmissionStatus.SUBMITTED


def test_a_township_cannot_reach_its_countys_submission(regions, staff_lishi, admin_lishi, staff_binhe, send):
    submission = send(staff_lishi, regions.lishi, admin_lishi)
    with pytest.raises(Submission.DoesNotExist):
        services.submission_accept(actor=staff_binhe, submission=submission)


def test_only_a_submitted_one_is_returned_or_accepted(regions, staff_binhe, leader_binhe, staff_lishi):
    submission = write(staff_binhe, regions.lishi_township, leader_binhe)
    errors = errors_of(lambda: services.submission_accept(actor=staff_lishi, submission=submission))
    assert errors == {"status": ["只有已报送的报送才能接收；这份报送的状态是“草稿”。"]}
    errors = errors_of(lambda: services.submission_return(actor=staff_lishi, submission=submission, reason="退"))
    assert "才能退回" in errors["status"][0]
    assert SubmissionStatusChange.objects.filter(submission=submission).count() == 1


def test_sending_and_accepting_tell_the_people_concerned(regions, staff_binhe, leader_binhe, staff_lishi, send):
    submission = send(staff_binhe, regions.lishi_township, leader_binhe)
    assert [(n.recipient, n.kind) for n in staff_lishi.notifications.all()] == [(staff_lishi, "submission_sent")]
    services.submission_return(actor=staff_lishi, submission=submission, reason="请补充")
    returned = staff_binhe.notifications.get(kind="submission_returned")
    assert "请补充" in returned.body and "滨河街道" in returned.title
