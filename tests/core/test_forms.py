"""A service's ValidationError shown on the form that carried the input (core.forms.attach_service_errors):
errors go to the form field of the same name or the one ``SERVICE_FIELDS`` maps it to; the rest become
non-field errors."""

from django import forms
from django.core.exceptions import ValidationError

from core.forms import attach_service_errors


class ChildForm(forms.Form):
    name = forms.CharField()
    village = forms.CharField()

    SERVICE_FIELDS = {"region": "village"}


class PlainForm(forms.Form):
    name = forms.CharField()


def checked(form_class=ChildForm):
    form = form_class({"name": "王小雨", "village": "141102001200"})
    assert form.is_valid()
    return form


def test_an_error_keyed_by_a_form_field_goes_to_that_field():
    form = checked()
    attach_service_errors(ValidationError({"name": "姓名太长"}), form)
    assert form.errors["name"] == ["姓名太长"]


def test_an_error_keyed_by_a_mapped_name_goes_to_the_mapped_field():
    form = checked()
    attach_service_errors(ValidationError({"region": "不在您的管辖范围内"}), form)
    assert form.errors["village"] == ["不在您的管辖范围内"]


def test_an_error_keyed_by_a_name_the_form_lacks_is_a_non_field_error():
    form = checked()
    attach_service_errors(ValidationError({"capacity": "已满"}), form)
    assert form.non_field_errors() == ["已满"]


def test_an_error_without_keys_is_a_non_field_error():
    form = checked()
    attach_service_errors(ValidationError(["第一条", "第二条"]), form)
    assert form.non_field_errors() == ["第一条", "第二条"]


def test_every_message_of_a_field_is_kept():
    form = checked()
    attach_service_errors(ValidationError({"name": ["一", "二"]}), form)
    assert form.errors["name"] == ["一", "二"]


def test_a_form_without_a_mapping_uses_the_service_names():
    form = checked(PlainForm)
    attach_service_errors(ValidationError({"name": "重名", "region": "无效"}), form)
    assert (form.errors["name"], form.non_field_errors()) == (["重名"], ["无效"])


def test_the_form_is_invalid_afterwards():
    form = checked()
    attach_service_errors(ValidationError({"name": "姓名太长"}), form)
    assert not form.is_valid()
