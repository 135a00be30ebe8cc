from django.urls import path

from activities.views import editing, ledger, photos

app_name = "activities"

urlpatterns = [
    path("", ledger.activity_list, name="list"),
    path("new/", editing.activity_create, name="create"),
    path("<uuid:pk>/", ledger.activity_detail, name="detail"),
    path("<uuid:pk>/edit/", editing.activity_edit, name="edit"),
    path("<uuid:pk>/photos/", editing.photo_upload, name="photo-upload"),
    path("photos/<int:pk>/", photos.photo, name="photo"),
]
