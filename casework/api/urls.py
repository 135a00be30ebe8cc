from rest_framework.routers import SimpleRouter

from casework.api import views

router = SimpleRouter()
router.register("case-plans", views.CasePlanViewSet, basename="case-plan")
router.register("referrals", views.ReferralViewSet, basename="referral")

urlpatterns = router.urls
