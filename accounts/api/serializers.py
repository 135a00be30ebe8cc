from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import AuditEvent, Region, User
from accounts.roles import Role
from core.openapi import nullable_in_response


class RegionBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "level"]


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent_id", read_only=True, allow_null=True)

    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent"]
        read_only_fields = ["level", "parent"]
        extra_kwargs = {"code": {"validators": []}}


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("user name"))
    password = serializers.CharField(label=_("password"), style={"input_type": "password"}, trim_whitespace=False)
    otp = serializers.CharField(label=_("two-factor code"), required=False, allow_blank=True, max_length=32,
                                help_text=_("For the roles that require two-factor login (OTP_REQUIRED_ROLES): "
                                            "the 6 digits the authenticator app shows, or a recovery code."))


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


class UserSerializer(serializers.ModelSerializer):
    # A superuser has no region: null in answers; a user created or changed here needs one.
    region = nullable_in_response(serializers.CharField(source="region_id", label=_("region")))
    role = serializers.ChoiceField(choices=Role.choices, label=_("role"))
    password = serializers.CharField(write_only=True, label=_("password"), style={"input_type": "password"},
                                     trim_whitespace=False)
    phone = serializers.RegexField(r"^1[3-9]\d{9}$", required=False, allow_blank=True, label=_("mobile number"),
                                   error_messages={"invalid": _("Enter an 11-digit mainland mobile number.")})
    volunteer = serializers.IntegerField(source="volunteer.pk", required=False, allow_null=True,
                                         label=_("caring mother"),
                                         help_text=_("The caring mother (volunteer id) this login belongs to; "
                                                     "on create, opens her login (role volunteer, her region)."))

    class Meta:
        model = User
        fields = ["id", "username", "name", "phone", "role", "region", "password", "is_active", "date_joined",
                  "last_login", "volunteer"]
        read_only_fields = ["id", "is_active", "date_joined", "last_login"]
        extra_kwargs = {"username": {"validators": []}}

    def validate(self, attrs):
        if (attrs.get("volunteer") or {}).get("pk") is not None and attrs.get("role") != Role.VOLUNTEER:
            raise serializers.ValidationError({"role": _("A caring mother's login has the volunteer role.")})
        return attrs


class UserUpdateSerializer(UserSerializer):
    password = serializers.CharField(write_only=True, required=False, label=_("password"),
                                     style={"input_type": "password"}, trim_whitespace=False)
    volunteer = serializers.IntegerField(source="volunteer.pk", read_only=True, allow_null=True,
                                         label=_("caring mother"))

    class Meta(UserSerializer.Meta):
        read_only_fields = [*UserSerializer.Meta.read_only_fields, "username"]


class MeSerializer(serializers.ModelSerializer):
    region = RegionBriefSerializer(read_only=True, allow_null=True, help_text=_("null for a superuser"))
    role = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "name", "phone", "role", "region", "is_superuser"]

    def get_role(self, user: User) -> str:
        return user.role


class AuditEventSerializer(serializers.ModelSerializer):
    """One audit event. ``changes`` is ``{field: [old, new]}``; a folded view (``action`` view) counts
    the user's views of the record that day (``count``, the last at ``last_at``)."""

    actor = serializers.IntegerField(source="actor_id", read_only=True, allow_null=True,
                                     label=_("user"), help_text=_("The id of the user who acted; null for the system."))
    region = serializers.CharField(source="region_code", read_only=True, label=_("region code"))
    changes = serializers.DictField(
        child=serializers.ListField(child=serializers.JSONField(), min_length=2, max_length=2), read_only=True,
        label=_("changes"), help_text=_("What changed: {field: [old, new]}."))
    detail = serializers.DictField(child=serializers.JSONField(), read_only=True, label=_("detail"))

    class Meta:
        model = AuditEvent
        fields = ["id", "at", "actor", "action", "target_type", "target_id", "target_label", "region", "changes",
                  "detail", "ip", "count", "last_at"]
        read_only_fields = fields
