"""Guardians' consents (casework.consents): recorded with who, relation, date, scopes and how (a signed
paper scanned and kept privately, or verbal with a witness); withdrawn by date, never deleted; read and
changed only in the child's area, audited; over the pages and /api/v1/children/<id>/consents/."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditAction, AuditEvent
from casework import consents
from casework.models import ConsentScope, GuardianConsent

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a scanned consent\n"


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path


def scan(name: str = "同意书.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def record(actor, child, **fields) -> GuardianConsent:
    values = {"given_by": "王大山", "relation": "祖父", "given_on": timezone.localdate(),
              "scopes": ["processing", "photos"], "method": "verbal", "witness": "李敏", **fields}
    return consents.consent_record(actor=actor, child=child, **values)


def refusal(exc, field: str) -> str:
    assert list(exc.value.message_dict) == [field], exc.value.message_dict
    return exc.value.message_dict[field][0]


# --- recording ------------------------------------------------------------------------------------

def test_a_verbal_consent_is_recorded_with_its_witness(red_child, staff_lishi):
    consent = record(staff_lishi, red_child)
    stored = GuardianConsent.objects.get(pk=consent.pk)
    assert (stored.given_by, stored.relation, stored.scopes, stored.method, stored.witness) == (
        "王大山", "祖父", ["processing", "photos"], "verbal", "李敏")


def test_a_signed_consent_keeps_its_scan_privately(red_child, staff_lishi, private_storage):
    consent = record(staff_lishi, red_child, method="signed", witness="", document=scan())
    assert consent.document.name.startswith(f"consents/{red_child.pk}/")
    assert (private_storage / consent.document.name).read_bytes() == PDF


def test_a_signed_consent_without_its_scan_is_refused(red_child, staff_lishi):
    with pytest.raises(ValidationError) as exc:
        record(staff_lishi, red_child, method="signed", witness="")
    assert "扫描件" in refusal(exc, "document")
    assert not GuardianConsent.objects.exists()


def test_a_verbal_consent_without_a_witness_is_refused(red_child, staff_lishi):
    with pytest.raises(ValidationError) as exc:
        record(staff_lishi, red_child, witness=" ")
    assert "见证人" in refusal(exc, "witness")


def test_a_scan_that_is_not_what_its_name_says_is_refused(red_child, staff_lishi):
    with pytest.raises(ValidationError) as exc:
        record(staff_lishi, red_child, method="signed", document=scan("同意书.pdf", b"=cmd|' /C calc'!A0"))
    refusal(exc, "document")
    assert not GuardianConsent.objects.exists()


def test_no_scope_is_refused(red_child, staff_lishi):
    with pytest.raises(ValidationError) as exc:
        record(staff_lishi, red_child, scopes=[])
    refusal(exc, "scopes")


def test_an_unknown_scope_is_refused(red_child, staff_lishi):
    with pytest.raises(ValidationError) as exc:
        record(staff_lishi, red_child, scopes=["marketing"])
    assert "marketing" in refusal(exc, "scopes")


def test_a_consent_given_in_the_future_is_refused(red_child, staff_lishi, local_today):
    with pytest.raises(ValidationError) as exc:
        record(staff_lishi, red_child, given_on=local_today + timedelta(days=1))
    refusal(exc, "given_on")


def test_recording_is_audited_with_the_values(red_child, staff_lishi):
    consent = record(staff_lishi, red_child)
    event = AuditEvent.objects.get(target_type="casework.guardianconsent", target_id=str(consent.pk))
    assert event.action == AuditAction.CREATE
    assert (event.changes["processing"], event.changes["photos"], "sharing" in event.changes) == (
        [False, True], [False, True], False)


def test_staff_of_another_county_cannot_record(red_child, staff_yuci):
    with pytest.raises(Exception) as exc:
        record(staff_yuci, red_child)
    assert type(exc.value).__name__ == "DoesNotExist"


def test_a_read_only_leader_cannot_record(red_child, viewer_lvliang):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        record(viewer_lvliang, red_child)


# --- in force, withdrawn --------------------------------------------------------------------------

def test_a_current_consent_covers_its_scopes_only(red_child, staff_lishi):
    record(staff_lishi, red_child, scopes=["photos"])
    assert consents.has_consent(red_child, ConsentScope.PHOTOS)
    assert not consents.has_consent(red_child, ConsentScope.SHARING)


def test_a_withdrawal_is_dated_and_keeps_the_consent(red_child, staff_lishi, local_today):
    consent = record(staff_lishi, red_child)
    consents.consent_withdraw(actor=staff_lishi, consent=consent)
    stored = GuardianConsent.objects.get(pk=consent.pk)
    assert (stored.withdrawn_on, stored.withdrawn_by) == (local_today, staff_lishi)
    assert not consents.has_consent(red_child, ConsentScope.PHOTOS)


def test_a_consent_covered_the_days_before_its_withdrawal(red_child, staff_lishi, local_today):
    consent = record(staff_lishi, red_child, given_on=local_today - timedelta(days=30))
    consents.consent_withdraw(actor=staff_lishi, consent=consent, withdrawn_on=local_today - timedelta(days=5))
    assert consents.has_consent(red_child, ConsentScope.PHOTOS, on=local_today - timedelta(days=6))
    assert not consents.has_consent(red_child, ConsentScope.PHOTOS, on=local_today - timedelta(days=5))


def test_a_withdrawal_before_the_consent_was_given_is_refused(red_child, staff_lishi, local_today):
    consent = record(staff_lishi, red_child)
    with pytest.raises(ValidationError) as exc:
        consents.consent_withdraw(actor=staff_lishi, consent=consent, withdrawn_on=local_today - timedelta(days=1))
    refusal(exc, "withdrawn_on")
    assert GuardianConsent.objects.get(pk=consent.pk).withdrawn_on is None


def test_a_second_withdrawal_is_refused(red_child, staff_lishi):
    consent = record(staff_lishi, red_child)
    consents.consent_withdraw(actor=staff_lishi, consent=consent)
    with pytest.raises(ValidationError) as exc:
        consents.consent_withdraw(actor=staff_lishi, consent=consent)
    refusal(exc, "withdrawn_on")


def test_a_withdrawal_is_audited(red_child, staff_lishi, local_today):
    consent = record(staff_lishi, red_child)
    consents.consent_withdraw(actor=staff_lishi, consent=consent, note="监护人要求")
    event = AuditEvent.objects.filter(target_type="casework.guardianconsent").order_by("-id").first()
    assert event.changes == {"withdrawn_on": [None, local_today.isoformat()]} and event.detail["note"] == "监护人要求"


# --- the pages ------------------------------------------------------------------------------------

def test_the_page_form_records_a_signed_consent_with_its_scan(client, red_child, staff_lishi, local_today):
    client.force_login(staff_lishi)
    response = client.post(reverse("casework:consent-add", args=[red_child.pk]), {
        "given_by": "王大山", "relation": "祖父", "given_on": local_today.isoformat(),
        "scopes": ["processing", "sharing"], "method": "signed", "document": scan()})
    assert response.status_code == 302
    consent = GuardianConsent.objects.get()
    assert consent.scopes == ["processing", "sharing"] and consent.document


def test_the_page_shows_the_consent_and_its_state(client, red_child, staff_lishi):
    record(staff_lishi, red_child)
    client.force_login(staff_lishi)
    page = client.get(reverse("casework:child", args=[red_child.pk])).content.decode()
    assert "王大山（祖父）" in page and "儿童照片" in page and "生效中" in page


def test_the_scan_downloads_for_the_area_and_is_audited(client, red_child, staff_lishi):
    consent = record(staff_lishi, red_child, method="signed", witness="", document=scan())
    client.force_login(staff_lishi)
    response = client.get(reverse("casework:consent-document", args=[consent.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert AuditEvent.objects.filter(action=AuditAction.DOWNLOAD, target_id=str(consent.pk)).exists()


def test_the_scan_is_a_404_outside_the_area(client, red_child, staff_lishi, staff_yuci):
    consent = record(staff_lishi, red_child, method="signed", witness="", document=scan())
    client.force_login(staff_yuci)
    assert client.get(reverse("casework:consent-document", args=[consent.pk])).status_code == 404


def test_the_withdraw_button_withdraws(client, red_child, staff_lishi):
    consent = record(staff_lishi, red_child)
    client.force_login(staff_lishi)
    assert client.post(reverse("casework:consent-withdraw", args=[consent.pk])).status_code == 302
    assert GuardianConsent.objects.get(pk=consent.pk).withdrawn_on is not None


# --- the API --------------------------------------------------------------------------------------

def url(child, *rest) -> str:
    return "/".join([f"/api/v1/children/{child.pk}/consents", *map(str, rest)]) + "/"


def test_the_api_records_a_verbal_consent(api_client_for, red_child, staff_lishi, local_today):
    response = api_client_for(staff_lishi).post(url(red_child), {
        "given_by": "王大山", "relation": "祖父", "given_on": local_today.isoformat(), "scopes": ["processing"],
        "method": "verbal", "witness": "李敏"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {k: body[k] for k in ("given_by", "relation", "scopes", "method", "withdrawn_on", "document")} == {
        "given_by": "王大山", "relation": "祖父", "scopes": ["processing"], "method": "verbal", "withdrawn_on": None,
        "document": None}


def test_the_api_takes_the_scan_as_multipart(api_client_for, red_child, staff_lishi, local_today):
    response = api_client_for(staff_lishi).post(url(red_child), {
        "given_by": "王大山", "relation": "祖父", "given_on": local_today.isoformat(), "scopes": ["photos", "sharing"],
        "method": "signed", "document": scan()}, format="multipart")
    assert response.status_code == 201, response.json()
    consent = GuardianConsent.objects.get()
    assert response.json()["document"] == url(red_child, consent.pk, "document")
    assert consent.scopes == ["photos", "sharing"]


def test_the_api_refusal_names_the_field_in_chinese(api_client_for, red_child, staff_lishi, local_today):
    response = api_client_for(staff_lishi).post(url(red_child), {
        "given_by": "王大山", "relation": "祖父", "given_on": local_today.isoformat(), "scopes": ["processing"],
        "method": "verbal"}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["witness"]
    assert not GuardianConsent.objects.exists()


def test_the_api_lists_and_withdraws(api_client_for, red_child, staff_lishi, local_today):
    consent = record(staff_lishi, red_child)
    client = api_client_for(staff_lishi)
    assert [c["id"] for c in client.get(url(red_child)).json()] == [consent.pk]
    response = client.post(url(red_child, consent.pk, "withdraw"), {}, format="json")
    assert response.status_code == 200 and response.json()["withdrawn_on"] == local_today.isoformat()


def test_the_api_is_a_404_outside_the_area(api_client_for, red_child, staff_lishi, staff_yuci):
    consent = record(staff_lishi, red_child)
    client = api_client_for(staff_yuci)
    assert client.get(url(red_child)).status_code == 404
    assert client.post(url(red_child, consent.pk, "withdraw"), {}, format="json").status_code == 404


def test_a_caring_mother_reads_no_consent(api_client_for, red_child, staff_lishi, volunteer_lishi):
    record(staff_lishi, red_child)
    assert api_client_for(volunteer_lishi).get(url(red_child)).status_code == 403


def test_a_read_only_leader_reads_but_cannot_withdraw(api_client_for, red_child, staff_lishi, viewer_lvliang):
    consent = record(staff_lishi, red_child)
    client = api_client_for(viewer_lvliang)
    assert client.get(url(red_child)).status_code == 200
    assert client.post(url(red_child, consent.pk, "withdraw"), {}, format="json").status_code == 403
