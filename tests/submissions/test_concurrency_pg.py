"""Two people sending the same month at once, in two real concurrent transactions (PostgreSQL only:
SQLite serialises writers on the whole file, so there is no race to test there). Exactly one sends it;
the other is told it is already sent, and the submission was sent — and its figures frozen — once.

Each thread has its own database connection (Django's connections are per thread); a Barrier releases
both right before ``submission_submit`` so their transactions overlap."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from accounts.roles import Role
from submissions import services
from submissions.models import Submission, SubmissionStatus
from tests.factories import UserFactory
from tests.pairing.test_concurrency_pg import race
from tests.submissions.conftest import write

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (row locks, concurrent transactions)"),
    pytest.mark.django_db(transaction=True),
]


def test_two_people_sending_the_same_month(regions, staff_binhe, leader_binhe):
    colleague = UserFactory(username="admin_binhe", name="钱英", role=Role.ADMIN, region=regions.lishi_township)
    submission = write(staff_binhe, regions.lishi_township, leader_binhe)
    results = race(
        lambda: services.submission_submit(actor=staff_binhe, submission=submission.pk),
        lambda: services.submission_submit(actor=colleague, submission=submission.pk),
    )
    won = [r for r in results if isinstance(r, Submission)]
    lost = [r for r in results if isinstance(r, ValidationError)]
    assert len(won) == 1 and len(lost) == 1, results
    assert lost[0].message_dict == {"status": ["这份报送已是“已报送”状态，不能再次报送。"]}
    stored = Submission.objects.get(pk=submission.pk)
    assert stored.status == SubmissionStatus.SUBMITTED and stored.submitted_by == won[0].submitted_by
    assert stored.status_changes.filter(to_status=SubmissionStatus.SUBMITTED).count() == 1


def test_two_people_starting_the_same_draft(regions, staff_binhe):
    colleague = UserFactory(username="admin_binhe", name="钱英", role=Role.ADMIN, region=regions.lishi_township)
    results = race(
        lambda: services.submission_get_or_create_draft(actor=staff_binhe, region=regions.lishi_township.code,
                                                        month="2027-02"),
        lambda: services.submission_get_or_create_draft(actor=colleague, region=regions.lishi_township.code,
                                                        month="2027-02"),
    )
    assert all(isinstance(r, tuple) for r in results), results
    assert sorted(created for _submission, created in results) == [False, True]
    assert results[0][0].pk == results[1][0].pk and Submission.objects.count() == 1
