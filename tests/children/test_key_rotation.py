"""``manage.py rotate_id_keys``: every ID number re-encrypted under the first key of ID_NUMBER_KEYS, in
batches, resumable and audited; after it the old key can be removed and every number still reveals."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from accounts.models import AuditEvent
from children import identity, keyrotation
from children.models import Child
from tests.children.conftest import new_id_number

pytestmark = pytest.mark.django_db

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


@pytest.fixture
def registered(settings, staff_lishi, make_child):
    """Three children registered under the OLD key, the NEW key then put first."""
    settings.ID_NUMBER_KEYS = [OLD]
    numbers = {}
    for n in range(3):
        number = new_id_number()
        numbers[make_child(staff_lishi, name=f"儿童{n}", id_number=number).pk] = number
    settings.ID_NUMBER_KEYS = [NEW, OLD]
    return numbers


def rotate(**options) -> str:
    out = StringIO()
    call_command("rotate_id_keys", stdout=out, **options)
    return out.getvalue()


def revealed_with_new_key_only(settings) -> dict[int, str]:
    settings.ID_NUMBER_KEYS = [NEW]
    return {child.pk: child.reveal_id_number() for child in Child.objects.all()}


def test_after_rotation_the_old_key_can_be_removed(settings, registered):
    rotate()
    assert revealed_with_new_key_only(settings) == registered


def test_without_rotation_the_old_key_cannot_be_removed(settings, registered):
    settings.ID_NUMBER_KEYS = [NEW]
    with pytest.raises(ValueError):
        Child.objects.first().reveal_id_number()


def test_the_digest_does_not_change(settings, registered):
    before = dict(Child.objects.values_list("pk", "id_number_digest"))
    rotate()
    assert dict(Child.objects.values_list("pk", "id_number_digest")) == before


def test_it_works_in_batches_and_reports_progress(registered):
    out = rotate(batch=2)
    assert "2/3 children (66.7%): 2 re-encrypted" in out and "3/3 children (100.0%): 3 re-encrypted" in out


def test_a_second_run_skips_what_is_done(registered):
    rotate()
    out = rotate()
    assert "Done: 0 re-encrypted, 3 already under the key." in out


def test_a_run_stopped_half_way_resumes(settings, registered):
    first = min(registered)
    keyrotation._children_batch([first], identity.encrypting_key(), keyrotation.Rotation())  # as if it stopped
    out = rotate()
    assert "Done: 2 re-encrypted, 1 already under the key." in out
    assert revealed_with_new_key_only(settings) == registered


def test_the_rotation_is_audited_with_the_keys_fingerprint_not_the_key(registered):
    rotate()
    event = AuditEvent.objects.get(target_label="ID number key rotation")
    assert event.detail["rotated"] == 3 and event.detail["key"] == keyrotation.key_fingerprint()
    assert NEW not in str(event.detail)


def test_a_number_no_key_opens_stops_naming_the_row_and_writes_nothing(settings, registered, make_child,
                                                                        staff_lishi):
    settings.ID_NUMBER_KEYS = [NEW]
    readable = make_child(staff_lishi, name="儿童新", id_number=new_id_number())  # under NEW: readable
    settings.ID_NUMBER_KEYS = [Fernet.generate_key().decode(), NEW]  # OLD forgotten before rotating
    before = dict(Child.objects.values_list("pk", "id_number_encrypted"))
    with pytest.raises(CommandError, match=rf"open with none of ID_NUMBER_KEYS \(ids {min(registered)}, "):
        rotate()
    assert dict(Child.objects.values_list("pk", "id_number_encrypted")) == before  # not even the readable one
    assert before[readable.pk]
    assert not AuditEvent.objects.filter(target_label="ID number key rotation").exists()


def test_a_pending_list_preview_is_re_encrypted(settings, registered, staff_lishi):
    from children.models import LedgerImport, LedgerImportStatus

    settings.ID_NUMBER_KEYS = [OLD]
    token = identity.encrypt("141102201503080021")
    imp = LedgerImport.objects.create(region_id="141102000000", file_name="名单.xlsx", file_sha256="0" * 64,
                                      status=LedgerImportStatus.PREVIEWED, uploaded_by=staff_lishi,
                                      preview={"rows": [{"id_enc": token}, {"id_enc": None}]})
    settings.ID_NUMBER_KEYS = [NEW, OLD]
    rotate()
    settings.ID_NUMBER_KEYS = [NEW]
    assert identity.decrypt(LedgerImport.objects.get(pk=imp.pk).preview["rows"][0]["id_enc"]) == "141102201503080021"


def test_a_reveal_without_the_key_is_a_clear_error_not_a_500(settings, registered, api_client_for, staff_lishi):
    settings.ID_NUMBER_KEYS = [NEW]  # the old key removed before rotating
    child = Child.objects.first()
    response = api_client_for(staff_lishi).post(f"/api/v1/children/{child.pk}/reveal-id/", {"reason": "办理医保需核对"},
                                                format="json")
    assert response.status_code == 400
    assert response.json() == {"id_number": ["无法用本平台现有的密钥解密身份证号，请告知系统管理员。"]}
    assert not AuditEvent.objects.filter(action="reveal").exists()
