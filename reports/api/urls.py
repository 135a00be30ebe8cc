from django.urls import path
from rest_framework.routers import SimpleRouter

from reports.api import runs, stats

router = SimpleRouter()
router.register("reports", runs.ReportRunViewSet, basename="report")

urlpatterns = [
    path("stats/", stats.StatsView.as_view(), name="api-stats"),
    *router.urls,
]
