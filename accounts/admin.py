"""Django admin, scoped: non-superusers see and change only rows in their region subtree, and user
changes go through accounts.services so the admin site cannot grant what the API would refuse."""

from axes import admin as axes_admin
from axes.conf import settings as axes_settings
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.forms import AdminSetPasswordForm
from accounts.models import Region, User
from core.access import MANAGE, allowed
from core.forms import attach_service_errors


class ScopedAdminMixin:
    """Reads through the model's ``visible_to`` queryset; only region admins may use it at all."""

    def get_queryset(self, request):
        return self.model.objects.visible_to(request.user)

    def has_module_permission(self, request):
        return allowed(request.user, MANAGE)

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

    change_password_form = AdminSetPasswordForm

    def user_change_password(self, request, id, form_url=""):
        """Django's page, except that the password is set by accounts.services.user_set_password
        (scope and rank, the audit event, the user's API tokens revoked)."""
        user = self.get_object(request, unquote(id))
        if request.method == "POST" and user is not None and self.has_change_permission(request, user):
            form = self.change_password_form(user, request.POST)
            if form.is_valid():
                services.user_set_password(actor=request.user, user=user, password=form.cleaned_data["password1"])
                self.log_change(request, user, self.construct_change_message(request, form, None))
                messages.success(request, gettext("Password changed successfully."))
                update_session_auth_hash(request, user)  # an admin who changed their own stays signed in
                return HttpResponseRedirect(reverse(f"{self.admin_site.name}:accounts_user_change", args=[user.pk]))
        # GET, or input the form refuses: Django's page shows it (it saves nothing without a valid form).
        return super().user_change_password(request, id, form_url)

    def get_readonly_fields(self, request, obj=None):
        # A login is never renamed (as in the API); its password is set by the service, not here.
        return [*self.readonly_fields, "username"] if obj is not None else self.readonly_fields

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
        # The form has already set its values on ``obj``: hand them to the service on the stored user,
        # so it checks and audits what changes.
        original = User.objects.get(pk=obj.pk)
        services.user_update(actor=request.user, user=original, role=obj.role, region=obj.region, name=obj.name,
                             phone=obj.phone)

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


# --- django-axes' lockout records ------------------------------------------------------------------
# Its field names are translated in our catalogue (axes ships no Chinese one); its computed columns
# have no description, so Django would show their English attribute names: these subclasses name them.

class AccessAttemptAdmin(axes_admin.AccessAttemptAdmin):
    @admin.display(description=_("Lockout"))
    def status(self, obj: AccessAttempt) -> str:
        left = axes_settings.AXES_FAILURE_LIMIT - obj.failures_since_start
        if left > 0:
            return ngettext("%(count)s attempt left", "%(count)s attempts left", left) % {"count": left}
        return gettext("Locked out")

    @admin.display(description=_("Expires at"))
    def expiration(self, obj: AccessAttempt):
        return super().expiration(obj)


if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)
    admin.site.register(AccessAttempt, AccessAttemptAdmin)


# django-otp's admin pages would show every authenticator's secret and recovery code (and change them
# unaudited): two-factor login is each user's own, on /two-factor/ (accounts.twofactor). Someone who has
# lost both her phone and her codes gets a one-time code from the operator: manage.py addstatictoken <user>.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
