from rest_framework.routers import SimpleRouter

from children.api import views

router = SimpleRouter()
router.register("children", views.ChildViewSet, basename="child")
router.register("needs", views.NeedViewSet, basename="need")
router.register("transfers", views.TransferViewSet, basename="transfer")

urlpatterns = router.urls
