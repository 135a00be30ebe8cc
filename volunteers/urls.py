from django.urls import path

from children.views import retention
from volunteers.views import actions, roster, teams, trainings

app_name = "volunteers"

urlpatterns = [
    path("", roster.volunteer_list, name="list"),
    path("new/", roster.volunteer_create, name="create"),
    path("<int:pk>/", roster.volunteer_detail, name="detail"),
    path("<int:pk>/edit/", roster.volunteer_edit, name="edit"),
    path("<int:pk>/status/", actions.volunteer_status, name="status"),
    path("<int:pk>/login/", actions.volunteer_create_login, name="create-login"),
    path("<int:pk>/helpers/new/", actions.helper_add, name="helper-add"),
    path("helpers/<int:pk>/remove/", actions.helper_remove, name="helper-remove"),
    path("<int:pk>/recognitions/new/", actions.recognition_create, name="recognition-create"),
    path("<int:pk>/retention-hold/", retention.volunteer_hold, name="retention-hold"),
    path("<int:pk>/retention-release/", retention.volunteer_release, name="retention-release"),
    path("teams/", teams.team_list, name="team-list"),
    path("teams/new/", teams.team_create, name="team-create"),
    path("stations/", teams.station_list, name="station-list"),
    path("stations/new/", teams.station_create, name="station-create"),
    path("trainings/", trainings.training_list, name="training-list"),
    path("trainings/new/", trainings.training_create, name="training-create"),
    path("trainings/<int:pk>/", trainings.training_detail, name="training-detail"),
]
