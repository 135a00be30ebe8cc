"""Serializer fields the API shares."""

from rest_framework import relations, serializers


class StrictUUIDField(serializers.UUIDField):
    """A UUID sent as text, as the schema says (``"type": "string", "format": "uuid"``). DRF's own field
    also takes an integer — and so ``false`` or ``0``, which are integers to Python — as the UUID of that
    number: a client bug would then store a record under 00000000-0000-0000-0000-000000000000."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class FieldsBuiltOnce:
    """A serializer whose fields are built once per class and copied for each instance.

    DRF builds a serializer's fields for every instance: it deep-copies the declared fields (each copy
    runs the field's constructor again, copying its choices) and, for a ModelSerializer, reads the model
    again. On the phones' hot path (recording a visit) that was a tenth of the request. Here the fields
    are built once per serializer class, unbound, and each instance gets a shallow copy of each, which
    it binds to itself as usual (its name, parent, source): what a field keeps of its own (its
    validators, choices, messages) is only read once built.

    For serializers whose fields depend on nothing but the class (not on the request or the instance)
    and are plain fields: no nested serializer and no related field, also as a list's child (a shared
    child would answer to the first instance's context). Both are checked when the fields are built."""

    def get_fields(self):
        cls = type(self)
        prototypes = cls.__dict__.get("_field_prototypes")
        if prototypes is None:
            prototypes = super().get_fields()
            for name, field in prototypes.items():
                _check_plain(cls, name, field)
            cls._field_prototypes = prototypes  # one assignment: two threads at once build equal sets
        return {name: _copy(field) for name, field in prototypes.items()}


def _copy(field: serializers.Field) -> serializers.Field:
    """A shallow copy of ``field`` (what ``copy.copy`` makes, without its generic protocol)."""
    clone = object.__new__(type(field))
    clone.__dict__.update(field.__dict__)
    return clone


def _check_plain(cls: type, name: str, field: serializers.Field) -> None:
    while field is not None:
        if isinstance(field, serializers.BaseSerializer | relations.RelatedField | relations.ManyRelatedField):
            raise TypeError(f"{cls.__name__}.{name}: a nested serializer or related field cannot be built once")
        field = getattr(field, "child", None)
