from django.urls import path

from submissions import views

app_name = "submissions"

urlpatterns = [
    path("", views.submission_month, name="month"),
    path("progress/", views.submission_progress, name="progress"),
    path("<int:pk>/return/", views.submission_return, name="return"),
    path("<int:pk>/accept/", views.submission_accept, name="accept"),
    path("<int:pk>/report/", views.submission_report, name="report"),
]
