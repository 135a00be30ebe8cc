from django.urls import path

from casework import views

app_name = "casework"

urlpatterns = [
    path("child/<int:child_pk>/", views.child_casework, name="child"),
    path("child/<int:child_pk>/plan/", views.plan_create, name="plan-create"),
    path("child/<int:child_pk>/consents/", views.consent_add, name="consent-add"),
    path("consent/<int:pk>/withdraw/", views.consent_withdraw, name="consent-withdraw"),
    path("consent/<int:pk>/document/", views.consent_document, name="consent-document"),
    path("child/<int:child_pk>/referrals/", views.referral_create, name="referral-create"),
    path("plan/<int:pk>/edit/", views.plan_update, name="plan-update"),
    path("plan/<int:pk>/close/", views.plan_close, name="plan-close"),
    path("plan/<int:pk>/actions/", views.action_add, name="action-add"),
    path("action/<int:pk>/complete/", views.action_complete, name="action-complete"),
    path("referral/<int:pk>/<str:to>/", views.referral_transition, name="referral-transition"),
    path("actions/overdue/", views.overdue_actions, name="overdue-actions"),
]
