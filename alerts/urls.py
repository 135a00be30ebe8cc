from django.urls import path

from alerts import views

app_name = "alerts"

urlpatterns = [
    path("", views.alert_list, name="list"),
    path("report/<int:child_pk>/", views.alert_report, name="report"),
    path("<uuid:pk>/", views.alert_detail, name="detail"),
    path("<uuid:pk>/photo/", views.alert_photo, name="photo"),
    path("<uuid:pk>/acknowledge/", views.alert_acknowledge, name="acknowledge"),
    path("<uuid:pk>/close/", views.alert_close, name="close"),
]
