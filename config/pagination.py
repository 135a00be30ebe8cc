from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination


def _positive_int(request, name: str, maximum: int | None = None) -> int | None:
    """The query parameter ``name`` as a whole number from 1 (to ``maximum``), None when absent; a 400
    naming it when malformed (``?page_size=null``, ``0``, ``2.5``, too large), rather than silently the
    default."""
    values = request.query_params.getlist(name)
    if not values:
        return None
    field = serializers.IntegerField(min_value=1, max_value=maximum)
    try:
        return [field.run_validation(value) for value in values][-1]
    except serializers.ValidationError as error:
        raise serializers.ValidationError({name: error.detail}) from None


class Pagination(PageNumberPagination):
    """Pages of 50 (``page_size`` up to 1,000). A malformed ``page`` or ``page_size`` is a 400 naming it;
    a page past the last one is a 404."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request):
        return _positive_int(request, self.page_size_query_param, self.max_page_size) or self.page_size

    def get_page_number(self, request, paginator):
        if request.query_params.get(self.page_query_param) in self.last_page_strings:
            return paginator.num_pages
        return _positive_int(request, self.page_query_param) or 1

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size,
                                       "default": self.page_size}
        return parameters
