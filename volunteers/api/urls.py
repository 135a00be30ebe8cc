from rest_framework.routers import SimpleRouter

from volunteers.api import views

router = SimpleRouter()
router.register("teams", views.TeamViewSet, basename="team")
router.register("volunteers", views.VolunteerViewSet, basename="volunteer")
router.register("trainings", views.TrainingViewSet, basename="training")

urlpatterns = router.urls
