"""factory_boy factories for regions and users, and the constants the named actors are built from.

Factories write rows directly (no service, no actor); use them for the state a test starts from.
When the behaviour under test is creating a user or region, call ``accounts.services`` instead.

``RegionFactory(code=...)`` derives ``level`` and ``parent`` from the code with
``core.regioncodes`` and creates missing ancestors (named ``区划<code>``), so any valid code
works on an empty database. Without a code it makes a village in the fictional township
141102999000 under 离石区.

``UserFactory(role=..., region=...)`` sets the password :data:`PASSWORD` with ``set_password``
(the test settings hash with MD5, so it is cheap). Pass ``region=None, is_superuser=True`` for a
superuser; everybody else must have a region (a database constraint says so).
"""

import factory
from factory.django import DjangoModelFactory

from accounts.models import Region, User
from accounts.roles import Role
from core import regioncodes

PASSWORD = "Demo@2026x"

# The slice of the real tree built by the ``regions`` fixture (tests/conftest.py).
SHANXI = "140000000000"  # 山西省
LVLIANG = "141100000000"  # 吕梁市
LISHI = "141102000000"  # 离石区
LISHI_TOWNSHIP = "141102001000"  # a township (街道) of 离石区
LISHI_VILLAGE = "141102001200"  # a village of that township
JINZHONG = "140700000000"  # 晋中市
YUCI = "140702000000"  # 榆次区
YUCI_TOWNSHIP = "140702100000"  # a township (镇) of 榆次区
# (code, name) rows as load_regions would read them; parents come first but need not.
REGION_ROWS = [
    (SHANXI, "山西省"),
    (LVLIANG, "吕梁市"),
    (LISHI, "离石区"),
    (LISHI_TOWNSHIP, "滨河街道"),
    (LISHI_VILLAGE, "东关村"),
    (JINZHONG, "晋中市"),
    (YUCI, "榆次区"),
    (YUCI_TOWNSHIP, "修文镇"),
]

_LEVEL_SUFFIX = {
    regioncodes.PROVINCE: "省",
    regioncodes.CITY: "市",
    regioncodes.COUNTY: "县",
    regioncodes.TOWNSHIP: "镇",
    regioncodes.VILLAGE: "村",
}


def ensure_region(code: str) -> Region:
    """The region with ``code``, created with its missing ancestors (placeholder names) if absent."""
    parent = regioncodes.parent_code(code)
    parent_region = ensure_region(parent) if parent else None
    region, _created = Region.objects.get_or_create(
        code=code,
        defaults={"name": f"区划{code}", "level": regioncodes.level_of(code), "parent": parent_region},
    )
    return region


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"141102999{n % 999 + 1:03d}")
    name = factory.LazyAttributeSequence(lambda o, n: f"测试{n}{_LEVEL_SUFFIX[regioncodes.level_of(o.code)]}")
    level = factory.LazyAttribute(lambda o: regioncodes.level_of(o.code))
    parent = factory.LazyAttribute(
        lambda o: ensure_region(regioncodes.parent_code(o.code)) if regioncodes.parent_code(o.code) else None
    )


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"测试用户{n}")
    role = Role.STAFF
    region = factory.SubFactory(RegionFactory)
    # As accounts.services.user_create does: administrators may use the (scoped) Django admin.
    is_staff = factory.LazyAttribute(lambda o: o.role == Role.ADMIN or o.is_superuser)
    is_superuser = False

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])
