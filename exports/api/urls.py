from rest_framework.routers import SimpleRouter

from exports.api import views

router = SimpleRouter()
router.register("exports", views.ExportRunViewSet, basename="export")

urlpatterns = router.urls
