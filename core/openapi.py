"""The OpenAPI schema tells the truth about errors — documented once, here, not view by view.

:class:`AutoSchema` (REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS) adds to every operation the error
answers it can give, each with a shared body schema, unless the view documents that status itself:

- **400** (``ValidationErrors``: field → messages in Chinese, DRF's shape; ``non_field_errors`` for
  the rest) when the operation takes a request body, query parameters, or changes something — a
  malformed value, or a business rule that refuses the request;
- **401** (``Error``: ``{detail}``) when it needs a signed-in caller (a token or a session);
- **403** (``Error``) when the caller's role may not do it (core.access's allow-lists);
- **404** (``Error``) when its path names an object (absent or outside the caller's region subtree),
  and on paginated lists (a page past the last one).

A 409 or another status an operation can give is documented on its view (``extend_schema``).

:func:`nullable_in_response` marks a serializer field that is null in some answers (a superuser has no
region) but must not be null in a request.
"""

from drf_spectacular import openapi
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

# --- the shared error bodies ------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """出错原因：不针对某个字段的错误（401、403、404、409 等）。"""

    detail = serializers.CharField(help_text="出错原因（中文）。")


FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": "键为字段名（整体性的错误为 non_field_errors），值为该字段的错误信息列表（中文）；"
                   "嵌套字段的错误按同样的结构嵌套。",
    "additionalProperties": {
        "anyOf": [
            {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "object"}]}},
            {"type": "object"},
        ],
    },
}
VALIDATION_ERRORS_SCHEMA = {
    "description": "请求有误：按字段列出的错误信息；请求体无法解析（不是 JSON 等）时为 {detail}。",
    "example": {"region": ["区划代码应为 12 位数字（统计用区划代码），例如 141102000000。"]},
}


class ValidationErrorsSerializer(serializers.Serializer):
    """DRF's validation errors, ``{field: [message, …]}``: stands for VALIDATION_ERRORS_SCHEMA."""


class ValidationErrorsExtension(OpenApiSerializerExtension):
    target_class = ValidationErrorsSerializer

    def map_serializer(self, auto_schema, direction):
        error = auto_schema.resolve_serializer(ErrorSerializer, direction).ref
        return {**VALIDATION_ERRORS_SCHEMA, "anyOf": [FIELD_ERRORS_SCHEMA, error]}


ERROR_RESPONSES = {
    "400": (ValidationErrorsSerializer, "请求有误：参数或请求体格式不对，或业务规则不允许此操作；按字段列出原因。"),
    "401": (ErrorSerializer, "未登录：缺少或带了无效的令牌（Authorization: Token <令牌>）或会话。"),
    "403": (ErrorSerializer, "当前角色无权进行此操作。"),
    "404": (ErrorSerializer, "对象不存在或不在调用者的区划范围内（列表：页码超出范围）。"),
}

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# For the views that sign in with a password (django-axes, accounts.lockout).
LOCKED_OUT = OpenApiResponse(ErrorSerializer, description="登录失败次数过多：该账号暂时锁定，稍后再试或联系管理员。")


_NULLABLE_IN_RESPONSE: dict[type, type] = {}


def nullable_in_response(field: serializers.Field) -> serializers.Field:
    """``field``, documented as nullable in responses only (a request must still give a value). Marked
    by its class, which survives the copy a serializer makes of its declared fields."""
    cls = type(field)
    if cls not in _NULLABLE_IN_RESPONSE:
        _NULLABLE_IN_RESPONSE[cls] = type(cls.__name__, (cls,), {"nullable_in_response": True})
    field.__class__ = _NULLABLE_IN_RESPONSE[cls]
    return field


class AutoSchema(openapi.AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        for code in self._error_codes(operation):
            if code not in responses:
                serializer, description = ERROR_RESPONSES[code]
                responses[code] = self._get_response_for_code(OpenApiResponse(serializer, description), code)
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _error_codes(self, operation) -> list[str]:
        parameters = operation.get("parameters", [])
        query = [p for p in parameters if p.get("in") == "query"]
        codes = []
        if self.method in BODY_METHODS or "requestBody" in operation or query:
            codes.append("400")
        security = operation.get("security", [])
        if security and {} not in security:
            codes += ["401", "403"]
        if any(p.get("in") == "path" for p in parameters) or any(p.get("name") == "page" for p in query):
            codes.append("404")
        return codes

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "response" and getattr(field, "nullable_in_response", False):
            schema = {**schema, "nullable": True}
        return schema


class StrictFilterExtension(DjangoFilterExtension):
    """The query parameters of core.filters.StrictFilterBackend, as django-filter's: plus the filter's
    label as the description where a typed filter (core.filters.IntegerFilter) would lose it."""

    target_class = "core.filters.StrictFilterBackend"
    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        for parameter in parameters:
            if not parameter.get("description") and filter_field.label:
                parameter["description"] = str(filter_field.label)
        return parameters
