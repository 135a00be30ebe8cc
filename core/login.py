"""Every page needs a login: Django's LoginRequiredMiddleware, minus the REST API, which authenticates
itself (tokens or the session) and answers 401/403 in JSON, default-deny (core.access.DenyAll)."""

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired


class LoginRequiredMiddleware(DjangoLoginRequired):
    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "cls", None) is not None and hasattr(view_func.cls, "permission_classes"):
            return None  # a REST framework view
        return super().process_view(request, view_func, view_args, view_kwargs)
