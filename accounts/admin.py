"""Django admin, scoped: non-superusers see and change only rows in their region subtree, and user
changes go through accounts.services so the admin site cannot grant what the API would refuse."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.formerrors import attach_service_errors
from accounts.models import Region, User


class ScopedAdminMixin:
    """Reads through the model's ``visible_to`` queryset; only region admins may use it at all."""

    def get_queryset(self, request):
        return self.model.objects.visible_to(request.user)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_region_admin

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        # History is never deleted: users are deactivated, regions stay.
        return False


@admin.register(Region)
class RegionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    fields = ["code", "name", "level", "parent"]
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return ["code", "level", "parent"] if obj else ["level", "parent"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and not Region.objects.manageable_by(request.user).filter(pk=obj.pk).exists():
            return False  # an ancestor is readable, not editable
        return super().has_change_permission(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        if obj is not None:
            return form_class

        class NewRegionForm(form_class):
            def clean(self):
                data = super().clean()
                try:
                    services.region_check_new(actor=request.user, code=data.get("code", ""), name=data.get("name", ""))
                except ValidationError as exc:
                    attach_service_errors(exc, self)
                return data

        return NewRegionForm

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name"])
            return
        created = services.region_create(actor=request.user, code=obj.code, name=obj.name)
        obj.level, obj.parent = created.level, created.parent


@admin.register(User)
class UserAdmin(ScopedAdminMixin, DjangoUserAdmin):
    list_display = ["username", "name", "role", "region", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "name", "phone"]
    list_select_related = ["region"]
    autocomplete_fields = ["region"]
    ordering = ["region_id", "username"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["name", "phone"]}),
        (_("Role and scope"), {"fields": ["role", "region", "is_active", "deactivated_at"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined", "created_by"]}),
    ]
    add_fieldsets = [(None, {"fields": ["username", "name", "phone", "role", "region", "password1", "password2"]})]
    readonly_fields = ["is_active", "deactivated_at", "last_login", "date_joined", "created_by"]
    actions = ["deactivate_users"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region":
            kwargs["queryset"] = Region.objects.manageable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class ScopedUserForm(form_class):
            def clean(self):
                data = super().clean()
                role, region = data.get("role"), data.get("region")
                if role is not None and (obj is None or (role, region) != (obj.role, obj.region)):
                    try:
                        services.user_check_grant(actor=request.user, role=role, region=region)
                    except ValidationError as exc:
                        attach_service_errors(exc, self)
                return data

        return ScopedUserForm

    def save_model(self, request, obj, form, change):
        """Creation and role/region changes go through the services' scope and rank checks."""
        if not change:
            created = services.user_create(
                actor=request.user, username=obj.username, password=form.cleaned_data["password1"],
                role=obj.role, region=obj.region, name=obj.name, phone=obj.phone,
            )
            obj.pk, obj.password = created.pk, created.password
            obj._state.adding = False
            return
        original = User.objects.get(pk=obj.pk)
        role, region = obj.role, obj.region
        obj.role, obj.region = original.role, original.region
        services.user_update(actor=request.user, user=obj, role=role, region=region, name=obj.name, phone=obj.phone)

    @admin.action(description=_("Deactivate the selected users"))
    def deactivate_users(self, request, queryset):
        done = 0
        for user in queryset:
            try:
                services.user_deactivate(actor=request.user, user=user)
                done += 1
            except ValidationError as exc:
                self.message_user(request, f"{user}: {'; '.join(exc.messages)}", messages.ERROR)
        self.message_user(request, _("%(count)s users deactivated.") % {"count": done})
