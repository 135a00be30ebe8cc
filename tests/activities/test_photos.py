"""Activity photos (activities/photos.py): only real JPEG, PNG or WebP images within the size limit,
resized to 1600 px, re-encoded without EXIF (no GPS position), stored privately, served only to
users who can see the activity; through the service, the API and the scoped view."""

import io
import os
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image

from activities import photos
from activities.models import ActivityPhoto
from tests.children.conftest import give_consent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Photos go to a throwaway private folder (the default storage), not the shared var/test one."""
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path


def stored_files(root) -> list[str]:
    return [os.path.join(folder, name) for folder, _dirs, names in os.walk(root) for name in names]


def image_bytes(size=(800, 600), fmt="JPEG", mode="RGB", color=(200, 80, 120), **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt, **save)
    return out.getvalue()


def noise_jpeg(side: int = 300) -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "JPEG", quality=95)
    return out.getvalue()


def with_gps(orientation: int = 1) -> bytes:
    """A JPEG whose EXIF carries a GPS position (东关村-ish), a camera make and an orientation."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "HUAWEI"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (37.0, 31.0, 12.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (111.0, 8.0, 3.0)
    return image_bytes(size=(400, 300), exif=exif)


def upload(data: bytes, name: str = "IMG_0001.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def stored_image(photo: ActivityPhoto) -> Image.Image:
    with photo.image.open("rb") as f:
        image = Image.open(io.BytesIO(f.read()))
        image.load()
    return image


@pytest.fixture
def my_child(child_lishi, my_mother, pair):
    give_consent(child_lishi)  # her guardian agreed to photos (casework.consents)
    pair(child_lishi, my_mother)
    return child_lishi


@pytest.fixture
def visit(record, volunteer_lishi, my_child, today):
    """A home visit three days ago by the caring mother behind ``volunteer_lishi`` (within the edit window)."""
    return record(volunteer_lishi, children=[my_child], occurred_on=today - timedelta(days=3))


def add(actor, activity, data: bytes, **kwargs) -> ActivityPhoto:
    return photos.photo_add(actor=actor, activity=activity, upload=upload(data, **kwargs))


def refused(actor, activity, data: bytes, root, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        add(actor, activity, data, **kwargs)
    assert not ActivityPhoto.objects.exists()
    assert stored_files(root) == []  # nothing stored
    return caught.value


# --- the service ----------------------------------------------------------------------------------

def test_a_photo_is_stored_as_jpeg(volunteer_lishi, visit):
    photo = add(volunteer_lishi, visit, image_bytes(fmt="PNG"), name="a.png", content_type="image/png")
    assert stored_image(photo).format == "JPEG"


def test_a_large_photo_is_resized_to_1600_px_on_its_long_side(volunteer_lishi, visit):
    photo = add(volunteer_lishi, visit, image_bytes(size=(4000, 3000)))
    assert (photo.width, photo.height) == (1600, 1200)
    assert stored_image(photo).size == (1600, 1200)


def test_a_small_photo_is_not_enlarged(volunteer_lishi, visit):
    photo = add(volunteer_lishi, visit, image_bytes(size=(640, 480)))
    assert (photo.width, photo.height) == (640, 480)


def test_the_gps_position_is_stripped(volunteer_lishi, visit):
    assert Image.open(io.BytesIO(with_gps())).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the input has one
    photo = add(volunteer_lishi, visit, with_gps())
    stored = stored_image(photo)
    assert stored.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert len(stored.getexif()) == 0 and "exif" not in stored.info


def test_the_exif_orientation_is_applied_before_it_is_dropped(volunteer_lishi, visit):
    photo = add(volunteer_lishi, visit, with_gps(orientation=6))  # "rotate 90°": 400×300 stands as 300×400
    assert (photo.width, photo.height) == (300, 400)


def test_a_transparent_png_is_accepted(volunteer_lishi, visit):
    data = image_bytes(fmt="PNG", mode="RGBA", color=(0, 0, 0, 0))
    photo = add(volunteer_lishi, visit, data, name="a.png", content_type="image/png")
    assert stored_image(photo).getpixel((0, 0)) == (255, 255, 255)  # transparency on white


def test_a_webp_photo_is_accepted(volunteer_lishi, visit):
    photo = add(volunteer_lishi, visit, image_bytes(fmt="WEBP"), name="a.webp", content_type="image/webp")
    assert stored_image(photo).format == "JPEG"


def test_the_file_goes_to_the_private_storage(volunteer_lishi, visit, private_storage, settings):
    photo = add(volunteer_lishi, visit, image_bytes())
    assert stored_files(private_storage) == [str(private_storage / photo.image.name)]
    assert not photo.image.name.startswith(str(settings.STATIC_ROOT))


def test_a_file_that_is_not_an_image_is_refused(volunteer_lishi, visit, private_storage):
    error = refused(volunteer_lishi, visit, "这不是照片".encode() * 100, private_storage)
    assert "image" in error.message_dict


def test_the_type_is_read_from_the_bytes_not_the_name(volunteer_lishi, visit, private_storage):
    gif = image_bytes(fmt="GIF", mode="P", color=1)
    error = refused(volunteer_lishi, visit, gif, private_storage, name="photo.jpg")
    assert "image" in error.message_dict


def test_a_truncated_jpeg_is_refused(volunteer_lishi, visit, private_storage):
    error = refused(volunteer_lishi, visit, noise_jpeg()[:400], private_storage)
    assert "image" in error.message_dict


def test_a_photo_over_the_size_limit_is_refused(volunteer_lishi, visit, private_storage, settings):
    settings.ACTIVITY_PHOTO_MAX_BYTES = 4096
    data = noise_jpeg()
    assert len(data) > 4096
    error = refused(volunteer_lishi, visit, data, private_storage)
    assert "image" in error.message_dict


def test_a_volunteer_cannot_add_photos_past_the_edit_window(volunteer_lishi, record, my_child):
    old = record(volunteer_lishi, children=[my_child], occurred_on=date(2025, 4, 10))
    with pytest.raises(PermissionDenied):
        add(volunteer_lishi, old, image_bytes())
    assert not ActivityPhoto.objects.exists()


def test_an_activity_takes_at_most_nine_photos(volunteer_lishi, visit, private_storage):
    for _n in range(photos.PHOTOS_PER_ACTIVITY):
        add(volunteer_lishi, visit, image_bytes(size=(60, 40)))
    with pytest.raises(ValidationError):
        add(volunteer_lishi, visit, image_bytes(size=(60, 40)))
    assert ActivityPhoto.objects.count() == photos.PHOTOS_PER_ACTIVITY


# --- the API --------------------------------------------------------------------------------------

def photos_url(activity) -> str:
    return f"/api/v1/activities/{activity.pk}/photos/"


def test_the_api_takes_a_multipart_photo(api_client_for, volunteer_lishi, visit):
    response = api_client_for(volunteer_lishi).post(photos_url(visit), {"image": upload(with_gps())},
                                                    format="multipart")
    assert response.status_code == 201, response.json()
    assert response.json()["url"].endswith(reverse("activities:photo", args=[ActivityPhoto.objects.get().pk]))


def test_the_activity_lists_its_photo_urls(api_client_for, volunteer_lishi, visit):
    photo = add(volunteer_lishi, visit, image_bytes())
    body = api_client_for(volunteer_lishi).get(f"/api/v1/activities/{visit.pk}/").json()
    assert body["photos"] == [f"http://testserver{reverse('activities:photo', args=[photo.pk])}"]


def test_the_api_refuses_a_photo_over_the_limit_naming_the_field(api_client_for, volunteer_lishi, visit, settings,
                                                                 private_storage):
    settings.ACTIVITY_PHOTO_MAX_BYTES = 4096
    response = api_client_for(volunteer_lishi).post(photos_url(visit), {"image": upload(noise_jpeg())},
                                                    format="multipart")
    assert response.status_code == 400
    assert "image" in response.json()
    assert stored_files(private_storage) == []


def test_the_api_refuses_a_file_that_is_not_an_image(api_client_for, volunteer_lishi, visit, private_storage):
    response = api_client_for(volunteer_lishi).post(
        photos_url(visit), {"image": upload(b"%PDF-1.4 not a photo", name="x.jpg")}, format="multipart")
    assert response.status_code == 400
    assert "image" in response.json()
    assert not ActivityPhoto.objects.exists()


def test_the_viewer_cannot_add_photos(api_client_for, viewer_lvliang, visit):
    response = api_client_for(viewer_lvliang).post(photos_url(visit), {"image": upload(image_bytes())},
                                                   format="multipart")
    assert response.status_code == 403


def test_staff_of_another_county_get_404_adding_photos(api_client_for, staff_yuci, visit):
    response = api_client_for(staff_yuci).post(photos_url(visit), {"image": upload(image_bytes())},
                                               format="multipart")
    assert response.status_code == 404


# --- the scoped view ------------------------------------------------------------------------------

@pytest.fixture
def photo(volunteer_lishi, visit):
    return add(volunteer_lishi, visit, image_bytes())


def test_the_caring_mother_sees_her_photo(client, volunteer_lishi, photo):
    client.force_login(volunteer_lishi)
    response = client.get(reverse("activities:photo", args=[photo.pk]))
    assert (response.status_code, response["Content-Type"]) == (200, "image/jpeg")
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_the_city_viewer_sees_the_photo(client, viewer_lvliang, photo):
    client.force_login(viewer_lvliang)
    assert client.get(reverse("activities:photo", args=[photo.pk])).status_code == 200


def test_staff_of_another_county_get_404_for_the_photo(client, staff_yuci, photo):
    client.force_login(staff_yuci)
    assert client.get(reverse("activities:photo", args=[photo.pk])).status_code == 404


def test_another_caring_mother_gets_404_for_the_photo(client, photo, make_volunteer, staff_lishi, regions):
    from tests.factories import UserFactory

    other_login = UserFactory(username="volunteer_other", role="volunteer", region=regions.lishi_village)
    other = make_volunteer(staff_lishi, name="孙玉兰")
    other.user = other_login
    other.save(update_fields=["user"])
    client.force_login(other_login)
    assert client.get(reverse("activities:photo", args=[photo.pk])).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, photo):
    response = client.get(reverse("activities:photo", args=[photo.pk]))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_photo_is_not_cached_by_shared_caches(client, volunteer_lishi, photo):
    client.force_login(volunteer_lishi)
    assert "private" in client.get(reverse("activities:photo", args=[photo.pk]))["Cache-Control"]


def test_a_photo_without_the_guardians_consent_is_refused_naming_the_child(volunteer_lishi, record, child_lishi,
                                                                           my_mother, pair, private_storage):
    pair(child_lishi, my_mother)  # paired, but no consent to photos on record
    activity = record(volunteer_lishi, children=[child_lishi], occurred_on=date(2027, 3, 14))
    with pytest.raises(ValidationError) as exc:
        photos.photo_add(actor=volunteer_lishi, activity=activity, upload=upload(image_bytes()))
    assert exc.value.message_dict["image"] == [
        "没有监护人对以下儿童拍照的有效同意：小雨。请工作人员先在儿童的“帮扶计划与转介”页面登记监护人知情同意。"]
    assert not ActivityPhoto.objects.exists() and stored_files(private_storage) == []


def test_a_withdrawn_photo_consent_no_longer_allows_photos(volunteer_lishi, visit, child_lishi, staff_lishi):
    from casework.consents import consent_withdraw
    from casework.models import GuardianConsent

    consent_withdraw(actor=staff_lishi, consent=GuardianConsent.objects.get(child=child_lishi))
    with pytest.raises(ValidationError):
        photos.photo_add(actor=volunteer_lishi, activity=visit, upload=upload(image_bytes()))
    assert not ActivityPhoto.objects.exists()
