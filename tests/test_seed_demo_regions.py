"""manage.py seed_demo on a database that already has part of the region tree.

Apart from tests/test_seed_demo.py: that module's tests share one seeded database, this test needs one
without the demo.
"""

from io import StringIO

from django.core.management import call_command

from accounts import services
from accounts.models import Region, User
from core import regioncodes

LISHI, YUCI = "141102000000", "140702000000"


def test_a_county_that_already_has_townships_is_used_as_it_is(db):
    call_command("load_regions", stdout=StringIO())
    services.regions_import(rows=[("141102001000", "滨河街道"), ("141102001200", "东关村")])
    call_command("seed_demo", scale="small", stdout=StringIO())
    assert list(Region.objects.filter(regioncodes.subtree_q("code", LISHI)).exclude(pk=LISHI)
                .values_list("name", flat=True)) == ["滨河街道", "东关村"]
    assert User.objects.get(username="volunteer").region_id == "141102001200"
    assert Region.objects.filter(parent_id=YUCI).count() == 10
