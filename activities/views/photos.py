"""Serving activity photos: only through this view, only to users who can see the activity.

The files live in the private default storage (settings.PRIVATE_STORAGE_ROOT), never under /static/
or a public media URL. Every signed-in role may ask (a caring mother sees the photos of her own
activities); a photo of an activity outside the caller's scope is a 404, like the activity.
"""

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from activities.models import Activity, ActivityPhoto
from core.access import SIGNED_IN, require


@require(SIGNED_IN)
@require_safe
def photo(request, pk: int):
    found = get_object_or_404(ActivityPhoto.objects.filter(activity__in=Activity.objects.visible_to(request.user)),
                              pk=pk)
    response = FileResponse(found.image.open("rb"), content_type="image/jpeg")
    response["Content-Disposition"] = f'inline; filename="activity-photo-{found.pk}.jpg"'
    # The browser may keep it for the session's pages; shared caches may not keep it at all.
    response["Cache-Control"] = "private, max-age=3600"
    return response
