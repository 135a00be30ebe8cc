from django.urls import path

from reports import views, views_dashboard

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("stats/", views_dashboard.dashboard, name="dashboard"),
    path("new/", views.report_request, name="request"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/download/", views.report_download, name="download"),
    path("<int:pk>/again/", views.report_regenerate, name="regenerate"),
]
