"""User and region actions. HTML views, API views, Django admin and commands all call these.

Every privilege change — a login opened, a role or region changed, a login deactivated or reactivated,
a password set, a region added or the tree imported — writes its audit event (accounts.audit) in the
same transaction, with the old and new values (codes, ids and strings; never a password or a hash).
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from accounts import tokens, twofactor
from accounts.audit import audit_record
from accounts.models import AuditAction, Region, User, UserSession
from accounts.roles import RANK, Role
from core import regioncodes
from core.access import EDIT, MANAGE, READ, SIGNED_IN, check
from core.regions import validate_code
from core.updates import model_update

MANAGE_USERS = gettext_lazy("Only administrators can manage users.")
# What user_update may change.
USER_FIELDS = ("role", "region", "name", "phone")


def _plain(value: object) -> object:
    """An audit value: a record by its key (a region by its code), anything else as it is."""
    return value.pk if isinstance(value, models.Model) else value


def user_check_grant(*, actor: User, role: str, region: Region | None) -> None:
    """An admin may place a user only in their own subtree and never above their own role."""
    errors = {}
    if role not in Role.values:
        errors["role"] = _("Unknown role “%(role)s”.") % {"role": role}
    elif RANK[Role(role)] > actor.rank:
        errors["role"] = _("You cannot grant a role above your own.")
    if region is None:
        errors["region"] = _("Choose the region the user works in.")
    elif not Region.objects.manageable_by(actor).filter(pk=region.pk).exists():
        errors["region"] = _("Region %(code)s does not exist or is outside your area.") % {"code": region.pk}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    password: str,
    role: str,
    region: Region | None,
    name: str = "",
    phone: str = "",
) -> User:
    # Admins manage users; staff may only open volunteer logins for the caring mothers on their roster.
    check(actor, EDIT if role == Role.VOLUNTEER else MANAGE, MANAGE_USERS)
    user_check_grant(actor=actor, role=role, region=region)
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": _("Enter a user name.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("The user name “%(username)s” is taken.") % {"username": username}})
    user = User(username=username, role=role, region=region, name=name.strip(), phone=phone.strip(),
                created_by=actor)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.is_staff = role == Role.ADMIN  # admins may use the (scoped) Django admin
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise ValidationError({"username": _("The user name “%(username)s” is taken.") % {"username": username}}) from None
    audit_record(actor=actor, action=AuditAction.CREATE, target=user, changes={
        "username": (None, user.username), "name": (None, user.name), "role": (None, user.role),
        "region": (None, user.region_id),
    })
    return user


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    role: str | None = None,
    region: Region | None = None,
    name: str | None = None,
    phone: str | None = None,
) -> User:
    """Change a user's role, region, name or phone (None: unchanged); audited with what changed."""
    check(actor, MANAGE, MANAGE_USERS)
    _check_target(actor=actor, user=user)
    new_role = role if role is not None else user.role
    new_region = region if region is not None else user.region
    if (new_role, new_region) != (user.role, user.region):
        if user.pk == actor.pk:
            raise ValidationError({"role": _("You cannot change your own role or region.")})
        user_check_grant(actor=actor, role=new_role, region=new_region)
    data = {"role": role, "region": region, "name": name, "phone": phone}
    changes = model_update(instance=user, data={k: v for k, v in data.items() if v is not None}, allowed=USER_FIELDS)
    is_staff = user.role == Role.ADMIN  # admins may use the (scoped) Django admin
    if changes or user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save()
    if changes:
        audit_record(actor=actor, action=AuditAction.UPDATE, target=user,
                     changes={field: (_plain(old), _plain(new)) for field, (old, new) in changes.items()})
    return user


def _check_target(*, actor: User, user: User) -> None:
    if not User.objects.visible_to(actor).filter(pk=user.pk).exists():
        raise User.DoesNotExist
    if user.rank > actor.rank:
        raise PermissionDenied(_("You cannot manage a user whose role is above your own."))


@transaction.atomic
def user_deactivate(*, actor: User, user: User) -> User:
    """Deactivate a login: it can no longer sign in and its API tokens are revoked. Nothing is deleted."""
    check(actor, MANAGE, MANAGE_USERS)
    _check_target(actor=actor, user=user)
    if user.pk == actor.pk:
        raise ValidationError({"is_active": _("You cannot deactivate yourself.")})
    if user.is_active:
        user.is_active = False
        user.deactivated_at = timezone.now()
        user.save(update_fields=["is_active", "deactivated_at"])
        Token.objects.filter(user=user).delete()
        audit_record(actor=actor, action=AuditAction.DEACTIVATE, target=user, changes={"is_active": (True, False)})
    return user


@transaction.atomic
def user_reactivate(*, actor: User, user: User) -> User:
    check(actor, MANAGE, MANAGE_USERS)
    _check_target(actor=actor, user=user)
    if not user.is_active:
        user_check_grant(actor=actor, role=user.role, region=user.region)
        user.is_active = True
        user.deactivated_at = None
        user.save(update_fields=["is_active", "deactivated_at"])
        audit_record(actor=actor, action=AuditAction.REACTIVATE, target=user, changes={"is_active": (False, True)})
    return user


@transaction.atomic
def user_set_password(*, actor: User, user: User, password: str) -> User:
    """Set a password: a user their own, an admin one of their users'. The user's API tokens are
    revoked; the audit event says who set it, never what."""
    if actor.pk == user.pk:
        check(actor, SIGNED_IN)
    else:
        check(actor, MANAGE, MANAGE_USERS)
        _check_target(actor=actor, user=user)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    Token.objects.filter(user=user).delete()
    # Her other sessions are over (the password is part of their hash); this one goes on under a new key.
    UserSession.objects.filter(user=user).delete()
    audit_record(actor=actor, action=AuditAction.PASSWORD, target=user)
    return user


@transaction.atomic
def user_set_language(*, actor: User, language: str) -> User:
    """The language of the actor's own pages (User.language; applied by accounts.language). Not a
    privilege: not audited."""
    check(actor, SIGNED_IN)
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    actor.language = language
    actor.save(update_fields=["language"])
    return actor


@transaction.atomic
def user_log_out_everywhere(*, actor: User, user: User) -> User:
    """End every session and revoke every API token of ``user`` — their own (a lost phone, a shared
    computer), or as an admin one of their users'. Audited; every browser, this one included, must log
    in again."""
    if actor.pk == user.pk:
        check(actor, SIGNED_IN)
    else:
        check(actor, MANAGE, MANAGE_USERS)
        _check_target(actor=actor, user=user)
    old_epoch = user.session_epoch
    # F() so two at once both count; the new epoch is part of the session hash (accounts.models.User).
    User.objects.filter(pk=user.pk).update(session_epoch=models.F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    tokens = Token.objects.filter(user=user).delete()[0]
    UserSession.objects.filter(user=user).delete()
    audit_record(actor=actor, action=AuditAction.LOGOUT_ALL, target=user,
                 changes={"session_epoch": (old_epoch, user.session_epoch)}, detail={"tokens_revoked": tokens})
    return user


@transaction.atomic
def token_for(*, user: User) -> Token:
    """``user``'s API token after they signed in with their password: the current one, its use recorded,
    or a new one when they had none or it expired unused (accounts.tokens)."""
    token = Token.objects.select_related("user", "activity").filter(user=user).first()
    if token is not None and tokens.is_expired(token):
        token.delete()
        token = None
    if token is None:
        return Token.objects.create(user=user)
    tokens.touch(token)
    return token


# --- two-factor login (accounts.twofactor) --------------------------------------------------------

OTP_FOR_STAFF = gettext_lazy("Two-factor login is for federation staff; caring mothers keep their password.")


def _recovery_codes(user: User) -> list[str]:
    """A fresh set of RECOVERY_CODES single-use codes for ``user``, replacing any she had."""
    device, _created = StaticDevice.objects.get_or_create(user=user, defaults={"name": "recovery"})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _n in range(twofactor.RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def otp_enrol(*, actor: User, key: str, code: str) -> tuple[TOTPDevice, list[str]]:
    """Enrol the actor's authenticator app with the secret ``key`` she was shown, once ``code`` proves
    the app has it. Returns the device and her recovery codes (shown once). Audited: otp false → true."""
    check(actor, READ, OTP_FOR_STAFF)
    if twofactor.has_device(actor):
        raise ValidationError({"code": _("Two-factor login is already set up.")})
    step = twofactor.totp_matches(key, code)
    if step is None:
        raise ValidationError({"code": _("The code does not match: enter the 6 digits your app shows now.")})
    TOTPDevice.objects.filter(user=actor).delete()  # an unconfirmed leftover
    device = TOTPDevice.objects.create(user=actor, name="authenticator", key=key, confirmed=True, last_t=step)
    codes = _recovery_codes(actor)
    audit_record(actor=actor, action=AuditAction.UPDATE, target=actor, changes={"otp": (False, True)},
                 detail={"recovery_codes": len(codes)})
    return device, codes


@transaction.atomic
def otp_verify(*, user: User, code: str):
    """The device that accepts ``code`` for ``user`` — her app's 6 digits, or one of her recovery codes
    (used up) — or None. Counting a failure toward the lockout is the caller's (it has the request)."""
    code = twofactor.normalise(code)
    if not code:
        return None
    if len(code) == 6 and code.isdigit():
        devices = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
    else:
        devices = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True)
    for device in devices:
        if device.verify_token(code):
            return device
    return None


def _check_current_code(actor: User, code: str) -> None:
    if not twofactor.has_device(actor):
        raise ValidationError({"code": _("Two-factor login is not set up.")})
    if otp_verify(user=actor, code=code) is None:
        raise ValidationError({"code": _("The code is wrong or has expired: enter the 6 digits your app shows "
                                         "now, or a recovery code.")})


@transaction.atomic
def otp_recovery_codes_regenerate(*, actor: User, code: str) -> list[str]:
    """New recovery codes for the actor (the old ones stop working), given a current code. Audited."""
    check(actor, READ, OTP_FOR_STAFF)
    _check_current_code(actor, code)
    old = twofactor.recovery_codes_left(actor)
    codes = _recovery_codes(actor)
    audit_record(actor=actor, action=AuditAction.UPDATE, target=actor,
                 changes={"recovery_codes": (old, len(codes))})
    return codes


@transaction.atomic
def otp_remove(*, actor: User, code: str) -> User:
    """Remove the actor's authenticator app and recovery codes, given a current code. Audited: otp true →
    false. A role that requires it must enrol again before anything else (accounts.twofactor)."""
    check(actor, READ, OTP_FOR_STAFF)
    _check_current_code(actor, code)
    TOTPDevice.objects.filter(user=actor).delete()
    StaticDevice.objects.filter(user=actor).delete()
    audit_record(actor=actor, action=AuditAction.UPDATE, target=actor, changes={"otp": (True, False)})
    return actor


# --- one's own sessions (accounts.usersessions) ---------------------------------------------------

def _end(session: UserSession) -> dict:
    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
    SessionStore(session_key=session.session_key).delete()
    seen = {"user_agent": session.user_agent[:120], "ip": session.ip}
    session.delete()
    return seen


@transaction.atomic
def session_end(*, actor: User, session: UserSession) -> None:
    """End one of the actor's own sessions (another computer or phone): it must log in again. Audited."""
    check(actor, SIGNED_IN)
    if session.user_id != actor.pk:
        raise UserSession.DoesNotExist
    seen = _end(session)
    audit_record(actor=actor, action=AuditAction.LOGOUT, target=actor, detail={"sessions": 1, **seen})


@transaction.atomic
def sessions_end_others(*, actor: User, keep: str | None) -> int:
    """End all the actor's sessions but the one whose key is ``keep`` (this browser). Audited when any."""
    check(actor, SIGNED_IN)
    ended = [_end(session) for session in UserSession.objects.filter(user=actor).exclude(session_key=keep or "")]
    if ended:
        audit_record(actor=actor, action=AuditAction.LOGOUT, target=actor, detail={"sessions": len(ended)})
    return len(ended)


def region_check_new(*, actor: User, code: str, name: str) -> tuple[str, str, Region]:
    """Check a new township or village without writing; returns (code, name, parent)."""
    check(actor, MANAGE, MANAGE_USERS)
    code = validate_code(code, field="code")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter the region's name.")})
    level = regioncodes.level_of(code)
    if level not in (regioncodes.TOWNSHIP, regioncodes.VILLAGE):
        raise ValidationError({"code": _("Only township and village regions can be added; cities and counties are loaded with load_regions.")})
    parent_code = regioncodes.parent_code(code)
    parent = Region.objects.manageable_by(actor).filter(pk=parent_code).first()
    if parent is None:
        raise ValidationError({"code": _("The parent region %(code)s does not exist or is outside your area.") % {"code": parent_code}})
    if Region.objects.filter(pk=code).exists():
        raise ValidationError({"code": _("Region %(code)s already exists.") % {"code": code}})
    return code, name, parent


@transaction.atomic
def region_create(*, actor: User, code: str, name: str) -> Region:
    """Add a township or village under an existing region in the actor's subtree."""
    code, name, parent = region_check_new(actor=actor, code=code, name=name)
    region = Region.objects.create(code=code, name=name, level=regioncodes.level_of(code), parent=parent)
    audit_record(actor=actor, action=AuditAction.CREATE, target=region, region_code=region.code, changes={
        "code": (None, region.code), "name": (None, region.name), "parent": (None, parent.code),
    })
    return region


@transaction.atomic
def regions_import(*, rows: list[tuple[str, str]], actor: User | None = None) -> tuple[int, int]:
    """Insert or rename regions from (code, name) rows, parents before children. Idempotent.

    ``actor`` is None for the load_regions command; an administrator may import only into their own
    subtree. Returns (created, updated) and, when anything changed, records one IMPORT event with
    those counts. Raises ValidationError naming the line for a malformed code, a code outside the
    actor's subtree or a missing parent; nothing is written then.
    """
    if actor is not None:
        check(actor, MANAGE, MANAGE_USERS)
    by_code: dict[str, str] = {}
    for line_no, (code, name) in enumerate(rows, start=1):
        code, name = (code or "").strip(), (name or "").strip()
        if not regioncodes.is_valid_code(code):
            raise ValidationError(_("Line %(line)s: “%(code)s” is not a 12-digit region code.") % {"line": line_no, "code": code})
        if not name:
            raise ValidationError(_("Line %(line)s: region %(code)s has no name.") % {"line": line_no, "code": code})
        if actor is not None and actor.region_id and not regioncodes.in_subtree(actor.region_id, code):
            raise ValidationError(_("Line %(line)s: region %(code)s is outside your area.")
                                  % {"line": line_no, "code": code})
        by_code[code] = name
    existing = {r.code: r for r in Region.objects.filter(code__in=by_code)}
    known = set(existing) | set(by_code)
    missing_parents = set()
    for code in by_code:
        parent = regioncodes.parent_code(code)
        if parent and parent not in known:
            missing_parents.add(parent)
    if missing_parents:
        present = set(Region.objects.filter(code__in=missing_parents).values_list("code", flat=True))
        absent = sorted(missing_parents - present)
        if absent:
            raise ValidationError(_("Parent regions missing from the file and the database: %(codes)s") % {"codes": ", ".join(absent[:10])})
    to_create, to_update = [], []
    for code in sorted(by_code, key=lambda c: (regioncodes.LEVELS.index(regioncodes.level_of(c)), c)):
        name = by_code[code]
        if code in existing:
            if existing[code].name != name:
                existing[code].name = name
                to_update.append(existing[code])
        else:
            to_create.append(Region(code=code, name=name, level=regioncodes.level_of(code),
                                    parent_id=regioncodes.parent_code(code)))
    # Parents sort before children, so batches insert in a valid order.
    Region.objects.bulk_create(to_create, batch_size=2000)
    Region.objects.bulk_update(to_update, ["name"], batch_size=2000)
    created, updated = len(to_create), len(to_update)
    if created or updated:
        # The command's import spans the tree: only superusers read it (no region); an admin's, their own.
        audit_record(actor=actor, action=AuditAction.IMPORT, target_type=Region._meta.label_lower,
                     target_label=str(Region._meta.verbose_name_plural),
                     region_code=(actor.region_id or "") if actor is not None else "",
                     detail={"rows": len(rows), "created": created, "updated": updated})
    return created, updated
