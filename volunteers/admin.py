"""Django admin for the roster, scoped like accounts/admin.py: region admins see their subtree only.

Creating a caring mother, a team or a work station and changing a caring mother go through
volunteers.services, so the admin site cannot do what the pages and the API would refuse: the form
runs the service inside a savepoint that is rolled back (its errors land on the fields), and saving
runs it for real. Status changes, logins, helpers, trainings and recognition are recorded on the
staff pages and are read-only here; nothing is ever deleted.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.admin import ScopedAdminMixin
from accounts.models import Region
from core.forms import attach_service_errors
from volunteers import services
from volunteers.models import (
    Recognition,
    Skill,
    Team,
    Training,
    Volunteer,
    VolunteerStatusChange,
    WorkStation,
)


class _RollBack(Exception):
    pass


def _copy_saved(obj, saved) -> None:
    """Make the admin's object the row the service wrote (for the redirect and the admin log)."""
    for field in saved._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False


class ServiceAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Writes through ``self.write(actor, obj_or_None, cleaned_data)``, a volunteers.services call."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region":
            kwargs["queryset"] = Region.objects.manageable_by(request.user)
        elif db_field.name == "team":
            kwargs["queryset"] = Team.objects.visible_to(request.user)
        elif db_field.name == "station":
            kwargs["queryset"] = WorkStation.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def write(self, actor, obj, data):  # pragma: no cover - each admin defines it
        raise NotImplementedError

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        model_admin = self

        class ServiceForm(form_class):
            def _post_clean(self):
                pass  # the service validates (and the model's own checks would pre-empt its messages)

            def clean(self):
                data = super().clean()
                if self.errors:
                    return data
                try:
                    with transaction.atomic():
                        model_admin.write(request.user, obj, data)
                        raise _RollBack
                except _RollBack:
                    pass
                except ValidationError as exc:
                    attach_service_errors(exc, self)
                except PermissionDenied as exc:
                    self.add_error(None, str(exc))
                return data

        return ServiceForm

    def save_model(self, request, obj, form, change):
        _copy_saved(obj, self.write(request.user, obj if change else None, form.cleaned_data))

    def save_related(self, request, form, formsets, change):
        pass  # inlines are read-only; the service wrote everything


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StatusChangeInline(ReadOnlyInline):
    model = VolunteerStatusChange
    fields = readonly_fields = ["effective_on", "from_status", "to_status", "reason", "actor"]


class RecognitionInline(ReadOnlyInline):
    model = Recognition
    fields = readonly_fields = ["awarded_on", "kind", "title", "reason"]


SKILL_FIELDS = [f"skill_{s}" for s in Skill.values]
RECORD_FIELDS = ["name", "phone", "region", "sector", "employer", "team", "station", "capacity", "notes"]


@admin.register(Volunteer)
class VolunteerAdmin(ServiceAdmin):
    list_display = ["name", "region", "team", "sector", "capacity", "status"]
    list_filter = ["status", "sector"]
    search_fields = ["name", "phone"]
    list_select_related = ["region", "team"]
    ordering = ["region_id", "name"]
    show_full_result_count = False
    fields = [*RECORD_FIELDS, *SKILL_FIELDS, "joined_on", "status", "left_on", "user"]
    inlines = [StatusChangeInline, RecognitionInline]

    def get_readonly_fields(self, request, obj=None):
        return ["joined_on", "status", "left_on", "user"] if obj else ["status", "left_on", "user"]

    def write(self, actor, obj, data):
        values = {f: data.get(f) for f in RECORD_FIELDS}
        values["employer"], values["notes"] = values["employer"] or "", values["notes"] or ""
        skills = [s for s in Skill.values if data.get(f"skill_{s}")]
        if obj is None:
            return services.volunteer_create(actor=actor, skills=skills, joined_on=data.get("joined_on"), **values)
        return services.volunteer_update(actor=actor, volunteer=obj, skills=skills, **values)


class RegionOwnedAdmin(ServiceAdmin):
    """Teams and work stations: created through the service, read-only afterwards."""

    list_select_related = ["region"]
    search_fields = ["name"]
    ordering = ["region_id", "name"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)


@admin.register(Team)
class TeamAdmin(RegionOwnedAdmin):
    list_display = ["name", "region", "created_on"]
    fields = ["name", "region", "created_on", "notes"]

    def write(self, actor, obj, data):
        return services.team_create(actor=actor, name=data.get("name", ""), region=data.get("region"),
                                    created_on=data.get("created_on"), notes=data.get("notes") or "")


@admin.register(WorkStation)
class WorkStationAdmin(RegionOwnedAdmin):
    list_display = ["name", "region", "address", "opened_on"]
    fields = ["name", "region", "address", "opened_on"]

    def write(self, actor, obj, data):
        return services.station_create(actor=actor, name=data.get("name", ""), region=data.get("region"),
                                       address=data.get("address") or "", opened_on=data.get("opened_on"))


@admin.register(Training)
class TrainingAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read-only: trainings are recorded on the staff page, with the attendee picker."""

    list_display = ["held_on", "title", "region", "organiser", "participants"]
    list_select_related = ["region"]
    search_fields = ["title", "organiser"]
    fields = readonly_fields = ["title", "held_on", "region", "topic", "organiser", "participants", "created_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
