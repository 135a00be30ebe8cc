"""URLs of the contact-rhythm pages and of notifications (activities/notification_views.py), under /care/."""

from django.urls import path

from activities import notification_views as views

app_name = "rhythm"

urlpatterns = [
    path("overdue/", views.overdue_regions, name="overdue"),
    path("overdue/children/", views.overdue_list, name="overdue-list"),
    path("overdue/volunteers/", views.overdue_volunteers, name="overdue-volunteers"),
    path("coverage/", views.monthly_coverage, name="coverage"),
    path("rhythm/", views.rhythm_settings, name="settings"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications-read-all"),
]
