from django.urls import path
from rest_framework.routers import SimpleRouter

from casework.api import views

router = SimpleRouter()
router.register("case-plans", views.CasePlanViewSet, basename="case-plan")
router.register("referrals", views.ReferralViewSet, basename="referral")

consents = views.ConsentViewSet
urlpatterns = [
    *router.urls,
    path("children/<int:child_pk>/consents/", consents.as_view({"get": "list", "post": "create"}),
         name="child-consents"),
    path("children/<int:child_pk>/consents/<int:pk>/withdraw/", consents.as_view({"post": "withdraw"}),
         name="child-consent-withdraw"),
    path("children/<int:child_pk>/consents/<int:pk>/document/", consents.as_view({"get": "document"}),
         name="child-consent-document"),
]
