"""A photo with the phone's record (issue 12): the offline queue uploads it to
POST /api/v1/activities/<id>/photos/ with its own id (``client_id``), so a retry stores it once; the
no-JavaScript form posts it with the record. Both go through activities.photos.photo_add (size and
type checks, private storage); a caring mother adds photos to her own activities only."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from activities import photos
from activities.models import Activity, ActivityPhoto
from tests.activities.test_photos import image_bytes, noise_jpeg, private_storage, stored_files, upload  # noqa: F401
from tests.children.conftest import give_consent

pytestmark = pytest.mark.django_db


@pytest.fixture
def my_child(child_lishi, my_mother, pair):
    give_consent(child_lishi)  # her guardian agreed to photos (casework.consents)
    """王小雨, paired with the caring mother behind ``volunteer_lishi``."""
    pair(child_lishi, my_mother)
    return child_lishi


@pytest.fixture
def visit(record, volunteer_lishi, my_child):
    """Her home visit of today (the pinned default day)."""
    return record(volunteer_lishi, children=[my_child], occurred_on=timezone.localdate())


@pytest.fixture
def phone_api(api_client_for, volunteer_lishi):
    return api_client_for(volunteer_lishi)


def post_photo(client, activity, data: bytes, client_id=None, **kwargs):
    body = {"image": upload(data, **kwargs)}
    if client_id is not None:
        body["client_id"] = str(client_id)
    return client.post(f"/api/v1/activities/{activity.pk}/photos/", body, format="multipart")


# --- the API, idempotent on the photo's id ------------------------------------------------------

def test_a_photo_with_an_id_is_stored(phone_api, visit, private_storage):  # noqa: F811
    photo_id = uuid.uuid4()
    response = post_photo(phone_api, visit, image_bytes(), photo_id)
    assert response.status_code == 201, response.json()
    assert ActivityPhoto.objects.get().client_id == photo_id
    assert len(stored_files(private_storage)) == 1


def test_a_retried_upload_of_the_same_photo_is_stored_once(phone_api, visit, private_storage):  # noqa: F811
    photo_id = uuid.uuid4()
    first = post_photo(phone_api, visit, image_bytes(), photo_id)
    again = post_photo(phone_api, visit, image_bytes(), photo_id)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert ActivityPhoto.objects.count() == 1
    assert len(stored_files(private_storage)) == 1


@pytest.mark.parametrize("bad_id", ["", "  ", "照片一"])
def test_a_photo_id_that_is_empty_or_not_a_uuid_is_refused_naming_it(phone_api, visit, bad_id):
    response = post_photo(phone_api, visit, image_bytes(), bad_id)
    assert (response.status_code, list(response.json())) == (400, ["client_id"])
    assert not ActivityPhoto.objects.exists()


def test_two_photos_with_their_own_ids_are_both_stored(phone_api, visit):
    post_photo(phone_api, visit, image_bytes(), uuid.uuid4())
    post_photo(phone_api, visit, image_bytes(), uuid.uuid4())
    assert ActivityPhoto.objects.filter(activity=visit).count() == 2


def test_a_retry_that_raced_past_the_look_up_gets_the_stored_photo(volunteer_lishi, visit, private_storage,  # noqa: F811
                                                                   monkeypatch):
    photo_id = uuid.uuid4()
    stored, created = photos.photo_add_once(actor=volunteer_lishi, activity=visit, upload=upload(image_bytes()),
                                            client_id=photo_id)
    looked_up = photos._already_added
    calls = []

    def blind_first(activity, client_id):  # the first look-up ran before the other request had stored it
        calls.append(client_id)
        return None if len(calls) == 1 else looked_up(activity, client_id)

    monkeypatch.setattr(photos, "_already_added", blind_first)
    again, created_again = photos.photo_add_once(actor=volunteer_lishi, activity=visit,
                                                 upload=upload(image_bytes()), client_id=photo_id)
    assert (created, created_again, again.pk) == (True, False, stored.pk)
    assert ActivityPhoto.objects.count() == 1
    assert len(stored_files(private_storage)) == 1


def test_a_photo_id_used_for_another_activity_is_refused_naming_it(phone_api, visit, record, volunteer_lishi,
                                                                   my_child):
    other = record(volunteer_lishi, children=[my_child], occurred_on=timezone.localdate() - timedelta(days=1))
    photo_id = uuid.uuid4()
    post_photo(phone_api, visit, image_bytes(), photo_id)
    response = post_photo(phone_api, other, image_bytes(), photo_id)
    assert response.status_code == 400
    assert "另一" in response.json()["client_id"][0]
    assert not ActivityPhoto.objects.filter(activity=other).exists()


def test_a_photo_over_the_size_limit_is_refused_in_chinese(phone_api, visit, settings,
                                                          private_storage):  # noqa: F811
    settings.ACTIVITY_PHOTO_MAX_BYTES = 4096
    response = post_photo(phone_api, visit, noise_jpeg(), uuid.uuid4())
    assert response.status_code == 400
    assert "上限" in response.json()["image"][0]
    assert not ActivityPhoto.objects.exists()
    assert stored_files(private_storage) == []


def test_a_file_that_is_not_an_image_is_refused_in_chinese(phone_api, visit, private_storage):  # noqa: F811
    response = post_photo(phone_api, visit, b"%PDF-1.4 not a photo", uuid.uuid4(), name="x.jpg")
    assert response.status_code == 400
    assert "照片" in response.json()["image"][0]
    assert not ActivityPhoto.objects.exists()
    assert stored_files(private_storage) == []


def test_a_refused_photo_can_be_sent_again_with_its_id_once_fixed(phone_api, visit):
    photo_id = uuid.uuid4()
    assert post_photo(phone_api, visit, b"not a photo", photo_id).status_code == 400
    assert post_photo(phone_api, visit, image_bytes(), photo_id).status_code == 201


def test_another_volunteers_activity_is_404(phone_api, staff_lishi, make_child, mother_lishi, pair, record,
                                            private_storage):  # noqa: F811
    child = make_child(staff_lishi, name="赵小军", gender="male")
    pair(child, mother_lishi)
    hers = record(staff_lishi, children=[child], occurred_on=timezone.localdate(), volunteer=mother_lishi.pk)
    response = post_photo(phone_api, hers, image_bytes(), uuid.uuid4())
    assert response.status_code == 404
    assert not ActivityPhoto.objects.exists()
    assert stored_files(private_storage) == []


def test_her_own_activity_past_the_edit_window_is_refused_saying_why(phone_api, record, volunteer_lishi, my_child,
                                                                    settings):
    old = record(volunteer_lishi, children=[my_child],
                 occurred_on=timezone.localdate() - timedelta(days=settings.ACTIVITY_EDIT_WINDOW_DAYS + 1))
    response = post_photo(phone_api, old, image_bytes(), uuid.uuid4())
    assert response.status_code == 403
    assert f"{settings.ACTIVITY_EDIT_WINDOW_DAYS} 天" in response.json()["detail"]
    assert not ActivityPhoto.objects.exists()


# --- the form without JavaScript ----------------------------------------------------------------

@pytest.fixture
def phone(client, volunteer_lishi):
    client.force_login(volunteer_lishi)
    return client


def log_with_photo(phone, child, data: bytes, **kwargs):
    return phone.post("/m/log/", {"child": child.pk, "occurred_on": timezone.localdate().isoformat(),
                                  "kind": "home_visit", "participants": 1, "photo": upload(data, **kwargs)})


def test_the_form_records_the_visit_with_its_photo(phone, my_child, private_storage):  # noqa: F811
    response = log_with_photo(phone, my_child, image_bytes(size=(3000, 2000)))
    assert response.status_code == 302
    stored = ActivityPhoto.objects.get(activity=Activity.objects.get())
    assert (stored.width, stored.height) == (1600, 1067)


def test_the_form_without_a_photo_records_the_visit(phone, my_child):
    response = phone.post("/m/log/", {"child": my_child.pk, "occurred_on": timezone.localdate().isoformat(),
                                      "kind": "home_visit", "participants": 1})
    assert response.status_code == 302
    assert Activity.objects.count() == 1
    assert not ActivityPhoto.objects.exists()


def test_the_form_refuses_a_photo_over_the_limit_and_records_nothing(phone, my_child, settings,
                                                                    private_storage):  # noqa: F811
    settings.ACTIVITY_PHOTO_MAX_BYTES = 4096
    response = log_with_photo(phone, my_child, noise_jpeg())
    assert response.status_code == 200
    assert "上限" in " ".join(response.context["form"].errors["photo"])
    assert not Activity.objects.exists()
    assert stored_files(private_storage) == []


def test_the_form_refuses_a_file_that_is_not_an_image_and_records_nothing(phone, my_child):
    response = log_with_photo(phone, my_child, b"just text", name="note.jpg")
    assert response.status_code == 200
    assert response.context["form"].errors["photo"]
    assert not Activity.objects.exists()


def test_the_log_page_offers_the_camera_and_the_album(phone, my_child):
    content = phone.get("/m/log/").content.decode()
    assert 'accept="image/*" capture="environment"' in content
    assert 'enctype="multipart/form-data"' in content
    assert "/api/v1/activities/00000000-0000-0000-0000-000000000000/photos/" in content
