"""Photos of care activities: checked, resized, stripped of their metadata, stored privately.

What arrives is whatever a phone sends. Its type is decided by Pillow reading the bytes, never by the
file name or the declared content type; only JPEG, PNG and WebP are taken. The stored file is always
a fresh JPEG of at most MAX_SIDE pixels on its long side, encoded from the pixels alone: no EXIF
(so no GPS position, camera serial or time), no XMP, no ICC profile, no comments. The EXIF
orientation is applied to the pixels first, so the picture still stands the right way up.

Files go to the default storage, which is private (settings.PRIVATE_STORAGE_ROOT, outside the
static files): they are served only by activities.views.photos, which checks
``Activity.objects.visible_to``.
"""

import io
import uuid
import warnings

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

from accounts.models import User
from activities.models import Activity, ActivityChild, ActivityPhoto
from activities.services import can_edit_activity
from children.names import given_name
from core.access import is_volunteer

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_SIDE = 1600
JPEG_QUALITY = 82
# A photo a phone takes is 12–50 megapixels; past this the upload is not a photo (or is a
# decompression bomb: a tiny file that would expand to gigabytes of pixels).
MAX_PIXELS = 80_000_000
PHOTOS_PER_ACTIVITY = 9
FIELD = "image"
ADD_DENIED = gettext_lazy("Photos can be added by whoever may correct the activity.")


def _error(message: str) -> ValidationError:
    return ValidationError({FIELD: message})


def _open(upload) -> Image.Image:
    """The upload as a loaded Pillow image, or a ValidationError naming the field."""
    not_an_image = _error(_("The file is not a photo: upload a JPEG, PNG or WebP image."))
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload)
            if image.format not in ACCEPTED_FORMATS:
                raise _error(_("Photos must be JPEG, PNG or WebP images (this one is %(format)s).")
                             % {"format": image.format or "?"})
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise _error(_("The photo is too large (%(w)s × %(h)s pixels).") % {"w": width, "h": height})
            image.load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError,
            SyntaxError, ValueError):
        # Pillow raises SyntaxError or ValueError for some truncated or malformed files.
        raise not_an_image from None
    return image


def clean_jpeg(image: Image.Image) -> tuple[bytes, int, int]:
    """The image upright, at most MAX_SIDE on its long side, as JPEG bytes carrying no metadata."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P", "PA"):
        # Transparency (PNG, WebP) goes onto white, as it looked on the phone's screen.
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    elif image.mode.startswith("I"):  # 16-bit greyscale PNG
        image = image.point(lambda value: value / 256).convert("L").convert("RGB")
    elif image.mode != "RGB":  # L, 1, CMYK, YCbCr …
        image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # A new image from the pixels alone: nothing of the original's info (EXIF, XMP, ICC, comments) can
    # travel with it into the file.
    bare = Image.new("RGB", image.size)
    bare.paste(image)
    out = io.BytesIO()
    bare.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue(), bare.width, bare.height


def checked_jpeg(upload) -> tuple[bytes, int, int]:
    """The upload checked (present, not empty, within settings.ACTIVITY_PHOTO_MAX_BYTES, a JPEG, PNG or
    WebP image) and re-encoded by clean_jpeg; else a ValidationError naming the field ``image``. Used
    for activity photos here and for urgent-report photos (alerts.services.alert_photo_add)."""
    if upload is None:
        raise _error(_("Choose a photo to upload."))
    size = upload.size
    limit = settings.ACTIVITY_PHOTO_MAX_BYTES
    if size > limit:
        raise _error(_("The photo is %(size)s; the limit is %(limit)s.")
                     % {"size": filesizeformat(size), "limit": filesizeformat(limit)})
    if size == 0:
        raise _error(_("The file is empty."))
    return clean_jpeg(_open(upload))


def _check_may_add(actor: User, activity: Activity) -> None:
    if not Activity.objects.visible_to(actor).filter(pk=activity.pk).exists():
        raise Activity.DoesNotExist
    if not can_edit_activity(actor, activity):
        if is_volunteer(actor) and activity.volunteer.user_id == actor.pk:
            # Her own activity, only older than the edit window: say so in her words.
            raise PermissionDenied(_("A photo can be added only to an activity of the last %(n)s days.")
                                   % {"n": settings.ACTIVITY_EDIT_WINDOW_DAYS})
        raise PermissionDenied(ADD_DENIED)


def _check_consent(actor: User, activity: Activity) -> None:
    """A photo of an activity shows its children: each needs a guardian's current consent to photos
    (casework.consents). Refused naming them (given names only to a caring mother)."""
    from casework.consents import children_without
    from casework.models import ConsentScope

    links = dict(ActivityChild.objects.filter(activity_id=activity.pk).values_list("child_id", "child__name"))
    missing = children_without(ConsentScope.PHOTOS, links)
    if missing:
        names = [given_name(links[pk]) if is_volunteer(actor) else links[pk] for pk in missing]
        raise _error(_("No guardian's consent to photos is in force for: %(names)s. Federation staff record it "
                       "on the child's casework page.") % {"names": "、".join(names)})


def photo_add(*, actor: User, activity: Activity, upload, client_id: uuid.UUID | None = None) -> ActivityPhoto:
    """Attach a photo to an activity the actor may edit (see can_edit_activity). ``upload`` is a
    Django UploadedFile. Raises ValidationError({"image": …}) for anything but a JPEG, PNG or WebP
    image within settings.ACTIVITY_PHOTO_MAX_BYTES, or when a child of the activity has no guardian's
    consent to photos in force, and nothing is stored then. ``client_id`` (a
    phone's id for the photo) is stored with it; one already taken is an IntegrityError (see
    photo_add_once), and the file is not kept then either."""
    _check_may_add(actor, activity)
    _check_consent(actor, activity)
    data, width, height = checked_jpeg(upload)
    with transaction.atomic():
        # Lock the activity so that two uploads at once cannot both pass the count.
        Activity.objects.select_for_update().filter(pk=activity.pk).first()
        if ActivityPhoto.objects.filter(activity=activity).count() >= PHOTOS_PER_ACTIVITY:
            raise _error(_("An activity can have at most %(n)s photos.") % {"n": PHOTOS_PER_ACTIVITY})
        photo = ActivityPhoto(activity=activity, width=width, height=height, client_id=client_id)
        photo.image.save("photo.jpg", ContentFile(data), save=False)
        try:
            photo.save()
        except BaseException:
            photo.image.storage.delete(photo.image.name)
            raise
    return photo


def _already_added(activity: Activity, client_id: uuid.UUID) -> ActivityPhoto | None:
    found = ActivityPhoto.objects.filter(client_id=client_id).first()
    if found is not None and found.activity_id != activity.pk:
        raise ValidationError({"client_id": _("This photo id was already used for another activity.")})
    return found


def photo_add_once(*, actor: User, activity: Activity, upload, client_id: uuid.UUID) -> tuple[ActivityPhoto, bool]:
    """photo_add, idempotent on the phone's id for the photo: ``(photo, True)`` when it is stored now,
    ``(the stored photo, False)`` when a photo with ``client_id`` was already added to this activity (a
    phone retrying after a lost answer: nothing is stored twice, and the upload is not read again).
    An id already used for another activity is refused (ValidationError naming ``client_id``).

    Not one transaction around the whole: the image is checked and re-encoded outside any lock, as in
    photo_add; two retries racing past the first look-up meet the unique constraint on client_id, and
    the loser gets the winner's photo."""
    _check_may_add(actor, activity)
    found = _already_added(activity, client_id)
    if found is not None:
        return found, False
    try:
        return photo_add(actor=actor, activity=activity, upload=upload, client_id=client_id), True
    except IntegrityError:
        found = _already_added(activity, client_id)
        if found is None:
            raise
        return found, False
