"""Two staff members pairing at the same moment, in two real concurrent transactions (PostgreSQL only:
SQLite serialises writers on the whole file, so there is no race to test there).

Each thread has its own database connection (Django's connections are per thread); a Barrier
releases both right before ``pairing_create`` so their transactions overlap."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from pairing import services
from pairing.models import Pairing, PairingRole
from tests.pairing.conftest import START

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (row locks, concurrent transactions)"),
    pytest.mark.django_db(transaction=True),
]


def race(*calls) -> list:
    """Run each call in its own thread, all released together; returns each one's result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # the outcome is what the test inspects
            results[index] = exc
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a pairing transaction hung"
    return results


def split(results) -> tuple[list[Pairing], list[ValidationError]]:
    won = [r for r in results if isinstance(r, Pairing)]
    lost = [r for r in results if isinstance(r, ValidationError)]
    assert len(won) + len(lost) == len(results), results  # nothing else (no IntegrityError, no deadlock)
    return won, lost


def test_two_staff_pairing_the_same_child_as_lead(make_volunteer, staff_lishi, admin_lishi, child_lishi):
    first = make_volunteer(staff_lishi, name="刘秀兰")
    second = make_volunteer(staff_lishi, name="王翠花")
    won, lost = split(race(
        lambda: services.pairing_create(actor=staff_lishi, child=child_lishi.pk, volunteer=first.pk,
                                        role=PairingRole.LEAD, started_on=START),
        lambda: services.pairing_create(actor=admin_lishi, child=child_lishi.pk, volunteer=second.pk,
                                        role=PairingRole.LEAD, started_on=START),
    ))
    assert len(won) == 1 and len(lost) == 1
    message = lost[0].message_dict["role"][0]
    assert child_lishi.name in message and won[0].volunteer.name in message  # "王小雨 already has a lead: 刘秀兰"
    leads = Pairing.objects.filter(child=child_lishi, role=PairingRole.LEAD, ended_on__isnull=True)
    assert list(leads.values_list("volunteer_id", flat=True)) == [won[0].volunteer_id]


def test_two_staff_filling_the_last_place_of_one_mother(make_volunteer, make_child, staff_lishi, admin_lishi):
    mother = make_volunteer(staff_lishi, name="孙玉兰", capacity=1)
    a = make_child(staff_lishi, name="甲小一")
    b = make_child(staff_lishi, name="乙小二")
    won, lost = split(race(
        lambda: services.pairing_create(actor=staff_lishi, child=a.pk, volunteer=mother.pk, role=PairingRole.LEAD,
                                        started_on=START),
        lambda: services.pairing_create(actor=admin_lishi, child=b.pk, volunteer=mother.pk, role=PairingRole.LEAD,
                                        started_on=START),
    ))
    assert len(won) == 1 and len(lost) == 1
    assert "孙玉兰" in lost[0].message_dict["volunteer"][0]
    assert Pairing.objects.filter(volunteer=mother, role=PairingRole.LEAD, ended_on__isnull=True).count() == 1
