from rest_framework.permissions import SAFE_METHODS, BasePermission


class IsRegionAdmin(BasePermission):
    """Administrators (and superusers) only."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_region_admin)


class ReadAnyWriteAdmin(BasePermission):
    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or user.is_region_admin


class ReadAnyWriteEditor(BasePermission):
    """Everyone in scope reads; only admins and staff change (viewers and volunteers are read-only here)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or user.can_edit
