from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from accounts.roles import RANK, Role
from core import regioncodes
from core.access import EDIT, MANAGE, role_of
from core.scoping import ScopedQuerySet, restrict_to_subtree


class RegionLevel(models.TextChoices):
    PROVINCE = regioncodes.PROVINCE, _("Province")
    CITY = regioncodes.CITY, _("City")
    COUNTY = regioncodes.COUNTY, _("County")
    TOWNSHIP = regioncodes.TOWNSHIP, _("Township")
    VILLAGE = regioncodes.VILLAGE, _("Village / community")


class RegionQuerySet(models.QuerySet):
    def subtree(self, code: str) -> "RegionQuerySet":
        return self.filter(regioncodes.subtree_q("code", code))

    def visible_to(self, user) -> "RegionQuerySet":
        """The user's subtree, plus its ancestors (so a county user can read its city and province)."""
        if role_of(user) is None:
            return self.none()
        if user.is_superuser:
            return self.all()
        if not user.region_id:
            return self.none()
        return self.filter(
            regioncodes.subtree_q("code", user.region_id) | Q(code__in=regioncodes.ancestor_codes(user.region_id))
        )

    def manageable_by(self, user) -> "RegionQuerySet":
        """Regions a user may place records in: their own subtree only, never an ancestor."""
        return restrict_to_subtree(self, user, "code")


class Region(models.Model):
    code = models.CharField(_("region code"), max_length=12, primary_key=True)
    name = models.CharField(_("region name"), max_length=64)
    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent region"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="subregions",
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{12}$"), name="region_code_12_digits"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        return regioncodes.prefix_of(self.code)

    def contains(self, code: str) -> bool:
        return regioncodes.in_subtree(self.code, code)

    def ancestors(self) -> list["Region"]:
        """Ancestors from the root down (province first), in one query."""
        codes = regioncodes.ancestor_codes(self.code)
        found = {r.code: r for r in Region.objects.filter(code__in=codes)}
        return [found[c] for c in reversed(codes) if c in found]

    def path_name(self) -> str:
        return " / ".join([a.name for a in self.ancestors()] + [self.name])


class UserQuerySet(ScopedQuerySet):
    """``visible_to`` (core.scoping): users in the caller's subtree (superusers are nobody's to see
    or manage but other superusers'); a caring mother sees only herself."""

    def visible_to(self, user) -> "UserQuerySet":
        users = super().visible_to(user)
        return users if user.is_superuser else users.filter(is_superuser=False)

    def for_volunteer(self, user) -> "UserQuerySet":
        return self.filter(pk=user.pk)


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    name = models.CharField(_("name"), max_length=64, blank=True)
    phone = models.CharField(_("mobile number"), max_length=11, blank=True)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.VIEWER, db_index=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    created_by = models.ForeignKey(
        "self", verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deactivated_at = models.DateTimeField(_("deactivated at"), null=True, blank=True)
    # Raised by "log out everywhere" (accounts.services.user_log_out_everywhere): part of the session
    # hash, so every browser session signed in before it is over.
    session_epoch = models.PositiveIntegerField(_("sign-outs everywhere"), default=0, editable=False)
    # The language of every page once signed in, chosen on the profile page and kept across sessions
    # (accounts.language.UserLanguageMiddleware); Simplified Chinese unless the user chose otherwise.
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES,
                                default=settings.LANGUAGE_CODE)

    objects = ScopedUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # Everyone but a superuser works inside one region.
            models.CheckConstraint(condition=Q(is_superuser=True) | Q(region__isnull=False), name="user_has_region"),
        ]

    def __str__(self) -> str:
        return self.name or self.username

    def get_full_name(self) -> str:
        return self.name or self.username

    def _get_session_auth_hash(self, secret=None) -> str:
        """Django's HMAC of the password hash, and of the session epoch once it was raised: a session
        is over when the password changes or the user logs out everywhere. (Epoch 0 keeps Django's
        hash, so sessions from before this field survive its arrival.)"""
        if not self.session_epoch:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac("accounts.User.get_session_auth_hash", f"{self.password}:{self.session_epoch}",
                           secret=secret, algorithm="sha256").hexdigest()

    def get_short_name(self) -> str:
        return self.name or self.username

    @property
    def rank(self) -> int:
        return 100 if self.is_superuser else RANK[Role(self.role)]

    @property
    def is_region_admin(self) -> bool:
        return role_of(self) in MANAGE

    @property
    def can_edit(self) -> bool:
        return role_of(self) in EDIT

    @property
    def role_label(self) -> str:
        return _("Superuser") if self.is_superuser else self.get_role_display()


class AuditAction(models.TextChoices):
    VIEW = "view", _("viewed")
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    STATUS = "status", _("changed status")
    ASSESS = "assess", _("assessed risk")
    REVEAL = "reveal", _("revealed the ID number")
    EXPORT = "export", _("exported")
    IMPORT = "import", _("imported")
    DOWNLOAD = "download", _("downloaded")
    # Privilege changes: users, roles, regions, logins.
    DEACTIVATE = "deactivate", _("deactivated the login")
    REACTIVATE = "reactivate", _("reactivated the login")
    PASSWORD = "password", _("set the password")
    LOGOUT_ALL = "logout_all", _("logged out everywhere")
    LOGOUT = "logout", _("ended a login session")


class AuditEventQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AuditEventQuerySet":
        """Admins read the log of their subtree; nobody else reads it."""
        if role_of(user) not in MANAGE:
            return self.none()
        return restrict_to_subtree(self, user, "region_code")


class AuditEvent(models.Model):
    """Who read or changed what, when, from where. Append-only: rows are never deleted, and only a
    view's count is ever updated — repeated views of one record by one user on one day are one row
    (``day`` set, ``count`` views, the last at ``last_at``), so reveals and changes stay visible."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, verbose_name=_("user"), null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=10, choices=AuditAction.choices)
    target_type = models.CharField(_("record type"), max_length=40)
    target_id = models.CharField(_("record"), max_length=64, blank=True)
    target_label = models.CharField(_("record name"), max_length=120, blank=True)
    # The record's region at the time, so admins can browse the log of their subtree without joins.
    region_code = models.CharField(_("region code"), max_length=12, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    # What changed: {field: [old, new]}.
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    # Folded views only: the (local) day, how many views, and when the last one was.
    day = models.DateField(_("day"), null=True, blank=True)
    count = models.PositiveIntegerField(_("times"), default=1)
    last_at = models.DateTimeField(_("last time"), null=True, blank=True)
    # Tamper evidence (accounts.auditchain): the keyed hash of the row as written, and once sealed its
    # place in the chain, the previous row's hash and its own.
    mac = models.CharField(_("row hash"), max_length=64, blank=True)
    seq = models.BigIntegerField(_("place in the chain"), null=True, blank=True, unique=True)
    prev_hash = models.CharField(_("previous row's hash"), max_length=64, blank=True)
    hash = models.CharField(_("chain hash"), max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["region_code", "-at"], name="audit_region_at"),
            models.Index(fields=["target_type", "target_id", "-at"], name="audit_target_at"),
            models.Index(fields=["actor", "-at"], name="audit_actor_at"),
        ]
        constraints = [
            # Rows without a day (everything but views) never collide: NULLs are distinct.
            models.UniqueConstraint(fields=["actor", "action", "target_type", "target_id", "day"],
                                    name="audit_view_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()} {self.target_label}"


class AuditChainHead(models.Model):
    """Where the audit chain's sealing has got to (accounts.auditchain): one row."""

    last_seq = models.BigIntegerField(_("last place sealed"), default=0)
    last_hash = models.CharField(_("last hash"), max_length=64, blank=True)
    sealed_at = models.DateTimeField(_("sealed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")

    def __str__(self) -> str:
        return f"{self.last_seq} {self.last_hash[:12]}"


class TokenActivity(models.Model):
    """When an API token (rest_framework.authtoken's) was last used, written at most once a minute
    (accounts.tokens). A token unused for longer than its owner's idle limit has expired. A token
    without this row counts from when it was created."""

    token = models.OneToOneField("authtoken.Token", primary_key=True, on_delete=models.CASCADE,
                                 related_name="activity", verbose_name=_("token"))
    last_used = models.DateTimeField(_("last used"))

    class Meta:
        verbose_name = _("token activity")
        verbose_name_plural = _("token activity")

    def __str__(self) -> str:
        return f"{self.token_id[:6]}… {self.last_used:%Y-%m-%d %H:%M}"


class UserSession(models.Model):
    """One signed-in browser session of a user, so she can see where she is signed in and end the
    others (accounts.usersessions): written at login, its last use at most once a minute. The session
    itself is Django's (django.contrib.sessions); this row never holds more than its key."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="login_sessions")
    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    started_at = models.DateTimeField(_("signed in at"))
    last_seen = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("login session")
        verbose_name_plural = _("login sessions")
        indexes = [models.Index(fields=["user", "-last_seen"], name="usersession_user_seen")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.last_seen:%Y-%m-%d %H:%M}"
