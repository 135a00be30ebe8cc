"""Seeding step: the named demo logins and, at county and province scale, users for every region.

Every demo user has the password :data:`DEMO_PASSWORD`; it is hashed once and the hash reused. The
named demo administrators (``admin``, ``sx_admin``, ``ls_admin``) have an authenticator app enrolled with
the published :data:`DEMO_OTP_SECRET`, so that a newcomer can pass two-factor login (OTP_REQUIRED_ROLES,
accounts.twofactor): the login table says how to get the current code without an app.
Generated usernames say the role and the region: ``staff_141121_2`` (the second staff member of
文水县), ``viewer_1411`` (吕梁市), ``admin_14`` (山西省).
"""

import base64
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Region, User
from accounts.roles import Role
from core import regioncodes
from demo import names
from demo.context import SeedContext, Writer
from demo.scales import LISHI, LVLIANG, SHANXI, YUCI

DEMO_PASSWORD = "Demo@2026"
# The demo administrators' two-factor secret (base32, as an authenticator app takes it): demo data only.
DEMO_OTP_SECRET = "AIXINMAMADEMOAIXINMAMADEMOAIXINM"
BATCH_SIZE = 1000
MARKER_USERNAME = "sx_admin"  # its presence means the demo data is already seeded
GENERATED_USERNAME = r"^(admin|staff|viewer)_[0-9]+(_[0-9]+)?$"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    region_code: str | None  # None: superuser; "village": a village of 离石区, chosen when seeding
    name: str


DEMO_LOGINS = (
    DemoLogin("admin", Role.ADMIN, None, "张志强"),
    DemoLogin("sx_admin", Role.ADMIN, SHANXI, "郭晓红"),
    DemoLogin("ll_viewer", Role.VIEWER, LVLIANG, "贾文斌"),
    DemoLogin("ls_admin", Role.ADMIN, LISHI, "薛丽娟"),
    DemoLogin("ls_staff", Role.STAFF, LISHI, "高春梅"),
    DemoLogin("yc_staff", Role.STAFF, YUCI, "武海燕"),
    DemoLogin("volunteer", Role.VOLUNTEER, "village", "刘秀英"),
)
# Generated users per region: (role, how many at least, at most).
COUNTY_USERS = ((Role.ADMIN, 1, 1), (Role.STAFF, 2, 4), (Role.VIEWER, 1, 1))
CITY_USERS = ((Role.ADMIN, 1, 1), (Role.STAFF, 2, 3), (Role.VIEWER, 1, 1))
PROVINCE_USERS = ((Role.STAFF, 3, 3), (Role.VIEWER, 2, 2))


def demo_present() -> bool:
    return User.objects.filter(username=MARKER_USERNAME).exists()


def volunteer_village(ctx: SeedContext) -> str:
    """The first village of 离石区 in a 镇 or 乡 (else any village there; else the county itself)."""
    rural_townships = {t.code for t in ctx.townships if t.name.endswith(("镇", "乡"))}
    in_lishi = [v for v in ctx.villages if regioncodes.in_subtree(LISHI, v.code)]
    rural = [v for v in in_lishi if v.name.endswith("村") and v.parent_id in rural_townships]
    return (rural or in_lishi or [Region(code=LISHI)])[0].code


def _user(ctx: SeedContext, *, username: str, role: str, region_code: str | None, name: str = "") -> User:
    if not name:
        sex = names.FEMALE if role == Role.VOLUNTEER or ctx.rng.random() < 0.8 else names.MALE
        name = names.full_name(ctx.rng, sex=sex)
    return User(
        username=username, password=ctx.password_hash, name=name, phone=ctx.mobiles.take(), role=role,
        region_id=region_code, is_staff=role == Role.ADMIN or region_code is None, is_superuser=region_code is None,
    )


def _region_users(ctx: SeedContext, region_code: str, plan) -> list[User]:
    prefix = regioncodes.prefix_of(region_code)
    out = []
    for role, low, high in plan:
        count = ctx.rng.randint(low, high)
        for n in range(1, count + 1):
            username = f"{role}_{prefix}" if high == 1 else f"{role}_{prefix}_{n}"
            out.append(_user(ctx, username=username, role=role, region_code=region_code))
    return out


def seed_users(ctx: SeedContext) -> dict[str, int]:
    if not ctx.password_hash:
        ctx.password_hash = make_password(DEMO_PASSWORD)
    planned = []
    for login in DEMO_LOGINS:
        region_code = volunteer_village(ctx) if login.region_code == "village" else login.region_code
        planned.append(_user(ctx, username=login.username, role=login.role, region_code=region_code, name=login.name))
    if ctx.spec.staff_users:
        cities = sorted({regioncodes.parent_code(c.code) for c in ctx.counties})
        if ctx.spec.name == "province":
            planned += _region_users(ctx, SHANXI, PROVINCE_USERS)
        for city in cities:
            planned += _region_users(ctx, city, CITY_USERS)
        for county in ctx.counties:
            planned += _region_users(ctx, county.code, COUNTY_USERS)
    taken = {u.lower() for u in User.objects.values_list("username", flat=True)}
    for user in planned:
        if user.username.lower() in taken:
            ctx.stdout.write(_("User %(username)s already exists; left unchanged.") % {"username": user.username})
    new = [u for u in planned if u.username.lower() not in taken]
    User.objects.bulk_create(new, batch_size=BATCH_SIZE)
    named_admins = {login.username for login in DEMO_LOGINS if login.role == Role.ADMIN}
    key = base64.b32decode(DEMO_OTP_SECRET).hex()
    TOTPDevice.objects.bulk_create([
        TOTPDevice(user=user, name="demo", key=key, confirmed=True)
        for user in User.objects.filter(username__in=[u.username for u in new if u.username in named_admins])])
    return {_("users"): len(new)}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _region_label(user: User) -> str:
    if user.region is None:
        return _("(all regions)")
    return "".join([a.name for a in user.region.ancestors()] + [user.region.name])


def print_logins(stdout: Writer) -> None:
    """The demo logins as a table: username, password, role, region."""
    users = User.objects.select_related("region").in_bulk([login.username for login in DEMO_LOGINS],
                                                          field_name="username")
    header = (_("Username"), _("Password"), capfirst(_("role")), capfirst(_("region")))
    rows = [
        (user.username, DEMO_PASSWORD, str(user.role_label), _region_label(user))
        for user in (users.get(login.username) for login in DEMO_LOGINS) if user is not None
    ]
    widths = [max(_width(row[i]) for row in (header, *rows)) for i in range(len(header))]
    stdout.write(_("Demo logins:"))
    for row in (header, tuple("-" * w for w in widths), *rows):
        stdout.write("  " + "  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip())
    if settings.OTP_REQUIRED_ROLES:
        admins = ", ".join(login.username for login in DEMO_LOGINS if login.role == Role.ADMIN)
        stdout.write(_("Administrators (%(usernames)s) also give a two-factor code: add the demo secret %(secret)s "
                       "to an authenticator app, or print the current code with:") % {
            "usernames": admins, "secret": DEMO_OTP_SECRET})
        stdout.write("  .venv/bin/python -c \"import base64; from django_otp.oath import totp; "
                     f"print('%06d' % totp(base64.b32decode('{DEMO_OTP_SECRET}')))\"")
    others = User.objects.filter(username__regex=GENERATED_USERNAME).count()
    if others:
        stdout.write(_("…and %(count)s other users with the same password (e.g. staff_<county code>_1).")
                     % {"count": others})
