"""API requests take the JSON types their schema documents.

REST framework coerces a JSON number given for a text field into text (``"notes": 0`` → ``"0"``) and
takes a number for a decimal that the schema documents as a string (``"aid_value_yuan": 12.5``). The
contract says otherwise — text is a string, an amount a decimal string — and so does the OpenAPI
schema, so such a request is a 400 naming the field ("不是有效的字符串。" / "请填写合法的数字。"), not
quietly accepted. Installed once, when the apps are ready (core.apps); every request serializer gets it.
"""

from rest_framework import fields

STRICT_FIELDS = (fields.CharField, fields.DecimalField)


def _strict(original):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return original(self, data)

    to_internal_value.strict_json_types = True
    return to_internal_value


def install() -> None:
    for field_class in STRICT_FIELDS:
        if not getattr(field_class.to_internal_value, "strict_json_types", False):
            field_class.to_internal_value = _strict(field_class.to_internal_value)
