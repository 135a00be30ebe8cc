from rest_framework.routers import SimpleRouter

from pairing.api import views

router = SimpleRouter()
router.register("pairings", views.PairingViewSet, basename="pairing")

urlpatterns = router.urls
