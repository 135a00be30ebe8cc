"""Serializer fields the API shares."""

from rest_framework import serializers


class StrictUUIDField(serializers.UUIDField):
    """A UUID sent as text, as the schema says (``"type": "string", "format": "uuid"``). DRF's own field
    also takes an integer — and so ``false`` or ``0``, which are integers to Python — as the UUID of that
    number: a client bug would then store a record under 00000000-0000-0000-0000-000000000000."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)
