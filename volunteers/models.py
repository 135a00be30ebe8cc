from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Region, User
from core.scoping import ScopedQuerySet, restrict_to_subtree


class Sector(models.TextChoices):
    CADRE = "cadre", _("Government cadre")
    PUBLIC_INSTITUTION = "public_institution", _("Public institution")
    TEACHER = "teacher", _("Teacher")
    MEDICAL = "medical", _("Doctor or nurse")
    COUNSELLING = "counselling", _("Psychological counsellor")
    JUDICIAL = "judicial", _("Judicial")
    ENTERPRISE = "enterprise", _("Enterprise")
    SOCIAL_ORGANISATION = "social_org", _("Social organisation")
    FEDERATION_COMMITTEE = "federation_committee", _("Women's federation committee member")
    WOMEN_VOLUNTEER = "women_volunteer", _("Women volunteer (巾帼志愿者)")
    OTHER = "other", _("Other")


class Skill(models.TextChoices):
    PSYCHOLOGICAL = "psychological", _("Psychological support")
    TUTORING = "tutoring", _("Homework tutoring")
    LEGAL = "legal", _("Legal advice")
    HEALTH = "health", _("Medical and health")
    FAMILY_EDUCATION = "family_education", _("Family education")
    HERITAGE = "heritage", _("Intangible heritage")
    SAFETY = "safety", _("Safety education")
    ARTS_SPORTS = "arts_sports", _("Arts and sports")


class VolunteerStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("volunteer status", "Active")
    INACTIVE = "inactive", pgettext_lazy("volunteer status", "Inactive")


class ScopedByRegion(ScopedQuerySet):
    """Region-owned rows (teams, stations, trainings): visible in the caller's subtree. Volunteers
    see those of their own region subtree too (their team, their trainings)."""

    def for_volunteer(self, user):
        return restrict_to_subtree(self, user, self.region_field)


class Team(models.Model):
    """A volunteer team (志愿服务队)."""

    name = models.CharField(_("team name"), max_length=80)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    created_on = models.DateField(_("founded on"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    objects = ScopedByRegion.as_manager()

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("volunteer team")
        verbose_name_plural = _("volunteer teams")
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="team_unique_name_in_region")]

    def __str__(self) -> str:
        return self.name


class WorkStation(models.Model):
    """A caring-mothers work station (爱心妈妈工作站)."""

    name = models.CharField(_("station name"), max_length=80)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("station address"), max_length=200, blank=True)
    opened_on = models.DateField(_("station opened on"), null=True, blank=True)

    objects = ScopedByRegion.as_manager()

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("work station")
        verbose_name_plural = _("work stations")

    def __str__(self) -> str:
        return self.name


class VolunteerQuerySet(ScopedQuerySet):
    """``visible_to`` (core.scoping): the region subtree; a caring mother sees only herself."""

    def for_volunteer(self, user) -> "VolunteerQuerySet":
        return self.filter(user=user)

    def active(self) -> "VolunteerQuerySet":
        return self.filter(status=VolunteerStatus.ACTIVE)

    def with_load(self) -> "VolunteerQuerySet":
        """Annotate ``active_leads`` (children led now) — one subquery, no N+1."""
        from pairing.models import Pairing, PairingRole

        leads = (Pairing.objects.filter(volunteer=models.OuterRef("pk"), role=PairingRole.LEAD, ended_on__isnull=True)
                 .order_by().values("volunteer").annotate(n=models.Count("pk")).values("n"))
        return self.annotate(active_leads=models.functions.Coalesce(models.Subquery(leads), 0))


class Volunteer(models.Model):
    """A caring mother (爱心妈妈)."""

    name = models.CharField(_("name"), max_length=40)
    phone = models.CharField(_("mobile number"), max_length=11)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    sector = models.CharField(_("sector"), max_length=24, choices=Sector.choices, default=Sector.OTHER)
    employer = models.CharField(_("work unit"), max_length=80, blank=True)
    team = models.ForeignKey(Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="members")
    station = models.ForeignKey(WorkStation, verbose_name=_("work station"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="members")
    capacity = models.PositiveSmallIntegerField(_("capacity (children as lead)"), default=3)
    status = models.CharField(_("status"), max_length=10, choices=VolunteerStatus.choices,
                              default=VolunteerStatus.ACTIVE)
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    user = models.OneToOneField(User, verbose_name=_("login"), null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="volunteer")
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    skill_psychological = models.BooleanField(_("psychological support"), default=False)
    skill_tutoring = models.BooleanField(_("homework tutoring"), default=False)
    skill_legal = models.BooleanField(_("legal advice"), default=False)
    skill_health = models.BooleanField(_("medical and health"), default=False)
    skill_family_education = models.BooleanField(_("family education"), default=False)
    skill_heritage = models.BooleanField(_("intangible heritage"), default=False)
    skill_safety = models.BooleanField(_("safety education"), default=False)
    skill_arts_sports = models.BooleanField(_("arts and sports"), default=False)

    # Retention (volunteers.retention): RETENTION_YEARS_AFTER_EXIT after she left, her mobile number and
    # work unit are removed, unless the record is held for a legal case.
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)
    retention_hold_reason = models.CharField(_("reason for keeping the record"), max_length=300, blank=True)
    retention_held_by = models.ForeignKey(User, verbose_name=_("kept by"), null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    retention_held_at = models.DateTimeField(_("kept since"), null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = VolunteerQuerySet.as_manager()

    class Meta:
        ordering = ["region_id", "name", "id"]
        verbose_name = _("caring mother")
        verbose_name_plural = _("caring mothers")
        constraints = [
            # An anonymised caring mother's number is blank (volunteers.retention): blanks may repeat.
            models.UniqueConstraint(fields=["phone"], condition=~Q(phone=""), name="volunteer_unique_phone"),
            models.CheckConstraint(condition=Q(capacity__gte=1) & Q(capacity__lte=20), name="volunteer_capacity_range"),
            models.CheckConstraint(condition=Q(status__in=VolunteerStatus.values), name="volunteer_status_valid"),
        ]
        indexes = [
            models.Index(fields=["region", "status"], name="volunteer_region_status"),
            models.Index(fields=["status", "region"], name="volunteer_status_region"),
            models.Index(fields=["name"], name="volunteer_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def skills(self) -> list[str]:
        return [s.value for s in Skill if getattr(self, f"skill_{s.value}")]

    def get_skills_display(self) -> list[str]:
        return [Skill(s).label for s in self.skills]

    @property
    def anonymised(self) -> bool:
        return self.anonymised_at is not None

    @property
    def retention_held(self) -> bool:
        return bool(self.retention_hold_reason)


class VolunteerStatusChange(models.Model):
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="status_changes", verbose_name=_("caring mother"))
    from_status = models.CharField(max_length=10, choices=VolunteerStatus.choices, blank=True, verbose_name=_("from"))
    to_status = models.CharField(max_length=10, choices=VolunteerStatus.choices, verbose_name=_("to"))
    effective_on = models.DateField(_("effective on"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    actor = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("user"))
    recorded_at = models.DateTimeField(auto_now_add=True, verbose_name=_("recorded at"))

    class Meta:
        ordering = ["effective_on", "id"]

    def __str__(self) -> str:
        return f"{self.volunteer_id}: {self.from_status} → {self.to_status} ({self.effective_on})"


class ReserveHelper(models.Model):
    """A skilled reserve helper (预备志愿者) attached to one caring mother, usually 2–3 of them."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="reserve_helpers", verbose_name=_("caring mother"))
    name = models.CharField(_("name"), max_length=40)
    phone = models.CharField(_("mobile number"), max_length=11, blank=True)
    specialty = models.CharField(_("specialty"), max_length=60, blank=True)
    added_on = models.DateField(_("added on"))
    removed_on = models.DateField(_("removed on"), null=True, blank=True)

    class Meta:
        ordering = ["added_on", "id"]
        verbose_name = _("reserve helper")
        verbose_name_plural = _("reserve helpers")

    def __str__(self) -> str:
        return self.name


class Training(models.Model):
    """An empowerment training session (赋能培训)."""

    title = models.CharField(_("title"), max_length=120)
    held_on = models.DateField(_("held on"))
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    topic = models.CharField(_("topic"), max_length=120, blank=True)
    organiser = models.CharField(_("organiser"), max_length=80, blank=True)
    attendees = models.ManyToManyField(Volunteer, verbose_name=_("attendees"), blank=True, related_name="trainings")
    # 人次: everyone who took part, including people not on the roster; at least the attendees.
    participants = models.PositiveIntegerField(_("participants (人次)"), default=0)
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"))

    objects = ScopedByRegion.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        indexes = [models.Index(fields=["region", "held_on"], name="training_region_on"),
                   models.Index(fields=["held_on", "region"], name="training_on_region")]

    def __str__(self) -> str:
        return self.title


class RecognitionKind(models.TextChoices):
    AWARD = "award", _("Award or honour")
    GIFT_PACK = "gift_pack", _("Gift pack")
    OTHER = "other", _("Other")


class Recognition(models.Model):
    """Recognition of a volunteer (礼遇回馈)."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="recognitions", verbose_name=_("caring mother"))
    kind = models.CharField(_("kind"), max_length=10, choices=RecognitionKind.choices)
    title = models.CharField(_("title"), max_length=120)
    awarded_on = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"))

    class Meta:
        ordering = ["-awarded_on", "-id"]
        verbose_name = _("recognition")
        verbose_name_plural = _("recognitions")

    def __str__(self) -> str:
        return self.title
