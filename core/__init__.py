"""What several apps share, defined once: the region tree's arithmetic and helpers, months, who may do
what (the allow-lists), the scoped queryset base, the request context, form-error mapping, updates,
and the .xlsx writer. Plain modules, no models; the apps build on them, never the other way round."""
