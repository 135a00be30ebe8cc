"""The region picker's form side (core.widgets): the field cleans what the picker posts — a code picked,
or a name typed without the script — to a Region of its scoped queryset and refuses anything else; the
widget renders the code, the path and the combobox; a list filter keeps its select until the options
are cut short."""

import pytest
from django import forms
from django.urls import reverse

from accounts.models import Region
from core import regions as core_regions
from core.regions import region_options, search_text
from core.widgets import RegionField, RegionPickerWidget, region_filter_widget
from tests.factories import RegionFactory

pytestmark = pytest.mark.django_db

WUCHENG_TOWN = "141102102000"
OUT_OF_SCOPE = "区划不存在或不在您的管辖范围内。"  # the tests run in Chinese


class PlaceForm(forms.Form):
    region = RegionField(label="区划")

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].offer(Region.objects.manageable_by(actor), levels=("county", "township", "village"))


@pytest.fixture
def wucheng(regions):
    return RegionFactory(code=WUCHENG_TOWN, name="吴城镇")


def cleaned(actor, data):
    form = PlaceForm(data, actor=actor)
    return form.cleaned_data["region"] if form.is_valid() else form.errors["region"]


# --- the field --------------------------------------------------------------------------------------

def test_a_code_picked_is_its_region(staff_lishi, wucheng):
    assert cleaned(staff_lishi, {"region": WUCHENG_TOWN, "region_text": "吕梁市 / 离石区 / 吴城镇"}) == wucheng


def test_a_code_posted_without_the_search_box_is_its_region(staff_lishi, wucheng):
    assert cleaned(staff_lishi, {"region": WUCHENG_TOWN}) == wucheng


def test_a_code_outside_the_scope_is_refused_on_the_field(staff_lishi, regions):
    assert cleaned(staff_lishi, {"region": regions.yuci_township.code}) == [OUT_OF_SCOPE]


def test_a_code_outside_the_scope_is_refused_with_its_name_typed_too(staff_lishi, regions):
    data = {"region": regions.yuci_township.code, "region_text": "修文镇"}
    assert cleaned(staff_lishi, data) == [OUT_OF_SCOPE]


def test_a_level_not_offered_is_refused(staff_lishi, regions):
    assert cleaned(staff_lishi, {"region": regions.lvliang.code}) == [OUT_OF_SCOPE]


def test_a_malformed_code_is_refused(staff_lishi, regions):
    assert cleaned(staff_lishi, {"region": "14110210200x"}) == ["请从列表中选择区划。"]


def test_a_unique_name_typed_without_picking_is_its_region(staff_lishi, wucheng):
    assert cleaned(staff_lishi, {"region": "", "region_text": "吴城"}) == wucheng


def test_a_path_typed_is_its_last_region(staff_lishi, wucheng):
    assert cleaned(staff_lishi, {"region": "", "region_text": "离石区 / 吴城镇"}) == wucheng


def test_an_exact_name_wins_over_longer_ones(staff_lishi, wucheng):
    village = RegionFactory(code="141102102201", name="吴城")
    assert cleaned(staff_lishi, {"region": "", "region_text": "吴城"}) == village


def test_a_name_matching_several_lists_them(staff_lishi, wucheng):
    RegionFactory(code="141102102201", name="吴城村")
    [error] = cleaned(staff_lishi, {"region": "", "region_text": "吴城"})
    assert "吕梁市 / 离石区 / 吴城镇、吕梁市 / 离石区 / 吴城镇 / 吴城村" in error


def test_text_changed_after_picking_is_looked_up_again(staff_lishi, wucheng, regions):
    data = {"region": WUCHENG_TOWN, "region_text": "滨河街道"}
    assert cleaned(staff_lishi, data) == regions.lishi_township


def test_an_emptied_box_chooses_nothing(staff_lishi, wucheng):
    assert cleaned(staff_lishi, {"region": WUCHENG_TOWN, "region_text": "  "}) == ["该字段是必填项。"]


def test_a_name_nobody_has_says_so(staff_lishi, wucheng):
    assert cleaned(staff_lishi, {"region": "", "region_text": "修文镇"}) == [
        "没有可选的区划与“修文镇”匹配。请输入区划名称中的几个字，再从列表中选择。"]


def test_the_search_text_drops_control_characters_and_keeps_the_last_part_of_a_path():
    assert search_text(" 吕梁市 / 离石区 / 吴\x00城镇\n") == "吴城镇"


# --- the widget -------------------------------------------------------------------------------------

def test_the_picker_renders_the_code_the_path_and_a_combobox(staff_lishi, wucheng):
    html = PlaceForm(actor=staff_lishi, initial={"region": WUCHENG_TOWN})["region"].as_widget()
    assert '<input type="hidden" name="region" value="141102102000" data-picker-code>' in html
    assert 'name="region_text"' in html and 'value="吕梁市 / 离石区 / 吴城镇"' in html
    assert 'role="combobox"' in html and 'aria-controls="id_region-list"' in html
    assert '<span class="region-picker-list" id="id_region-list" role="listbox"' in html
    assert 'data-search="/accounts/regions/search/?scope=manage&amp;levels=county%2Ctownship%2Cvillage"' in html
    assert '<script src="/static/core/region_picker.js" defer></script>' in html


def test_the_picker_keeps_what_was_typed_after_an_error(staff_lishi, wucheng):
    form = PlaceForm({"region": "", "region_text": "不存在"}, actor=staff_lishi)
    assert not form.is_valid()
    assert 'value="不存在"' in form["region"].as_widget()


def test_the_picker_has_no_required_attribute_the_box_could_not_satisfy(staff_lishi, wucheng):
    assert " required" not in PlaceForm(actor=staff_lishi)["region"].as_widget()


# --- filters ----------------------------------------------------------------------------------------

def test_a_filter_keeps_its_select_while_the_options_fit(staff_lishi, regions):
    widget = region_filter_widget(region_options(staff_lishi), empty_label="全部")
    assert isinstance(widget, forms.Select) and widget.choices[0] == ("", "全部")


def test_a_filter_cut_short_becomes_the_picker_with_the_select_as_fallback(staff_lishi, regions, monkeypatch):
    monkeypatch.setattr(core_regions, "OPTIONS_LIMIT", 1)
    options = region_options(staff_lishi, selected=regions.lishi_township)
    widget = region_filter_widget(options, empty_label="全部")
    html = widget.render("region", regions.lishi_township.code)
    assert isinstance(widget, RegionPickerWidget) and options.truncated
    assert '<input type="hidden" data-name="region" value="141102001000" data-picker-code>' in html
    assert "hidden" in html.split('role="combobox"')[1].split(">")[0]  # the box waits for the script
    assert '<noscript><select name="region"><option value="">全部</option>' in html
    assert '<option value="141102001000" selected>' in html


def test_a_filter_posts_the_code_alone(staff_lishi, regions, monkeypatch):
    monkeypatch.setattr(core_regions, "OPTIONS_LIMIT", 1)
    widget = region_filter_widget(region_options(staff_lishi))
    assert widget.value_from_datadict({"region": "141102001000"}, {}, "region") == "141102001000"


def test_options_say_when_they_are_cut_short(staff_lishi, regions, monkeypatch):
    assert not region_options(staff_lishi).truncated
    monkeypatch.setattr(core_regions, "OPTIONS_LIMIT", 1)
    assert region_options(staff_lishi).truncated


def test_a_list_page_cut_short_shows_the_picker_and_still_filters_by_code(client, staff_lishi, regions, monkeypatch):
    monkeypatch.setattr(core_regions, "OPTIONS_LIMIT", 1)
    client.force_login(staff_lishi)
    response = client.get(reverse("children:list"), {"region": regions.lishi_township.code})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-name="region" value="141102001000"' in page and 'role="combobox"' in page
    assert 'value="吕梁市 / 离石区 / 滨河街道"' in page
