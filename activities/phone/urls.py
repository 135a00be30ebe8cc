from django.urls import path

from activities.phone import views
from alerts import views as alert_views

app_name = "phone"

urlpatterns = [
    path("", views.home, name="home"),
    path("children/<int:pk>/", views.child_detail, name="child"),
    # 报告紧急情况 (alerts.views.phone_report).
    path("children/<int:pk>/alert/", alert_views.phone_report, name="alert"),
    path("log/", views.log_activity, name="log"),
    path("history/", views.history, name="history"),
    path("me/", views.me, name="me"),
    path("offline/", views.offline, name="offline"),
    # Served from /m/ so its default scope is /m/: it controls the phone pages and nothing else.
    path("sw.js", views.service_worker, name="service-worker"),
]
