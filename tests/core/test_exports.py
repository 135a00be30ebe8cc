"""An export of a list page (core.exports.filtered_export): only federation roles export, invalid filters
are a ValidationError naming them, the rows are the filtered ones, and the export is audited with its
filters and row count. Exercised on a small FilterSet over regions (the region tree of tests/conftest.py)."""

import django_filters
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext
from openpyxl import load_workbook

from accounts.models import AuditAction, AuditEvent, Region, RegionLevel
from core.exports import filter_errors, filtered_export

pytestmark = pytest.mark.django_db

DENIED = "只有妇联工作人员可以导出"


class RegionFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=RegionLevel.choices)
    name = django_filters.CharFilter(lookup_expr="contains")

    class Meta:
        model = Region
        fields = ["level", "name"]


def write_regions(writer, queryset) -> int:
    sheet = writer.sheet("区划")
    sheet.header(["代码", "名称"])
    count = 0
    for code, name in queryset.values_list("code", "name"):
        sheet.append([code, name])
        count += 1
    return count


def export(actor, params):
    return filtered_export(actor=actor, params=params, filterset_class=RegionFilter,
                           queryset=Region.objects.manageable_by(actor), write=write_regions, label="区划表",
                           filename_stem="区划", denied=DENIED)


def exported_names(export_file) -> list[str]:
    sheet = load_workbook(export_file.file).active
    return [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]


def export_events():
    return AuditEvent.objects.filter(action=AuditAction.EXPORT)


def test_the_export_holds_the_filtered_rows_of_the_callers_scope(staff_lishi):
    assert exported_names(export(staff_lishi, {"level": "township"})) == ["滨河街道"]


def test_the_export_counts_its_rows(viewer_lvliang):
    assert export(viewer_lvliang, {}).rows == 4


def test_the_export_file_is_rewound(staff_lishi):
    assert export(staff_lishi, {}).file.tell() == 0


def test_a_caring_mother_may_not_export(volunteer_lishi):
    with pytest.raises(PermissionDenied, match=DENIED):
        export(volunteer_lishi, {})


def test_a_refused_export_is_not_audited(volunteer_lishi):
    with pytest.raises(PermissionDenied):
        export(volunteer_lishi, {})
    assert not export_events().exists()


def test_an_invalid_filter_is_refused_naming_it(staff_lishi):
    with pytest.raises(ValidationError) as refused:
        export(staff_lishi, {"level": "galaxy"})
    assert list(refused.value.message_dict) == ["level"]


def test_an_export_with_an_invalid_filter_is_not_audited(staff_lishi):
    with pytest.raises(ValidationError):
        export(staff_lishi, {"level": "galaxy"})
    assert not export_events().exists()


def test_the_export_is_audited_with_its_filters_and_rows(staff_lishi):
    export(staff_lishi, {"level": "township", "name": "滨河"})
    event = export_events().get()
    assert (event.actor, event.target_type, event.target_label, event.region_code, event.detail) == (
        staff_lishi, "accounts.region", "区划表", staff_lishi.region_id,
        {"format": "xlsx", "filters": {"level": "township", "name": "滨河"}, "rows": 1},
    )


def test_empty_filters_and_other_parameters_are_not_recorded(staff_lishi):
    export(staff_lishi, {"level": "", "name": "滨河", "page": "2"})
    assert export_events().get().detail["filters"] == {"name": "滨河"}


def test_the_filename_names_the_callers_region_and_today(staff_lishi, today):
    assert export(staff_lishi, {}).filename == f"区划_离石区_{today:%Y%m%d}.xlsx"


def test_a_superusers_export_is_named_for_all_regions(superuser, today):
    assert export(superuser, {}).filename == f"区划_{gettext('all regions')}_{today:%Y%m%d}.xlsx"


def test_filter_errors_are_keyed_by_filter():
    filterset = RegionFilter({"level": "galaxy"}, queryset=Region.objects.none())
    assert not filterset.is_valid()
    assert list(filter_errors(filterset).message_dict) == ["level"]
