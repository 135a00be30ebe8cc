"""Retention (children.retention, volunteers.retention): RETENTION_YEARS_AFTER_EXIT after an exit the
personal data goes, the statistics of past months stay; staff see it coming and may hold a record."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation

from accounts.models import AuditEvent
from activities.models import ActivityPhoto
from children import retention, services
from children.models import Child, Guardian, RiskAssessment, Status, StatusChange
from children.tasks import anonymise_due_records
from reports import stats
from tests import clock
from tests.activities.conftest import record  # noqa: F401
from tests.activities.test_photos import image_bytes
from tests.pairing.conftest import mother_lishi, pair  # noqa: F401
from tests.volunteers.conftest import make_volunteer  # noqa: F401
from volunteers import retention as volunteer_retention
from volunteers import services as volunteer_services

pytestmark = pytest.mark.django_db

ENTERED = date(2023, 9, 1)
EXITED = date(2024, 1, 10)  # due on 2027-01-10 with the default 3 years; the suite's today is 2027-03-15
PAST_MONTHS = [date(2023, m, 1) for m in (9, 10, 11, 12)] + [date(2024, 1, 1), date(2024, 2, 1)]


@pytest.fixture(autouse=True)
def _three_years(settings):
    settings.RETENTION_YEARS_AFTER_EXIT = 3


@pytest.fixture
def private_storage(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path


@pytest.fixture
def exited_child(make_child, staff_lishi):
    """A girl of 离石区 with everything personal filled in, exited on EXITED."""
    child = make_child(staff_lishi, name="王小雨", entered_on=ENTERED, school="东关小学", address="东关村3号",
                       parents_work_place="太原", notes="奶奶照看")
    services.child_exit(actor=staff_lishi, child=child, reason="moved_away", exited_on=EXITED)
    return Child.objects.get(pk=child.pk)


def exit_child(make_child, actor, *, on: date, name: str = "李小花", **fields) -> Child:
    child = make_child(actor, name=name, entered_on=ENTERED, **fields)
    services.child_exit(actor=actor, child=child, reason="moved_away", exited_on=on)
    return Child.objects.get(pk=child.pk)


def run_task() -> dict:
    return anonymise_due_records.apply().get()


# --- when a record is due ---------------------------------------------------------------------------

@pytest.mark.parametrize("years", [1, 3, 4])
def test_exit_cutoff_agrees_with_due_on_for_every_day(settings, years):
    settings.RETENTION_YEARS_AFTER_EXIT = years
    exits = [date(2023, 1, 1) + timedelta(days=n) for n in range(3 * 366)]
    for on in (date(2027, 2, 28), date(2027, 3, 1), date(2028, 2, 28), date(2028, 2, 29), date(2028, 3, 1),
               date(2026, 12, 31)):
        cutoff = retention.exit_cutoff(on)
        assert [e for e in exits if retention.due_on(e) <= on] == [e for e in exits if e <= cutoff]


def test_an_exit_on_29_february_is_due_on_1_march_three_years_later():
    assert retention.due_on(date(2024, 2, 29)) == date(2027, 3, 1)


def test_an_exit_on_29_february_is_not_anonymised_on_28_february(make_child, staff_lishi):
    child = exit_child(make_child, staff_lishi, on=date(2024, 2, 29))
    with clock.pinned(date(2027, 2, 28)):
        assert run_task() == {"children": 0, "volunteers": 0}
    assert Child.objects.get(pk=child.pk).anonymised_at is None


def test_an_exit_on_29_february_is_anonymised_on_1_march(make_child, staff_lishi):
    child = exit_child(make_child, staff_lishi, on=date(2024, 2, 29))
    with clock.pinned(date(2027, 3, 1)):
        assert run_task() == {"children": 1, "volunteers": 0}
    assert Child.objects.get(pk=child.pk).anonymised


def test_a_child_exited_less_than_the_period_ago_is_kept(make_child, staff_lishi, today):
    child = exit_child(make_child, staff_lishi, on=retention.exit_cutoff(today) + timedelta(days=1))
    run_task()
    assert Child.objects.get(pk=child.pk).anonymised_at is None


def test_a_child_exited_exactly_the_period_ago_is_anonymised(make_child, staff_lishi, today):
    child = exit_child(make_child, staff_lishi, on=retention.exit_cutoff(today))
    run_task()
    assert Child.objects.get(pk=child.pk).anonymised


def test_a_child_not_exited_is_never_anonymised(make_child, staff_lishi):
    child = make_child(staff_lishi, entered_on=ENTERED)
    run_task()
    assert Child.objects.get(pk=child.pk).anonymised_at is None


def test_the_beat_runs_the_task_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["retention-anonymise-due"]
    assert entry["task"] == anonymise_due_records.name


# --- what anonymisation removes and keeps -----------------------------------------------------------

def test_anonymisation_removes_the_personal_fields(exited_child):
    run_task()
    child = Child.objects.get(pk=exited_child.pk)
    assert (child.name, child.id_number_encrypted, child.id_number_digest, child.id_number_last4, child.address,
            child.school, child.parents_work_place, child.notes) == ("已匿名", "", "", "", "", "", "", "")


def test_anonymisation_deletes_the_guardians(exited_child):
    run_task()
    assert not Guardian.objects.filter(child=exited_child).exists()


def test_anonymisation_keeps_the_birth_year_only(exited_child):
    run_task()
    assert Child.objects.get(pk=exited_child.pk).birth_date == date(2015, 1, 1)


def test_anonymisation_keeps_what_the_statistics_count(exited_child):
    before = Child.objects.filter(pk=exited_child.pk).values(
        "region", "gender", "is_left_behind", "is_orphan", "status", "entered_on", "exited_on", "exit_reason",
        "risk_color").get()
    history = list(StatusChange.objects.filter(child=exited_child).values_list("pk", "to_status", "effective_on"))
    run_task()
    assert Child.objects.filter(pk=exited_child.pk).values(*before).get() == before
    assert list(StatusChange.objects.filter(child=exited_child)
                .values_list("pk", "to_status", "effective_on")) == history


def test_anonymisation_clears_the_explanations_of_assessments_and_keeps_their_colours(make_child, staff_lishi):
    child = make_child(staff_lishi, entered_on=ENTERED)
    services.child_assess(actor=staff_lishi, child=child, color="red", reasons=["safety"], note="父亲酗酒",
                          assessed_on=date(2023, 10, 1))
    services.child_exit(actor=staff_lishi, child=child, reason="moved_away", exited_on=EXITED)
    run_task()
    assert list(RiskAssessment.objects.filter(child=child).values_list("color", "reasons", "note")) == [
        ("red", ["safety"], "")]


def test_the_id_number_constraint_allows_several_anonymised_children(make_child, staff_lishi):
    exit_child(make_child, staff_lishi, on=EXITED, name="甲")
    exit_child(make_child, staff_lishi, on=EXITED, name="乙")
    assert run_task()["children"] == 2
    assert Child.objects.filter(id_number_digest="").count() == 2


def test_re_running_anonymises_nobody_twice(exited_child):
    run_task()
    assert run_task() == {"children": 0, "volunteers": 0}
    assert AuditEvent.objects.filter(target_id=str(exited_child.pk), detail__retention="anonymised").count() == 1


def test_each_anonymisation_is_audited_naming_the_fields_not_their_values(exited_child):
    run_task()
    event = AuditEvent.objects.get(target_id=str(exited_child.pk), detail__retention="anonymised")
    assert (event.actor, set(event.changes)) == (None, set(retention.CLEARED_FIELDS))
    text = str(event.changes) + str(event.detail) + event.target_label
    assert not any(secret in text for secret in ("王小雨", "东关村", "东关小学", "李大山", exited_child.id_number_last4))


def test_an_anonymised_child_is_not_re_admitted(exited_child, staff_lishi):
    run_task()
    with pytest.raises(ValidationError) as caught:
        services.child_change_status(actor=staff_lishi, child=Child.objects.get(pk=exited_child.pk),
                                     to_status=Status.ACTIVE, effective_on=date(2027, 3, 1))
    assert "status" in caught.value.message_dict


def test_an_anonymised_child_is_not_edited(exited_child, staff_lishi):
    run_task()
    with pytest.raises(ValidationError) as caught:
        services.child_update(actor=staff_lishi, child=Child.objects.get(pk=exited_child.pk), name="王小雨")
    assert "name" in caught.value.message_dict


# --- photos -----------------------------------------------------------------------------------------

def _photo(actor, activity) -> ActivityPhoto:
    """A stored photo of ``activity`` (written directly: the consent rules of activities.photos are
    tested with it)."""
    photo = ActivityPhoto(activity=activity, width=800, height=600)
    photo.image.save("a.jpg", ContentFile(image_bytes()), save=False)
    photo.save()
    return photo


@pytest.fixture
def photographed(make_child, make_volunteer, staff_lishi, record, pair, private_storage):  # noqa: F811
    """A child with a photo of her own home visit and one of a group activity with another child."""
    volunteer = make_volunteer(staff_lishi, joined_on=date(2023, 1, 1))
    mother = volunteer.pk
    child = make_child(staff_lishi, name="王小雨", entered_on=ENTERED)
    other = make_child(staff_lishi, name="刘子墨", entered_on=ENTERED)
    pair(child, volunteer, started_on=date(2023, 9, 15))
    pair(other, volunteer, started_on=date(2023, 9, 15))
    solo = _photo(staff_lishi, record(staff_lishi, children=[child], occurred_on=date(2023, 10, 5), volunteer=mother))
    group = _photo(staff_lishi, record(staff_lishi, children=[child, other], occurred_on=date(2023, 10, 6),
                                       kind="reading", is_group=True, title="读书会", participants=2,
                                       volunteer=mother))
    services.child_exit(actor=staff_lishi, child=child, reason="moved_away", exited_on=EXITED)
    return child, solo, group


def test_the_photos_of_her_own_activities_are_deleted_with_their_files(photographed, private_storage,
                                                                       django_capture_on_commit_callbacks):
    _child, solo, _group = photographed
    with django_capture_on_commit_callbacks(execute=True):
        run_task()
    assert not ActivityPhoto.objects.filter(pk=solo.pk).exists()
    assert not (private_storage / solo.image.name).exists()


def test_the_photos_of_group_activities_are_kept(photographed, private_storage, django_capture_on_commit_callbacks):
    _child, _solo, group = photographed
    with django_capture_on_commit_callbacks(execute=True):
        run_task()
    assert ActivityPhoto.objects.filter(pk=group.pk).exists()
    assert (private_storage / group.image.name).exists()


# --- statistics of past months ----------------------------------------------------------------------

@pytest.fixture
def past_world(make_child, make_volunteer, staff_lishi, pair, record, regions):  # noqa: F811
    """离石区 in late 2023: two children (one red, assessed), a caring mother paired with both, activities;
    the first child exited and the mother left in January 2024."""
    mother = make_volunteer(staff_lishi, name="刘秀兰", joined_on=date(2023, 1, 1), employer="东关小学")
    girl = make_child(staff_lishi, name="王小雨", entered_on=ENTERED, school="东关小学")
    boy = make_child(staff_lishi, name="刘子墨", gender="male", entered_on=ENTERED, birth_date=date(2012, 12, 31),
                     categories=["orphan"])
    services.child_assess(actor=staff_lishi, child=girl, color="red", reasons=["safety"],
                          assessed_on=date(2023, 9, 20))
    pair(girl, mother, started_on=date(2023, 9, 15))
    pair(boy, mother, started_on=date(2023, 9, 15))
    record(staff_lishi, children=[girl], occurred_on=date(2023, 10, 5), volunteer=mother.pk)
    record(staff_lishi, children=[girl, boy], occurred_on=date(2023, 11, 6), volunteer=mother.pk,
           kind="reading", is_group=True, title="读书会", participants=2)
    services.child_exit(actor=staff_lishi, child=girl, reason="moved_away", exited_on=EXITED)
    volunteer_services.volunteer_set_status(actor=staff_lishi, volunteer=mother, status="inactive",
                                            effective_on=date(2024, 1, 20), reason="外出务工")
    return regions


def _all_figures(regions) -> list:
    figures = [stats.region_stats(region=region, month=month)
               for region in (regions.lishi, regions.lvliang) for month in PAST_MONTHS]
    figures.append(stats.region_stats_by_subregion(region=regions.lvliang, month=date(2023, 11, 1)))
    figures.append(stats.monthly_trend(region=regions.lishi, month=date(2024, 2, 1)))
    return figures


def test_past_months_statistics_are_unchanged_by_anonymisation(past_world):
    before = _all_figures(past_world)
    assert run_task() == {"children": 1, "volunteers": 1}
    assert _all_figures(past_world) == before


def test_the_past_world_counts_something(past_world):
    """The comparison above compares figures that are not all zero."""
    november = stats.region_stats(region=past_world.lishi, month=date(2023, 11, 1))
    assert (november["children_active"], november["children_paired"], november["activities"]) == (2, 2, 1)


# --- pages and API after anonymisation --------------------------------------------------------------

SECRETS = ("王小雨", "东关村3号", "东关小学", "李大山", "13935800001", "奶奶照看", "2015-03-08")


def test_the_child_page_shows_no_personal_data(client, staff_lishi, exited_child):
    run_task()
    client.force_login(staff_lishi)
    html = client.get(reverse("children:detail", args=[exited_child.pk])).content.decode()
    assert "已匿名" in html
    assert not [secret for secret in SECRETS if secret in html]


def test_the_ledger_lists_the_anonymised_name(client, staff_lishi, exited_child):
    run_task()
    client.force_login(staff_lishi)
    html = client.get(reverse("children:list"), {"status": "exited"}).content.decode()
    assert "已匿名" in html and "王小雨" not in html


def test_the_edit_page_of_an_anonymised_child_sends_back_to_the_record(client, staff_lishi, exited_child):
    run_task()
    client.force_login(staff_lishi)
    response = client.get(reverse("children:edit", args=[exited_child.pk]))
    assert response.url == reverse("children:detail", args=[exited_child.pk])


def test_the_api_says_the_child_is_anonymised_and_shows_no_personal_data(api_client_for, staff_lishi, exited_child):
    run_task()
    data = api_client_for(staff_lishi).get(f"/api/v1/children/{exited_child.pk}/").json()
    assert (data["anonymised"], data["name"], data["guardians"], data["id_number_masked"]) == (True, "已匿名", [], "")
    assert not [secret for secret in SECRETS if secret in str(data)]


def test_the_api_says_a_kept_child_is_not_anonymised(api_client_for, staff_lishi, child_lishi):
    assert api_client_for(staff_lishi).get(f"/api/v1/children/{child_lishi.pk}/").json()["anonymised"] is False


def test_the_reveal_is_refused_in_chinese_on_the_page(client, staff_lishi, exited_child):
    run_task()
    client.force_login(staff_lishi)
    response = client.post(reverse("children:reveal", args=[exited_child.pk]), {"reason": "核对身份"},
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert "已匿名化" in response.content.decode()


def test_the_reveal_is_refused_by_the_api(api_client_for, staff_lishi, exited_child):
    run_task()
    response = api_client_for(staff_lishi).post(f"/api/v1/children/{exited_child.pk}/reveal-id/",
                                                {"reason": "核对身份"}, format="json")
    assert response.status_code == 400
    assert "id_number" in response.json()
    assert not AuditEvent.objects.filter(action="reveal", target_id=str(exited_child.pk)).exists()


# --- holds ------------------------------------------------------------------------------------------

def test_a_held_child_is_not_anonymised(exited_child, staff_lishi):
    retention.child_retention_hold(actor=staff_lishi, child=exited_child, reason="法院调取档案（2026民初123号）")
    assert run_task()["children"] == 0
    assert Child.objects.get(pk=exited_child.pk).name == "王小雨"


def test_a_released_hold_lets_the_next_run_anonymise(exited_child, staff_lishi):
    retention.child_retention_hold(actor=staff_lishi, child=exited_child, reason="法院调取档案")
    retention.child_retention_release(actor=staff_lishi, child=exited_child)
    assert run_task()["children"] == 1


def test_a_hold_needs_a_reason_said_in_chinese(exited_child, staff_lishi):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        retention.child_retention_hold(actor=staff_lishi, child=exited_child, reason=" ")
    assert "原因" in caught.value.message_dict["reason"][0]
    assert Child.objects.get(pk=exited_child.pk).retention_hold_reason == ""


def test_a_hold_is_audited_with_its_reason(exited_child, staff_lishi):
    retention.child_retention_hold(actor=staff_lishi, child=exited_child, reason="法院调取档案")
    event = AuditEvent.objects.get(target_id=str(exited_child.pk), detail__retention="hold")
    assert (event.actor, event.changes) == (staff_lishi, {"retention_hold_reason": ["", "法院调取档案"]})


def test_the_hold_button_keeps_the_record(client, staff_lishi, exited_child):
    client.force_login(staff_lishi)
    response = client.post(reverse("children:retention-hold", args=[exited_child.pk]), {"reason": "法院调取档案"})
    assert response.status_code == 302
    child = Child.objects.get(pk=exited_child.pk)
    assert (child.retention_hold_reason, child.retention_held_by) == ("法院调取档案", staff_lishi)


def test_the_hold_button_without_a_reason_is_refused_on_the_page(client, staff_lishi, exited_child):
    client.force_login(staff_lishi)
    response = client.post(reverse("children:retention-hold", args=[exited_child.pk]), {"reason": ""},
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert "保留原因" in response.content.decode()


def test_staff_of_another_county_get_404_on_the_hold(client, staff_yuci, exited_child):
    client.force_login(staff_yuci)
    response = client.post(reverse("children:retention-hold", args=[exited_child.pk]), {"reason": "法院调取档案"})
    assert response.status_code == 404
    assert Child.objects.get(pk=exited_child.pk).retention_hold_reason == ""


def test_a_leader_may_not_hold(client, viewer_lvliang, exited_child):
    client.force_login(viewer_lvliang)
    response = client.post(reverse("children:retention-hold", args=[exited_child.pk]), {"reason": "法院调取档案"})
    assert response.status_code == 403


# --- the upcoming list ------------------------------------------------------------------------------

def test_the_list_shows_children_due_within_30_days(client, staff_lishi, make_child, today):
    soon = exit_child(make_child, staff_lishi, on=retention.exit_cutoff(today + timedelta(days=20)), name="快到期")
    later = exit_child(make_child, staff_lishi, on=retention.exit_cutoff(today + timedelta(days=40)), name="还早")
    client.force_login(staff_lishi)
    listed = [c.pk for c in client.get(reverse("children:retention")).context["children"]]
    assert soon.pk in listed and later.pk not in listed


def test_the_list_shows_the_due_day(client, staff_lishi, make_child):
    exit_child(make_child, staff_lishi, on=date(2024, 2, 29))
    client.force_login(staff_lishi)
    with clock.pinned(date(2027, 2, 20)):
        html = client.get(reverse("children:retention")).content.decode()
    assert "2027-03-01" in html


def test_the_list_leaves_out_children_outside_the_scope(client, staff_yuci, exited_child):
    client.force_login(staff_yuci)
    assert list(client.get(reverse("children:retention")).context["children"]) == []


def test_the_caring_mothers_list_pages_on_its_own(client, staff_lishi, make_volunteer, monkeypatch):  # noqa: F811
    for n in range(3):
        mother = make_volunteer(staff_lishi, name=f"妈妈{n}", joined_on=date(2023, 1, 1))
        volunteer_services.volunteer_set_status(actor=staff_lishi, volunteer=mother, status="inactive",
                                                effective_on=EXITED, reason="搬家")
    client.force_login(staff_lishi)
    monkeypatch.setattr("children.views.retention.PAGE_SIZE", 2)
    response = client.get(reverse("children:retention"), {"vpage": 2})
    assert len(response.context["volunteers"]) == 1 and "?vpage=1" in response.content.decode()


def test_the_list_shows_caring_mothers_who_left(client, staff_lishi, make_volunteer):  # noqa: F811
    mother = make_volunteer(staff_lishi, name="刘秀兰", joined_on=date(2023, 1, 1))
    volunteer_services.volunteer_set_status(actor=staff_lishi, volunteer=mother, status="inactive",
                                            effective_on=EXITED, reason="搬家")
    client.force_login(staff_lishi)
    assert [v.pk for v in client.get(reverse("children:retention")).context["volunteers"]] == [mother.pk]


# Session, user, the count and page of each list, the unread notifications (base.html).
RETENTION_LIST_QUERIES = 7


def test_the_list_runs_a_fixed_number_of_queries(client, staff_lishi, make_child, make_volunteer,  # noqa: F811
                                                  django_assert_num_queries):
    def leave(n: int):
        mother = make_volunteer(staff_lishi, name=f"妈妈{n}", joined_on=date(2023, 1, 1))
        volunteer_services.volunteer_set_status(actor=staff_lishi, volunteer=mother, status="inactive",
                                                effective_on=EXITED, reason="搬家")
        return mother

    exit_child(make_child, staff_lishi, on=EXITED, name="甲")
    leave(0)
    client.force_login(staff_lishi)
    with django_assert_num_queries(RETENTION_LIST_QUERIES):
        client.get(reverse("children:retention"))
    for name in ("乙", "丙", "丁"):
        child = exit_child(make_child, staff_lishi, on=EXITED, name=name)
        retention.child_retention_hold(actor=staff_lishi, child=child, reason="法院调取档案")
    for n in range(1, 3):
        mother = leave(n)
        volunteer_retention.volunteer_retention_hold(actor=staff_lishi, volunteer=mother, reason="法院调取档案")
    with django_assert_num_queries(RETENTION_LIST_QUERIES):
        response = client.get(reverse("children:retention"))
    assert (response.context["children"].paginator.count, response.context["volunteers"].paginator.count) == (4, 3)


def test_the_list_is_in_the_navigation_for_staff(client, staff_lishi):
    client.force_login(staff_lishi)
    assert reverse("children:retention") in client.get(reverse("children:aging-out")).content.decode()


def test_the_list_is_in_chinese(client, staff_lishi):
    client.force_login(staff_lishi)
    html = client.get(reverse("children:retention"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "即将匿名化" in html and "满 3 年后" in html


def test_anonymisation_clears_the_consents_names_witnesses_and_scans(exited_child, staff_lishi, private_storage,
                                                                     django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from casework import consents
    from casework.models import GuardianConsent

    signed = consents.consent_record(actor=staff_lishi, child=exited_child, given_by="王大山", relation="祖父",
                                     given_on=ENTERED, scopes=["processing"], method="signed",
                                     document=SimpleUploadedFile("同意书.pdf", b"%PDF-1.4 x"))
    scan = private_storage / signed.document.name
    assert scan.exists()
    with django_capture_on_commit_callbacks(execute=True):
        run_task()
    stored = GuardianConsent.objects.get(pk=signed.pk)
    assert (stored.given_by, stored.witness, stored.document.name, stored.processing) == ("已匿名", "", "", True)
    assert not scan.exists()


def test_anonymisation_clears_the_texts_of_referrals_and_urgent_reports(exited_child, staff_lishi):
    from alerts.models import Alert
    from casework.models import Referral

    referral = Referral.objects.create(child=exited_child, department="education", organisation="离石区教育局",
                                       reason="王小雨有辍学风险", referred_on=ENTERED, created_by=staff_lishi,
                                       consent_override_reason="联系不上王大山")
    alert = Alert.objects.create(child=exited_child, region_id=exited_child.region_id, kind="injury",
                                 description="王小雨摔伤", occurred_on=ENTERED, reported_by=staff_lishi)
    run_task()
    referral.refresh_from_db()
    alert.refresh_from_db()
    assert (referral.reason, referral.consent_override_reason, referral.department) == ("已匿名", "", "education")
    assert (alert.description, alert.kind) == ("已匿名", "injury")
