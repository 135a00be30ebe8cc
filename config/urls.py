from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import profile as profile_views
from accounts import twofactor_views
from accounts import views as account_views

# An unknown address or a server error under /api/ answers JSON (config.api_errors).
handler404 = "config.api_errors.not_found"
handler500 = "config.api_errors.server_error"

admin.site.site_header = "爱心妈妈结对关爱平台"
admin.site.site_title = "爱心妈妈结对关爱平台"

urlpatterns = [
    path("", account_views.home, name="home"),
    # The password, then for the roles in OTP_REQUIRED_ROLES the code (accounts.twofactor).
    path("login/", twofactor_views.LoginView.as_view(), name="login"),
    path("login/code/", twofactor_views.login_code, name="login-otp"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("logout/everywhere/", account_views.logout_everywhere, name="logout-everywhere"),
    path("password/", account_views.password_change, name="password_change"),
    # The user's own settings: the language of her pages (accounts.language), kept on her account.
    path("profile/", profile_views.profile, name="profile"),
    # Two-factor login: enrolment, recovery codes, removal (accounts.twofactor).
    path("two-factor/", twofactor_views.otp_setup, name="otp-setup"),
    path("two-factor/recovery-codes/", twofactor_views.otp_recovery_codes, name="otp-recovery-codes"),
    path("two-factor/remove/", twofactor_views.otp_remove, name="otp-remove"),
    # The user's own signed-in sessions, and ending the others (accounts.usersessions).
    path("sessions/", twofactor_views.session_list, name="sessions"),
    path("sessions/<int:pk>/end/", twofactor_views.session_end, name="session-end"),
    path("sessions/end-others/", twofactor_views.sessions_end_others, name="sessions-end-others"),
    path("healthz/", account_views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("children/", include("children.urls")),
    path("volunteers/", include("volunteers.urls")),
    path("pairing/", include("pairing.urls")),
    path("m/", include("activities.phone.urls")),
    path("care/", include("activities.notification_urls")),
    path("activities/", include("activities.urls")),
    path("reports/", include("reports.urls")),
    path("submissions/", include("submissions.urls")),
    path("casework/", include("casework.urls")),
    path("exports/", include("exports.urls")),
    path("alerts/", include("alerts.urls")),
    # The Django admin's own login page would sign in with the password alone: ours asks for the code.
    path("admin/login/", twofactor_views.admin_login),
    path("admin/", admin.site.urls),
    path("api/v1/", include("accounts.api.urls")),
    path("api/v1/", include("children.api.urls")),
    path("api/v1/", include("volunteers.api.urls")),
    path("api/v1/", include("pairing.api.urls")),
    path("api/v1/", include("activities.api.urls")),
    path("api/v1/", include("reports.api.urls")),
    path("api/v1/", include("submissions.api.urls")),
    path("api/v1/", include("casework.api.urls")),
    path("api/v1/", include("exports.api.urls")),
    path("api/v1/", include("alerts.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file (?script=): no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

