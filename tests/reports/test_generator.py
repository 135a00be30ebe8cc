"""The report's content (reports.generator): a document in Chinese whatever the language of whoever
asked for it — the statistics' own translated labels included."""

from datetime import date

import pytest
from django.utils import translation

from accounts.models import Region
from core.regions import self_row_name
from reports import generator
from tests.factories import LISHI

pytestmark = pytest.mark.django_db


def test_the_row_of_the_region_itself_is_in_chinese_whatever_the_language(lishi_month, make_child, staff_lishi):
    make_child(staff_lishi, name="周小安", region_code=LISHI)
    region = Region.objects.get(pk=LISHI)
    with translation.override("zh-hans"):
        label = self_row_name(region)
    with translation.override("en"):
        data = generator.build_report(region=region, month=date(2025, 5, 1))
    assert [row.name for row in data.subregions.rows if row.code == LISHI] == [label]
