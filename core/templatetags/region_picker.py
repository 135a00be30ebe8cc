"""``{% region_filter options selected=… name=… empty_label=… %}``: a list filter's region input when its
options (core.regions.region_options) were cut short — the search picker (core.widgets), with the
select of those options as its no-script fallback. templates/partials/region_select.html uses it."""

from django import template

from core.widgets import region_filter_widget

register = template.Library()


@register.simple_tag(takes_context=True)
def region_filter(context, options, *, selected="", name="region", empty_label=""):
    user = getattr(context.get("request"), "user", None)
    widget = region_filter_widget(options, empty_label=empty_label or "",
                                  with_province=bool(user and user.is_authenticated and not user.region_id))
    return widget.render(name or "region", selected or "")
