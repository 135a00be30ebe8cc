from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.models import Region
from accounts.roles import RANK, Role
from core.regioncodes import LEVELS, VILLAGE
from core.regions import region_options
from core.widgets import RegionField

# A user works at any level but a village's (a caring mother's login is opened from her roster page).
USER_LEVELS = tuple(level for level in LEVELS if level != VILLAGE)


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Wrong user name or password. Note that both are case-sensitive."),
        "inactive": _("This account has been deactivated."),
    }


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Input for accounts.services.user_set_password (the old password, the new one twice); the
    service sets it, so never call ``save()``."""

    SERVICE_FIELDS = {"password": "new_password2"}


class AdminSetPasswordForm(auth_forms.AdminPasswordChangeForm):
    """The Django admin's "change password" input, for accounts.services.user_set_password: a new
    password only (disabling password login is not offered); never call ``save()``."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields.pop("usable_password", None)
        self.fields["password1"].required = self.fields["password2"].required = True


class UserCreateForm(forms.Form):
    """Input for accounts.services.user_create; the form validates shape, the service the rules."""

    username = forms.CharField(label=_("user name"), max_length=150)
    name = forms.CharField(label=_("name"), max_length=64, required=False)
    phone = forms.RegexField(label=_("mobile number"), regex=r"^1[3-9]\d{9}$", required=False,
                             error_messages={"invalid": _("Enter an 11-digit mainland mobile number.")})
    role = forms.ChoiceField(label=_("role"), choices=Role.choices)
    region = RegionField(label=_("region"))
    password = forms.CharField(label=_("initial password"), widget=forms.PasswordInput, min_length=8)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        # A select of the regions (named with their codes) while they fit, else the search picker.
        self.fields["region"].offer(
            Region.objects.manageable_by(actor), levels=USER_LEVELS, with_province=not actor.region_id,
            options=region_options(actor, depth=len(LEVELS), levels=USER_LEVELS, with_codes=True))
        # Never above the actor's own rank (a superuser's is above every role).
        self.fields["role"].choices = [(v, label) for v, label in Role.choices if RANK[Role(v)] <= actor.rank]
