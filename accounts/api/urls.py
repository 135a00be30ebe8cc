from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts.api import audit, views

router = SimpleRouter()
router.register("users", views.UserViewSet, basename="user")
router.register("regions", views.RegionViewSet, basename="region")
router.register("audit", audit.AuditEventViewSet, basename="audit")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("me/", views.MeView.as_view(), name="api-me"),
    *router.urls,
]
