"""The status moves of a submission (submissions.models.TRANSITIONS), through the model's verbs: each
allowed move is made and recorded as a SubmissionStatusChange row; each other one is refused with a
Chinese message on ``status`` and changes nothing."""

from itertools import product

import pytest
from django.core.exceptions import ValidationError

from submissions.models import TRANSITIONS, Submission, SubmissionStatus, SubmissionStatusChange
from tests.submissions.conftest import MONTH

pytestmark = pytest.mark.django_db

TARGETS = (SubmissionStatus.SUBMITTED, SubmissionStatus.RETURNED, SubmissionStatus.ACCEPTED)
MOVES = list(product(SubmissionStatus.values, TARGETS))


def move(submission: Submission, to: str, actor):
    if to == SubmissionStatus.SUBMITTED:
        return submission.submit(actor=actor, figures={"children_active": 3})
    if to == SubmissionStatus.RETURNED:
        return submission.return_for_changes(actor=actor, reason="数据有误")
    return submission.accept(actor=actor)


@pytest.fixture
def make_submission(regions, staff_binhe, leader_binhe):
    def make(status: str) -> Submission:
        return Submission.objects.create(region=regions.lishi_township, month=MONTH, status=status,
                                         prepared_by=staff_binhe, reviewed_by=leader_binhe)

    return make


def test_the_transitions():
    assert {
        SubmissionStatus.DRAFT: {SubmissionStatus.SUBMITTED},
        SubmissionStatus.SUBMITTED: {SubmissionStatus.RETURNED, SubmissionStatus.ACCEPTED},
        SubmissionStatus.RETURNED: {SubmissionStatus.SUBMITTED},
        SubmissionStatus.ACCEPTED: set(),
    } == TRANSITIONS


@pytest.mark.parametrize(("start", "to"), [m for m in MOVES if m[1] in TRANSITIONS[m[0]]],
                         ids=[f"{a}->{b}" for a, b in MOVES if b in TRANSITIONS[a]])
def test_an_allowed_move_is_made_and_recorded(make_submission, staff_lishi, start, to):
    submission = make_submission(start)
    change = move(submission, to, staff_lishi)
    submission.refresh_from_db()
    assert submission.status == to
    assert (change.from_status, change.to_status, change.actor) == (start, to, staff_lishi)
    assert list(SubmissionStatusChange.objects.filter(submission=submission)) == [change]


@pytest.mark.parametrize(("start", "to"), [m for m in MOVES if m[1] not in TRANSITIONS[m[0]]],
                         ids=[f"{a}->{b}" for a, b in MOVES if b not in TRANSITIONS[a]])
def test_a_refused_move_says_why_and_changes_nothing(make_submission, staff_lishi, start, to):
    submission = make_submission(start)
    with pytest.raises(ValidationError) as refused:
        move(submission, to, staff_lishi)
    message = refused.value.message_dict["status"][0]
    assert str(SubmissionStatus(start).label) in message and "报送" in message
    submission.refresh_from_db()
    assert (submission.status, submission.figures, submission.returned_reason) == (start, {}, "")
    assert not SubmissionStatusChange.objects.filter(submission=submission).exists()


def test_sending_freezes_the_figures_and_stamps_the_sender(make_submission, staff_binhe):
    submission = make_submission(SubmissionStatus.DRAFT)
    submission.submit(actor=staff_binhe, figures={"children_active": 3})
    submission.refresh_from_db()
    assert submission.figures == {"children_active": 3}
    assert submission.submitted_by == staff_binhe and submission.submitted_at is not None


def test_returning_keeps_the_reason_and_sending_again_clears_it(make_submission, staff_binhe, staff_lishi):
    submission = make_submission(SubmissionStatus.SUBMITTED)
    submission.return_for_changes(actor=staff_lishi, reason="走访次数与台账不符")
    assert (submission.returned_reason, submission.returned_by) == ("走访次数与台账不符", staff_lishi)
    submission.submit(actor=staff_binhe, figures={})
    submission.refresh_from_db()
    assert submission.returned_reason == ""
    assert [c.reason for c in submission.status_changes.all()] == ["走访次数与台账不符", ""]
