from django.urls import path

from accounts import audit_views, views

app_name = "accounts"

urlpatterns = [
    path("users/", views.user_list, name="user-list"),
    path("users/new/", views.user_create, name="user-create"),
    path("users/<int:pk>/", views.user_detail, name="user-detail"),
    path("users/<int:pk>/deactivate/", views.user_deactivate, name="user-deactivate"),
    path("users/<int:pk>/reactivate/", views.user_reactivate, name="user-reactivate"),
    path("regions/", views.region_list, name="region-list"),
    path("regions/search/", views.region_search, name="region-search"),
    path("regions/<str:code>/", views.region_list, name="region-detail"),
    path("audit/", audit_views.audit_list, name="audit-list"),
]
