from django.urls import path

from pairing import commitment_views, views

app_name = "pairing"

urlpatterns = [
    path("", views.pairing_list, name="list"),
    path("coverage/", views.coverage, name="coverage"),
    path("commitments/", commitment_views.commitment_settings, name="commitments"),
    path("child/<int:child_pk>/", views.suggest, name="suggest"),
    path("child/<int:child_pk>/confirm/", views.pairing_confirm, name="confirm"),
    path("child/<int:child_pk>/pair/", views.pairing_create, name="create"),
    path("<int:pk>/", views.pairing_detail, name="detail"),
    path("<int:pk>/end/", views.pairing_end, name="end"),
    path("<int:pk>/card.pdf", views.pair_card, name="card"),
]
