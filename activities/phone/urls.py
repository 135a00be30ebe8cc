from django.urls import path

from activities.phone import views

app_name = "phone"

urlpatterns = [
    path("", views.home, name="home"),
    path("children/<int:pk>/", views.child_detail, name="child"),
    path("log/", views.log_activity, name="log"),
    path("history/", views.history, name="history"),
    path("me/", views.me, name="me"),
    path("offline/", views.offline, name="offline"),
    # Served from /m/ so its default scope is /m/: it controls the phone pages and nothing else.
    path("sw.js", views.service_worker, name="service-worker"),
]
