from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    STAFF = "staff", _("Federation staff")
    VIEWER = "viewer", _("Viewer (read-only)")
    VOLUNTEER = "volunteer", _("Volunteer")


# A user may grant only roles at or below their own rank.
RANK = {Role.ADMIN: 40, Role.STAFF: 30, Role.VIEWER: 20, Role.VOLUNTEER: 10}
# Who may do what is core.access's allow-lists.
