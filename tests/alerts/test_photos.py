"""The photo of an urgent report (issue 13): optional, one per report, checked, resized and stripped of
its EXIF like an activity's (activities.photos.checked_jpeg), stored privately; added through
alerts.services.alert_photo_add (the API's POST /api/v1/alerts/<id>/photo/, idempotent on the phone's
photo id, and the phone form without JavaScript); served by alerts:photo only to those who can see the
report (404 otherwise) and shown on the staff page."""

import json
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from alerts import services
from alerts.models import Alert, AlertPhoto
from tests.activities.test_photos import (  # noqa: F401
    image_bytes,
    noise_jpeg,
    private_storage,
    stored_files,
    stored_image,
    upload,
    with_gps,
)
from tests.alerts.test_pages import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(volunteer_lishi, child, report):
    """The caring mother's report about 王小雨 (an injury, yesterday)."""
    return report(volunteer_lishi, child=child)


@pytest.fixture
def photo(volunteer_lishi, alert):
    stored, _created = services.alert_photo_add(actor=volunteer_lishi, alert=alert, upload=upload(image_bytes()))
    return stored


def post_photo(client, alert, data: bytes, client_id=None):
    body = {"image": upload(data)}
    if client_id is not None:
        body["client_id"] = str(client_id)
    return client.post(f"/api/v1/alerts/{alert.pk}/photo/", body, format="multipart")


# --- the service ----------------------------------------------------------------------------------

def test_the_photo_is_stored_as_a_jpeg_without_its_gps_position(volunteer_lishi, alert, private_storage):  # noqa: F811
    stored, created = services.alert_photo_add(actor=volunteer_lishi, alert=alert, upload=upload(with_gps()))
    image = stored_image(stored)
    assert created and image.format == "JPEG" and len(image.getexif()) == 0
    assert len(stored_files(private_storage)) == 1


def test_a_large_photo_is_resized_to_1600_px(volunteer_lishi, alert):
    stored, _created = services.alert_photo_add(actor=volunteer_lishi, alert=alert,
                                                upload=upload(image_bytes(size=(4000, 3000))))
    assert (stored.width, stored.height) == (1600, 1200)


def test_a_photo_over_the_size_limit_is_refused_in_chinese_naming_the_field(volunteer_lishi, alert, settings,
                                                                            private_storage):  # noqa: F811
    settings.ACTIVITY_PHOTO_MAX_BYTES = 4096
    with pytest.raises(ValidationError) as refused:
        services.alert_photo_add(actor=volunteer_lishi, alert=alert, upload=upload(noise_jpeg()))
    assert list(refused.value.message_dict) == ["image"]
    assert "超过上限 4.0\xa0KB" in refused.value.message_dict["image"][0]
    assert not AlertPhoto.objects.exists() and stored_files(private_storage) == []


def test_a_second_photo_is_refused_naming_the_field(volunteer_lishi, alert, photo):
    with pytest.raises(ValidationError) as refused:
        services.alert_photo_add(actor=volunteer_lishi, alert=alert, upload=upload(image_bytes()))
    assert refused.value.message_dict == {"image": ["一份紧急情况报告只能附一张照片，这份报告已有照片。"]}


def test_the_viewer_may_not_add_a_photo(viewer_lvliang, alert):
    with pytest.raises(PermissionDenied):
        services.alert_photo_add(actor=viewer_lvliang, alert=alert, upload=upload(image_bytes()))


def test_staff_of_the_area_may_add_the_photo(staff_lishi, alert):
    stored, created = services.alert_photo_add(actor=staff_lishi, alert=alert, upload=upload(image_bytes()))
    assert created and stored.uploaded_by == staff_lishi


# --- the API, idempotent on the photo's id ---------------------------------------------------------

def test_the_api_stores_a_photo_once_whatever_the_retries(api_client_for, volunteer_lishi, alert,
                                                          private_storage):  # noqa: F811
    client, photo_id = api_client_for(volunteer_lishi), uuid.uuid4()
    first = post_photo(client, alert, image_bytes(), photo_id)
    again = post_photo(client, alert, image_bytes(), photo_id)
    assert (first.status_code, again.status_code) == (201, 200), first.content
    assert first.json() == again.json()
    assert first.json()["url"] == f"http://testserver{reverse('alerts:photo', args=[alert.pk])}"
    assert AlertPhoto.objects.get().client_id == photo_id and len(stored_files(private_storage)) == 1


def test_the_api_refuses_a_photo_over_the_limit_in_chinese_naming_the_field(api_client_for, volunteer_lishi, alert,
                                                                            settings):
    settings.ACTIVITY_PHOTO_MAX_BYTES = 4096
    response = post_photo(api_client_for(volunteer_lishi), alert, noise_jpeg(), uuid.uuid4())
    assert response.status_code == 400 and list(response.json()) == ["image"]
    assert "照片大小为" in response.json()["image"][0]
    assert not AlertPhoto.objects.exists()


def test_a_photo_id_used_for_another_report_is_refused_naming_it(api_client_for, volunteer_lishi, child, report,
                                                                 alert):
    client, photo_id = api_client_for(volunteer_lishi), uuid.uuid4()
    post_photo(client, alert, image_bytes(), photo_id)
    other = report(volunteer_lishi, child=child, description="又受伤了")
    response = post_photo(client, other, image_bytes(), photo_id)
    assert response.status_code == 400 and list(response.json()) == ["client_id"]
    assert AlertPhoto.objects.count() == 1


def test_another_caring_mother_gets_404_adding_a_photo(api_client_for, other_mother, alert):
    assert post_photo(api_client_for(other_mother), alert, image_bytes()).status_code == 404
    assert not AlertPhoto.objects.exists()


def test_staff_of_another_county_get_404_adding_a_photo(api_client_for, staff_yuci, alert):
    assert post_photo(api_client_for(staff_yuci), alert, image_bytes()).status_code == 404


def test_the_viewer_gets_403_adding_a_photo(api_client_for, viewer_lvliang, alert):
    assert post_photo(api_client_for(viewer_lvliang), alert, image_bytes()).status_code == 403


def test_the_report_names_its_photo_or_null(api_client_for, staff_lishi, alert, photo, child, report,
                                            volunteer_lishi):
    without = report(volunteer_lishi, child=child, description="又受伤了")
    client = api_client_for(staff_lishi)
    assert client.get(f"/api/v1/alerts/{alert.pk}/").json()["photo"].endswith(f"/alerts/{alert.pk}/photo/")
    assert client.get(f"/api/v1/alerts/{without.pk}/").json()["photo"] is None


def test_the_list_takes_two_queries_with_photos(staff_lishi, volunteer_lishi, child, report,
                                                django_assert_num_queries):
    for n in range(3):
        services.alert_photo_add(actor=volunteer_lishi, alert=report(volunteer_lishi, child=child, description=f"第{n}次"),
                                 upload=upload(image_bytes()))
    client = APIClient()
    client.force_authenticate(staff_lishi)
    # Queries: the count; the page (the photo joined).
    with django_assert_num_queries(2):
        rows = client.get("/api/v1/alerts/").json()["results"]
    assert all(row["photo"] for row in rows) and len(rows) == 3


# --- the scoped view and the staff page ------------------------------------------------------------

def photo_url(alert) -> str:
    return reverse("alerts:photo", args=[alert.pk])


def test_the_caring_mother_sees_her_reports_photo(client, volunteer_lishi, alert, photo):
    client.force_login(volunteer_lishi)
    response = client.get(photo_url(alert))
    assert (response.status_code, response["Content-Type"]) == (200, "image/jpeg")
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert "private" in response["Cache-Control"]


def test_the_city_viewer_sees_the_photo(client, viewer_lvliang, alert, photo):
    client.force_login(viewer_lvliang)
    assert client.get(photo_url(alert)).status_code == 200


def test_staff_of_another_county_get_404_for_the_photo(client, staff_yuci, alert, photo):
    client.force_login(staff_yuci)
    assert client.get(photo_url(alert)).status_code == 404


def test_another_caring_mother_gets_404_for_the_photo(client, other_mother, alert, photo):
    client.force_login(other_mother)
    assert client.get(photo_url(alert)).status_code == 404


def test_a_report_without_a_photo_is_404(client, staff_lishi, alert):
    client.force_login(staff_lishi)
    assert client.get(photo_url(alert)).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in_for_the_photo(client, alert, photo):
    response = client.get(photo_url(alert))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_staff_page_shows_the_photo(client, staff_lishi, alert, photo):
    client.force_login(staff_lishi)
    page = client.get(reverse("alerts:detail", args=[alert.pk])).content.decode()
    assert f'src="{photo_url(alert)}"' in page


def test_the_staff_page_of_a_report_without_a_photo_shows_none(client, staff_lishi, alert):
    client.force_login(staff_lishi)
    assert "data-alert-photo" not in client.get(reverse("alerts:detail", args=[alert.pk])).content.decode()


# --- the phone form -------------------------------------------------------------------------------

def phone_config(content: str) -> dict:
    return json.loads(content.split('<script id="phone-config" type="application/json">')[1].split("</script>")[0])


def test_the_phone_form_is_queued_by_the_script_with_its_photo(client, volunteer_lishi, child):
    client.force_login(volunteer_lishi)
    content = client.get(reverse("phone:alert", args=[child.pk])).content.decode()
    assert "data-alert-form" in content and f'data-child="{child.pk}"' in content and "data-photo-input" in content
    assert "data-queue" in content
    config = phone_config(content)
    assert config["alerts"] == {"api": "/api/v1/alerts/",
                                "photos": "/api/v1/alerts/00000000-0000-0000-0000-000000000000/photo/"}


def test_the_phone_child_page_warms_the_report_form_for_offline_use(client, volunteer_lishi, child):
    client.force_login(volunteer_lishi)
    page = client.get(reverse("phone:child", args=[child.pk])).content.decode()
    assert f'href="{reverse("phone:alert", args=[child.pk])}" data-alert-child="{child.pk}" data-offline' in page


def test_the_phone_form_without_javascript_stores_the_photo(client, volunteer_lishi, child, private_storage):  # noqa: F811
    client.force_login(volunteer_lishi)
    response = client.post(reverse("phone:alert", args=[child.pk]), {**form_data(), "photo": upload(with_gps())})
    assert response.status_code == 302
    assert AlertPhoto.objects.get().alert == Alert.objects.get()
    assert len(stored_files(private_storage)) == 1


def test_a_photo_refused_on_the_phone_form_leaves_no_report(client, volunteer_lishi, child, settings):
    settings.ACTIVITY_PHOTO_MAX_BYTES = 4096
    client.force_login(volunteer_lishi)
    response = client.post(reverse("phone:alert", args=[child.pk]), {**form_data(), "photo": upload(noise_jpeg())})
    assert response.status_code == 400 and response.context["form"].errors["photo"]
    assert not Alert.objects.exists() and not AlertPhoto.objects.exists()
