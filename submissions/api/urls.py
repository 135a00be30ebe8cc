from rest_framework.routers import SimpleRouter

from submissions.api import views

router = SimpleRouter()
router.register("submissions", views.SubmissionViewSet, basename="submission")

urlpatterns = router.urls
