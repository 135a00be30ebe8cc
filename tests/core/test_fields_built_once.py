"""core.api_fields.FieldsBuiltOnce: a serializer's fields built once per class, each instance binding
copies of its own (ActivitySerializer, which every visit recorded by a phone goes through)."""

import pytest
from rest_framework import serializers

from activities.api.serializers import ActivitySerializer, VolunteerActivitySerializer
from core.api_fields import FieldsBuiltOnce


class Echo(FieldsBuiltOnce, serializers.Serializer):
    name = serializers.CharField(max_length=5)
    tags = serializers.ListField(child=serializers.ChoiceField(choices=["a", "b"]), required=False)
    who = serializers.SerializerMethodField()

    def get_who(self, obj) -> str:
        return self.context["who"]


class EchoMore(Echo):
    extra = serializers.CharField(required=False)


def test_each_instance_binds_fields_of_its_own():
    first, second = Echo(), Echo()
    assert first.fields["name"] is not second.fields["name"]
    assert (first.fields["name"].parent, second.fields["name"].parent) == (first, second)


def test_the_fields_are_built_once_per_class():
    Echo().fields  # noqa: B018 (building them)
    prototypes = Echo._field_prototypes
    Echo().fields  # noqa: B018
    assert Echo._field_prototypes is prototypes


def test_a_method_field_answers_to_its_own_instances_context():
    shown = [Echo({"name": "甲"}, context={"who": who}).data["who"] for who in ("李敏", "张丽")]
    assert shown == ["李敏", "张丽"]


def test_validation_errors_stay_with_their_instance():
    bad = Echo(data={"name": "太长的一个名字", "tags": ["c"]})
    good = Echo(data={"name": "甲", "tags": ["a"]})
    assert (bad.is_valid(), sorted(bad.errors), good.is_valid(), good.validated_data["tags"]) == (
        False, ["name", "tags"], True, ["a"])


def test_a_subclass_has_fields_of_its_own():
    assert ("extra" in EchoMore().fields, "extra" in Echo().fields) == (True, False)


def test_a_nested_serializer_is_refused():
    class Nested(FieldsBuiltOnce, serializers.Serializer):
        inner = Echo()

    with pytest.raises(TypeError, match="Nested.inner"):
        Nested().fields  # noqa: B018


def test_a_nested_serializer_as_a_lists_child_is_refused():
    class Listed(FieldsBuiltOnce, serializers.Serializer):
        items = serializers.ListField(child=Echo())

    with pytest.raises(TypeError, match="Listed.items"):
        Listed().fields  # noqa: B018


@pytest.mark.parametrize("shape", [ActivitySerializer, VolunteerActivitySerializer])
def test_the_activity_serializers_fields_are_those_drf_builds(shape):
    # The fields DRF would build for each instance (ModelSerializer.get_fields), by name and kind.
    built = serializers.ModelSerializer.get_fields(shape())
    assert {name: type(field) for name, field in shape().fields.items()} == {
        name: type(field) for name, field in built.items()}
