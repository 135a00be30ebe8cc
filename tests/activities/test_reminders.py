"""Daily reminders (activities.reminders, activities.tasks), pluggable delivery (activities.delivery), the
notifications page and the unread badge.

The ledger is ``contact_ledger`` (tests/activities/conftest.py): ``volunteer_lishi`` leads red_recent
(not due), red_late (overdue) and yellow_due (due today); ``mother_lishi``, who has no login, leads
three more (two overdue); 榆次区 has one overdue child."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from activities import reminders
from activities.delivery import RecordingBackend
from activities.models import Notification
from activities.tasks import send_daily_reminders
from tests.factories import UserFactory, ensure_region

pytestmark = pytest.mark.django_db

RECORDING = ["activities.delivery.InAppBackend", "activities.delivery.RecordingBackend"]


class FailingBackend:
    """A channel that is down (an SMS gateway timing out)."""

    def deliver(self, notification):
        raise ConnectionError("gateway down")


@pytest.fixture
def outbox(settings):
    settings.NOTIFICATION_BACKENDS = RECORDING
    RecordingBackend.reset()
    yield RecordingBackend.outbox
    RecordingBackend.reset()


def notes_for(user):
    return list(Notification.objects.filter(recipient=user))


# --- the caring mother's reminder -----------------------------------------------------------------

def test_a_volunteer_gets_one_notification_listing_her_due_and_overdue_children(contact_ledger, volunteer_lishi):
    reminders.send_daily(today=contact_ledger.today)
    [note] = notes_for(volunteer_lishi)
    assert note.kind == "due" and note.dedupe_key == f"due:{contact_ledger.today.isoformat()}"
    assert "红迟" in note.body and "黄到" in note.body  # given names: overdue, and due today
    assert "红近" not in note.body  # not due yet


def test_the_reminder_lists_the_most_overdue_child_first(contact_ledger, volunteer_lishi):
    reminders.send_daily(today=contact_ledger.today)
    [note] = notes_for(volunteer_lishi)
    assert note.body.splitlines()[0].startswith("红迟")


def test_the_reminder_names_children_by_given_name_only(contact_ledger, volunteer_lishi):
    reminders.send_daily(today=contact_ledger.today)
    [note] = notes_for(volunteer_lishi)
    assert contact_ledger.red_late.name not in note.body


def test_a_caring_mother_without_a_login_gets_nothing(contact_ledger, volunteer_lishi, mother_lishi):
    reminders.send_daily(today=contact_ledger.today)
    [note] = Notification.objects.filter(kind="due")  # mother_lishi's overdue children go to nobody
    assert note.recipient == volunteer_lishi and "绿迟" not in note.body


def test_a_volunteer_with_nothing_due_gets_nothing(contact_ledger, volunteer_lishi):
    reminders.send_daily(today=contact_ledger.today - timedelta(days=2))  # two days ago none of hers was due
    assert notes_for(volunteer_lishi) == []


def test_a_deactivated_login_gets_no_reminder(contact_ledger, volunteer_lishi):
    volunteer_lishi.is_active = False
    volunteer_lishi.save(update_fields=["is_active"])
    reminders.send_daily(today=contact_ledger.today)
    assert notes_for(volunteer_lishi) == []


# --- the staff digest -----------------------------------------------------------------------------

def test_staff_get_a_digest_of_the_overdue_children_in_their_subtree(contact_ledger, staff_lishi):
    reminders.send_daily(today=contact_ledger.today)
    [note] = notes_for(staff_lishi)
    assert note.kind == "digest" and "3" in note.title
    assert note.dedupe_key == f"digest:{contact_ledger.today.isoformat()}"


def test_staff_lishi_s_digest_never_counts_yuci(contact_ledger, staff_lishi, staff_yuci):
    reminders.send_daily(today=contact_ledger.today)
    [lishi], [yuci] = notes_for(staff_lishi), notes_for(staff_yuci)
    assert "3" in lishi.title and "4" not in lishi.title
    assert "1" in yuci.title and "3" not in yuci.title


def test_overdue_counts_are_summed_up_the_tree(contact_ledger):
    totals = reminders.overdue_by_prefix(today=contact_ledger.today, rhythms=reminders.load_rhythms(everything=True))
    assert (totals["141102"]["overdue"], totals["140702"]["overdue"], totals["14"]["overdue"]) == (3, 1, 4)
    assert (totals["14"]["red"], totals["14"]["green"]) == (2, 2)


def test_the_province_admin_s_digest_counts_the_whole_province(contact_ledger, admin_province):
    reminders.send_daily(today=contact_ledger.today)
    [note] = notes_for(admin_province)
    assert "4" in note.title


def test_viewers_get_no_digest(contact_ledger, viewer_lvliang):
    reminders.send_daily(today=contact_ledger.today)
    assert notes_for(viewer_lvliang) == []


def test_staff_with_nothing_overdue_in_their_subtree_get_no_digest(regions, contact_ledger):
    township_staff = UserFactory(username="staff_township_b", role="staff", region=ensure_region("141102002000"))
    reminders.send_daily(today=contact_ledger.today)
    assert notes_for(township_staff) == []


# --- idempotence and delivery ---------------------------------------------------------------------

def test_running_twice_the_same_day_creates_nothing_new(contact_ledger, staff_lishi, volunteer_lishi):
    first = reminders.send_daily(today=contact_ledger.today)
    before = Notification.objects.count()
    second = reminders.send_daily(today=contact_ledger.today)
    assert (first.volunteers, first.staff) == (1, 2)
    assert (second.volunteers, second.staff) == (0, 0)
    assert Notification.objects.count() == before


def test_the_next_day_brings_new_reminders(contact_ledger, volunteer_lishi):
    reminders.send_daily(today=contact_ledger.today)
    reminders.send_daily(today=contact_ledger.today + timedelta(days=1))
    assert len(notes_for(volunteer_lishi)) == 2


def test_the_recording_backend_receives_each_new_notification(contact_ledger, staff_lishi, volunteer_lishi, outbox):
    reminders.send_daily(today=contact_ledger.today)
    assert sorted((n.recipient_id, n.kind) for n in outbox) == sorted(
        [(volunteer_lishi.pk, "due"), (staff_lishi.pk, "digest"),
         (Notification.objects.get(title__contains="榆次区").recipient_id, "digest")])


def test_a_second_run_delivers_nothing(contact_ledger, outbox):
    reminders.send_daily(today=contact_ledger.today)
    RecordingBackend.reset()
    reminders.send_daily(today=contact_ledger.today)
    assert outbox == []


def test_a_failing_backend_loses_no_notification_and_blocks_no_other(contact_ledger, settings):
    settings.NOTIFICATION_BACKENDS = ["tests.activities.test_reminders.FailingBackend",
                                      "activities.delivery.RecordingBackend"]
    RecordingBackend.reset()
    run = reminders.send_daily(today=contact_ledger.today)
    assert Notification.objects.count() == run.volunteers + run.staff == 3
    assert len(RecordingBackend.outbox) == 3
    RecordingBackend.reset()


def test_the_default_backend_is_in_app_only():
    assert settings.NOTIFICATION_BACKENDS == ["activities.delivery.InAppBackend"]


def test_the_daily_run_is_a_fixed_number_of_queries(contact_ledger, make_child, pair, make_volunteer, staff_lishi,
                                                    django_assert_max_num_queries):
    from children import services as child_services

    today = contact_ledger.today
    for i in range(4):  # four more caring mothers, each with a login and an overdue child
        mother = make_volunteer(staff_lishi, name=f"多妈{i}")
        mother.user = UserFactory(username=f"mother{i}", role="volunteer", region=mother.region)
        mother.save(update_fields=["user"])
        child = make_child(staff_lishi, name=f"多红{i}", birth_date=contact_ledger.red_late.birth_date)
        child_services.child_assess(actor=staff_lishi, child=child, color="red", reasons=["safety"], assessed_on=today)
        pair(child, mother, started_on=today - timedelta(days=20))
    # 1 the rhythms; 2 the due children with their leads' logins; 3 the stored keys of today's
    # reminders; 4–6 savepoint, insert, release; 7 the overdue counts per region; 8 the staff users;
    # 9 the stored keys of today's digests; 10–12 savepoint, insert, release; 13 the overdue case-plan
    # actions per owner (none here, so nothing more: casework.reminders); 14 the regions' commitment
    # plans, 15 the lead pairings of children with a birthday near (none here, so nothing more:
    # activities.occasion_reminders); 16 the recipients' e-mail/SMS choices (activities.delivery;
    # nobody chose any, so nothing more).
    with django_assert_max_num_queries(16):
        run = reminders.send_daily(today=today)
    assert run.volunteers == 5


# --- the task and the schedule --------------------------------------------------------------------

def test_the_task_runs_the_daily_reminders(contact_ledger, volunteer_lishi):
    result = send_daily_reminders.apply().get()  # in-process even when REDIS_URL is set
    assert result["volunteers"] == 1
    assert len(notes_for(volunteer_lishi)) == 1


def test_the_task_is_acked_late_and_retried_on_database_errors():
    from django.db import OperationalError

    assert send_daily_reminders.acks_late is True
    assert OperationalError in send_daily_reminders.autoretry_for
    assert send_daily_reminders.max_retries >= 1


def test_beat_runs_the_reminders_daily_at_half_past_seven():
    [entry] = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "activities.tasks.send_daily_reminders"]
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({7}, {30})


# --- the notifications page and the badge ---------------------------------------------------------

def notify(user, title="提醒", key="k1", **fields):
    return Notification.objects.create(recipient=user, kind="due", title=title, dedupe_key=key, **fields)


def test_the_page_lists_only_the_user_s_own_notifications(client, volunteer_lishi, staff_lishi):
    notify(volunteer_lishi, "给妈妈的")
    notify(staff_lishi, "给员工的")
    client.force_login(volunteer_lishi)
    page = client.get(reverse("rhythm:notifications")).context["page"]
    assert [n.title for n in page] == ["给妈妈的"]


def test_marking_one_read(client, volunteer_lishi):
    note = notify(volunteer_lishi)
    client.force_login(volunteer_lishi)
    assert client.post(reverse("rhythm:notification-read", args=[note.pk])).status_code == 302
    note.refresh_from_db()
    assert note.read_at is not None


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, staff_lishi):
    note = notify(staff_lishi, link=reverse("rhythm:overdue"))
    client.force_login(staff_lishi)
    response = client.post(reverse("rhythm:notification-read", args=[note.pk]), {"open": "1"})
    assert response["Location"] == reverse("rhythm:overdue")


def test_an_outside_link_is_not_followed(client, staff_lishi):
    note = notify(staff_lishi, link="https://evil.example/")
    client.force_login(staff_lishi)
    response = client.post(reverse("rhythm:notification-read", args=[note.pk]), {"open": "1"})
    assert response["Location"] == reverse("rhythm:notifications")


def test_someone_else_s_notification_is_404(client, volunteer_lishi, staff_lishi):
    note = notify(staff_lishi)
    client.force_login(volunteer_lishi)
    assert client.post(reverse("rhythm:notification-read", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_marking_all_read_touches_only_the_user_s_own(client, volunteer_lishi, staff_lishi):
    notify(volunteer_lishi, key="a")
    notify(volunteer_lishi, key="b")
    other = notify(staff_lishi, key="a")
    client.force_login(volunteer_lishi)
    client.post(reverse("rhythm:notifications-read-all"))
    assert not Notification.objects.filter(recipient=volunteer_lishi, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_marking_read_needs_a_post(client, volunteer_lishi):
    note = notify(volunteer_lishi)
    client.force_login(volunteer_lishi)
    assert client.get(reverse("rhythm:notification-read", args=[note.pk])).status_code == 405


def test_the_badge_shows_the_unread_count_next_to_the_name(client, volunteer_lishi):
    notify(volunteer_lishi, key="a")
    notify(volunteer_lishi, key="b")
    notify(volunteer_lishi, key="c", read_at=timezone.now())
    client.force_login(volunteer_lishi)
    html = client.get(reverse("rhythm:notifications")).content.decode()
    assert '<span class="nb-badge"' in html and '">2</span>' in html


def test_no_badge_without_unread_notifications(client, volunteer_lishi):
    client.force_login(volunteer_lishi)
    assert "nb-badge" not in client.get(reverse("rhythm:notifications")).content.decode()


def test_the_badge_caps_at_99_plus(volunteer_lishi):
    from activities.context_processors import Badge

    Notification.objects.bulk_create([Notification(recipient=volunteer_lishi, kind="due", title="t",
                                                   dedupe_key=f"k{i}") for i in range(100)])
    assert Badge(volunteer_lishi).label == "99+"


def test_the_badge_costs_one_count_query(rf, volunteer_lishi, django_assert_num_queries):
    from activities.context_processors import badge

    request = rf.get("/")
    request.user = volunteer_lishi
    context = badge(request)
    with django_assert_num_queries(1):
        assert context["notification_badge"].count == 0
        assert context["notification_badge"].label == "0"


def test_the_badge_costs_nothing_for_an_anonymous_visitor(rf, db, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    from activities.context_processors import badge

    request = rf.get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert badge(request)["notification_badge"].count == 0


def test_the_notifications_page_runs_a_fixed_number_of_queries(client, volunteer_lishi, django_assert_num_queries):
    for i in range(5):
        notify(volunteer_lishi, key=f"k{i}")
    client.force_login(volunteer_lishi)
    # 1 session, 2 user, 3 the count, 4 one page of notifications, 5 the badge.
    with django_assert_num_queries(5):
        client.get(reverse("rhythm:notifications"))


def test_the_nav_offers_notifications_to_volunteers(client, volunteer_lishi):
    client.force_login(volunteer_lishi)
    urls = [url for _label, url in client.get(reverse("rhythm:notifications")).context["nav_items"]]
    assert reverse("rhythm:notifications") in urls
