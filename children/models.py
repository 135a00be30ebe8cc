from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Region, User
from children import identity
from core.access import READ, role_of
from core.regioncodes import subtree_q
from core.scoping import ScopedQuerySet


class Gender(models.TextChoices):
    MALE = "male", _("Boy")
    FEMALE = "female", _("Girl")


class Category(models.TextChoices):
    LEFT_BEHIND = "left_behind", _("Left-behind child")
    IN_DIFFICULTY = "in_difficulty", _("Child in difficulty")
    ORPHAN = "orphan", _("Orphan")
    DE_FACTO_UNSUPPORTED = "de_facto_unsupported", _("De facto unsupported child")


class DifficultyType(models.TextChoices):
    POVERTY = "poverty", _("Poverty")
    DISABILITY = "disability", _("Disability")
    GUARDIANSHIP = "guardianship", _("Guardianship missing or improper")


# Age at which a category stops applying: left-behind children are under 16, the others under 18.
CATEGORY_AGE_LIMIT = {
    Category.LEFT_BEHIND: 16,
    Category.IN_DIFFICULTY: 18,
    Category.ORPHAN: 18,
    Category.DE_FACTO_UNSUPPORTED: 18,
}


class Status(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("child status", "Active")
    SUSPENDED = "suspended", _("Suspended")
    EXITED = "exited", _("Exited")


# Allowed status transitions; anything else is refused.
TRANSITIONS = {
    Status.ACTIVE: {Status.SUSPENDED, Status.EXITED},
    Status.SUSPENDED: {Status.ACTIVE, Status.EXITED},
    Status.EXITED: {Status.ACTIVE},  # re-admitted, e.g. the parents left again
}


class ExitReason(models.TextChoices):
    AGED_OUT = "aged_out", _("Aged out")
    PARENTS_RETURNED = "parents_returned", _("Parents returned home")
    MOVED_AWAY = "moved_away", _("Moved away")
    NO_CATEGORY = "no_category", _("No longer in any category")
    DECEASED = "deceased", _("Deceased")
    OTHER = "other", _("Other")


class RiskColor(models.TextChoices):
    RED = "red", _("Red")
    YELLOW = "yellow", _("Yellow")
    GREEN = "green", _("Green")


# The label of a child without a risk card (no assessment yet): next to RiskColor's labels everywhere.
NOT_ASSESSED = _("Not assessed")


def risk_labels() -> dict[str, str]:
    """Each risk colour's label and ``unassessed``'s, in the active language (pages, PDF, Excel)."""
    return {**{color.value: str(color.label) for color in RiskColor}, "unassessed": str(NOT_ASSESSED)}


class RiskFactor(models.TextChoices):
    GUARDIANSHIP = "guardianship", _("Guardianship")
    HEALTH = "health", _("Physical health")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    SCHOOLING = "schooling", _("Schooling")
    SAFETY = "safety", _("Safety")
    FAMILY_ECONOMY = "family_economy", _("Family economy")


class Household(models.TextChoices):
    RURAL = "rural", _("Rural")
    URBAN = "urban", _("Urban")


def add_years(day: date, years: int) -> date:
    """``day`` that many years later. 29 February becomes 1 March in a common year: a child born on a
    leap day turns a year older on 1 March then, as Child.age_on counts it."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return date(day.year + years, 3, 1)


class ChildQuerySet(ScopedQuerySet):
    """``visible_to`` (core.scoping): staff, viewers and admins see their region subtree; a caring
    mother only the children she is actively paired with."""

    def for_volunteer(self, user) -> "ChildQuerySet":
        from pairing.models import Pairing

        return self.filter(pk__in=Pairing.objects.filter(volunteer__user=user, ended_on__isnull=True)
                           .values("child_id"))

    def with_paired(self) -> "ChildQuerySet":
        """Annotate ``paired``: whether the child has an active lead caring mother."""
        from pairing.models import Pairing, PairingRole

        return self.annotate(paired=models.Exists(
            Pairing.objects.filter(child=models.OuterRef("pk"), role=PairingRole.LEAD, ended_on__isnull=True)))

    def active(self) -> "ChildQuerySet":
        return self.filter(status=Status.ACTIVE)

    def in_category(self, category: str) -> "ChildQuerySet":
        return self.filter(**{f"is_{category}": True})

    def aging_out_within(self, days: int, *, today: date) -> "ChildQuerySet":
        from datetime import timedelta

        return self.exclude(status=Status.EXITED).filter(ages_out_on__lte=today + timedelta(days=days))


class Child(models.Model):
    name = models.CharField(_("name"), max_length=40)
    gender = models.CharField(_("gender"), max_length=6, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    id_number_encrypted = models.TextField(_("ID number (encrypted)"), editable=False)
    id_number_digest = models.CharField(_("ID number digest"), max_length=64, editable=False, db_index=True)
    id_number_last4 = models.CharField(_("ID number, last 4"), max_length=4, editable=False, db_index=True)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")

    is_left_behind = models.BooleanField(_("left-behind child"), default=False)
    is_in_difficulty = models.BooleanField(_("child in difficulty"), default=False)
    is_orphan = models.BooleanField(_("orphan"), default=False)
    is_de_facto_unsupported = models.BooleanField(_("de facto unsupported child"), default=False)
    difficulty_poverty = models.BooleanField(_("difficulty: poverty"), default=False)
    difficulty_disability = models.BooleanField(_("difficulty: disability"), default=False)
    difficulty_guardianship = models.BooleanField(_("difficulty: guardianship"), default=False)

    school = models.CharField(_("school"), max_length=80, blank=True)
    grade = models.CharField(_("grade"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    household = models.CharField(_("household registration"), max_length=5, choices=Household.choices,
                                 default=Household.RURAL)
    parents_work_place = models.CharField(_("where the parents work"), max_length=120, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    entered_on = models.DateField(_("entered the programme on"))
    exited_on = models.DateField(_("exited on"), null=True, blank=True)
    exit_reason = models.CharField(_("exit reason"), max_length=20, choices=ExitReason.choices, blank=True)
    # Denormalised from the latest assessment so the ledger filters and sorts on an index.
    risk_color = models.CharField(_("risk colour"), max_length=6, choices=RiskColor.choices, blank=True,
                                  db_index=True)
    next_review_on = models.DateField(_("next risk review"), null=True, blank=True)
    # The day the last of the child's categories stops applying (see CATEGORY_AGE_LIMIT).
    ages_out_on = models.DateField(_("ages out on"), null=True, blank=True)

    # Retention (children.retention): RETENTION_YEARS_AFTER_EXIT after the exit the record is anonymised,
    # unless held for a legal case (a reason given; who and when kept).
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)
    retention_hold_reason = models.CharField(_("reason for keeping the record"), max_length=300, blank=True)
    retention_held_by = models.ForeignKey(User, verbose_name=_("kept by"), null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    retention_held_at = models.DateTimeField(_("kept since"), null=True, blank=True)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(User, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL,
                                   related_name="+")

    objects = ChildQuerySet.as_manager()

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        ordering = ["region_id", "name", "id"]
        constraints = [
            # One active (or suspended) record per person across the whole system.
            models.UniqueConstraint(fields=["id_number_digest"], condition=~Q(status="exited"),
                                    name="child_unique_id_number_while_not_exited"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="child_status_valid"),
            models.CheckConstraint(condition=Q(risk_color__in=["", *RiskColor.values]), name="child_risk_color_valid"),
            models.CheckConstraint(condition=Q(exited_on__isnull=True) | Q(exited_on__gte=models.F("entered_on")),
                                   name="child_exit_after_entry"),
        ]
        indexes = [
            models.Index(fields=["region", "status"], name="child_region_status"),
            models.Index(fields=["status", "region"], name="child_status_region"),
            models.Index(fields=["risk_color", "region"], name="child_color_region"),
            models.Index(fields=["ages_out_on"], name="child_ages_out_on", condition=~Q(status="exited")),
            models.Index(fields=["next_review_on"], name="child_next_review", condition=Q(risk_color="red")),
            models.Index(fields=["name"], name="child_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def audit_label(self) -> str:
        return f"{self.name}（{self.id_number_masked}）" if self.id_number_last4 else self.name

    @property
    def anonymised(self) -> bool:
        return self.anonymised_at is not None

    @property
    def retention_held(self) -> bool:
        return bool(self.retention_hold_reason)

    @property
    def categories(self) -> list[str]:
        return [c.value for c in Category if getattr(self, f"is_{c.value}")]

    @property
    def difficulty_types(self) -> list[str]:
        return [d.value for d in DifficultyType if getattr(self, f"difficulty_{d.value}")]

    def get_categories_display(self) -> list[str]:
        return [Category(c).label for c in self.categories]

    @property
    def id_number_masked(self) -> str:
        return identity.mask_last4(self.id_number_last4)

    def set_id_number(self, number: str) -> None:
        number = number.upper()
        self.id_number_encrypted = identity.encrypt(number)
        self.id_number_digest = identity.digest(number)
        self.id_number_last4 = number[-4:]

    def reveal_id_number(self) -> str:
        """The full number. Call only through children.services.child_reveal_id_number, which audits."""
        return identity.decrypt(self.id_number_encrypted)

    def age_on(self, day: date) -> int:
        return day.year - self.birth_date.year - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))

    def compute_ages_out_on(self) -> date | None:
        limits = [CATEGORY_AGE_LIMIT[Category(c)] for c in self.categories]
        return add_years(self.birth_date, max(limits)) if limits else None

    def can_become(self, status: str) -> bool:
        return status in TRANSITIONS[Status(self.status)]


class Guardian(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="guardians", verbose_name=_("child"))
    name = models.CharField(_("guardian's name"), max_length=40)
    relation = models.CharField(_("relation"), max_length=20)
    phone = models.CharField(_("guardian's phone"), max_length=20, blank=True)
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("position"))

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")

    def __str__(self) -> str:
        return f"{self.name}（{self.relation}）"


class StatusChange(models.Model):
    """One row per status change or transfer: the ledger's dynamic history, append-only."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="status_changes", verbose_name=_("child"))
    from_status = models.CharField(_("from"), max_length=10, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=ExitReason.choices, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    effective_on = models.DateField(_("effective on"))
    from_region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("from region"))
    to_region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("to region"))
    actor = models.ForeignKey(User, verbose_name=_("by"), null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["effective_on", "recorded_at", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        indexes = [models.Index(fields=["child", "effective_on"], name="statuschange_child_on"),
                   models.Index(fields=["effective_on", "to_status"], name="statuschange_on_status")]

    def __str__(self) -> str:
        return f"{self.child_id}: {self.from_status} → {self.to_status} ({self.effective_on})"

    @property
    def is_transfer(self) -> bool:
        return self.to_region_id is not None


class RiskAssessment(models.Model):
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("child"))
    color = models.CharField(_("colour"), max_length=6, choices=RiskColor.choices)
    reasons = models.JSONField(_("risk factors"), default=list, blank=True)
    note = models.TextField(_("explanation"), blank=True)
    assessed_on = models.DateField(_("assessed on"))
    next_review_on = models.DateField(_("next review on"))
    assessor = models.ForeignKey(User, verbose_name=_("assessor"), null=True, on_delete=models.PROTECT,
                                 related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["assessed_on", "recorded_at", "id"]
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        indexes = [models.Index(fields=["child", "assessed_on"], name="assessment_child_on")]
        constraints = [models.CheckConstraint(condition=Q(color__in=RiskColor.values), name="assessment_color_valid"),
                       models.CheckConstraint(condition=Q(next_review_on__gte=models.F("assessed_on")),
                                              name="assessment_review_after")]

    def __str__(self) -> str:
        return f"{self.child_id}: {self.color} ({self.assessed_on})"

    def get_reasons_display(self) -> list[str]:
        labels = dict(RiskFactor.choices)
        return [str(labels.get(r, r)) for r in self.reasons]


class NeedKind(models.TextChoices):
    MATERIAL = "material", _("Material")
    STUDY = "study", _("Study")
    HEALTH = "health", _("Health")
    PSYCHOLOGICAL = "psychological", _("Psychological")
    LEGAL = "legal", _("Legal")
    OTHER = "other", _("Other")


class NeedStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("need status", "Open")
    CLAIMED = "claimed", _("Claimed")
    FULFILLED = "fulfilled", _("Fulfilled")
    CANCELLED = "cancelled", _("Cancelled")


NEED_TRANSITIONS = {
    NeedStatus.OPEN: {NeedStatus.CLAIMED, NeedStatus.CANCELLED},
    NeedStatus.CLAIMED: {NeedStatus.FULFILLED, NeedStatus.OPEN, NeedStatus.CANCELLED},
    NeedStatus.FULFILLED: set(),
    NeedStatus.CANCELLED: set(),
}


class NeedQuerySet(ScopedQuerySet):
    """The needs of the children the caller sees."""

    region_field = "child__region"

    def for_volunteer(self, user) -> "NeedQuerySet":
        return self.filter(child__in=Child.objects.for_volunteer(user))


class Need(models.Model):
    """A child's concrete need or small wish (急难愁盼 / 微心愿)."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="needs", verbose_name=_("child"))
    # Copied from the child so region-scoped lists and rollups need no join.
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    kind = models.CharField(_("kind"), max_length=15, choices=NeedKind.choices)
    description = models.CharField(_("description"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    value_yuan = models.DecimalField(_("value (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True)
    opened_on = models.DateField(_("opened on"))
    claimed_on = models.DateField(_("claimed on"), null=True, blank=True)
    claimed_by_name = models.CharField(_("claimed by"), max_length=80, blank=True)
    fulfilled_on = models.DateField(_("fulfilled on"), null=True, blank=True)
    closed_note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = NeedQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        indexes = [models.Index(fields=["status", "region"], name="need_status_region"),
                   models.Index(fields=["child", "status"], name="need_child_status")]
        constraints = [models.CheckConstraint(condition=Q(value_yuan__isnull=True) | Q(value_yuan__gte=0),
                                              name="need_value_not_negative")]

    def __str__(self) -> str:
        return self.description

    def can_become(self, status: str) -> bool:
        return status in NEED_TRANSITIONS[NeedStatus(self.status)]


def review_days(color: str) -> int:
    return settings.RISK_REVIEW_DAYS[color]


class LedgerImportStatus(models.TextChoices):
    PENDING = "pending", _("Being checked")
    FAILED = "failed", _("Could not be read")
    PREVIEWED = "previewed", _("Previewed")
    APPLYING = "applying", _("Being applied")
    APPLIED = "applied", _("Applied")
    APPLY_FAILED = "apply_failed", _("Not applied")
    DISCARDED = "discarded", _("Discarded")


class LedgerImportQuerySet(ScopedQuerySet):
    """Uploads of the region subtree; caring mothers see none."""


# The folder of the private storage where uploads wait for their preview job.
LEDGER_IMPORT_UPLOADS = "children/imports"


def ledger_import_upload_to(ledger_import, filename: str) -> str:
    """Where an upload waits for its preview job (private storage; the suggested name is ignored)."""
    return f"{LEDGER_IMPORT_UPLOADS}/import{ledger_import.pk}.xlsx.enc"


class LedgerImport(models.Model):
    """One upload of the civil-affairs (民政) list: its preview, and whether it was applied.

    An upload is ``pending`` while a Celery task reads it and builds the preview (children.reconcile),
    then ``previewed``, or ``failed`` with ``error`` when the file cannot be used. Until then the file
    waits in ``upload``, Fernet-encrypted like the ledger's ID numbers (it holds them in full), and is
    deleted once the task is done with it (or, its task lost, when the import is marked failed).

    The parsed rows and the computed differences are kept (``preview``) so the staff member confirms
    exactly what they saw; nothing touches the ledger until ``applied``. Confirming makes it ``applying``
    (``applied_by`` and ``apply_requested_at`` set) while a second Celery task applies it, all or nothing:
    then ``applied``, or ``apply_failed`` with ``error`` (and the rows that stopped it in ``summary``)."""

    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(_("file"), max_length=200)
    file_sha256 = models.CharField(max_length=64, db_index=True, verbose_name=_("file SHA-256"))
    status = models.CharField(_("status"), max_length=20, choices=LedgerImportStatus.choices,
                              default=LedgerImportStatus.PREVIEWED)
    preview = models.JSONField(_("preview"), default=dict)
    summary = models.JSONField(_("summary"), default=dict)
    upload = models.FileField(upload_to=ledger_import_upload_to, blank=True, max_length=200, verbose_name=_("uploaded file"))
    error = models.TextField(_("error"), blank=True)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    applied_at = models.DateTimeField(null=True, blank=True, verbose_name=_("applied at"))
    applied_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("applied by"))
    apply_requested_at = models.DateTimeField(null=True, blank=True, verbose_name=_("apply requested at"))

    objects = LedgerImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("civil-affairs list import")
        verbose_name_plural = _("civil-affairs list imports")

    def __str__(self) -> str:
        return self.file_name


class TransferStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("transfer status", "Pending")
    ACCEPTED = "accepted", pgettext_lazy("transfer status", "Accepted")
    REJECTED = "rejected", pgettext_lazy("transfer status", "Rejected")
    CANCELLED = "cancelled", pgettext_lazy("transfer status", "Cancelled")


# A pending transfer is accepted (the child moves), rejected (with a reason) or cancelled by the sender;
# the three are final.
TRANSFER_TRANSITIONS: dict[str, frozenset[str]] = {
    TransferStatus.PENDING: frozenset({TransferStatus.ACCEPTED, TransferStatus.REJECTED, TransferStatus.CANCELLED}),
    TransferStatus.ACCEPTED: frozenset(),
    TransferStatus.REJECTED: frozenset(),
    TransferStatus.CANCELLED: frozenset(),
}


class TransferQuerySet(ScopedQuerySet):
    """``visible_to``: the transfers whose sending region (``from_region``) or receiving region
    (``to_region``) lies in the user's subtree — federation roles only; caring mothers see none.

    Seeing a transfer is not seeing the child: until it is accepted the receiving side reads only the
    summary children.transfers gives (name, age, categories, masked ID number, regions, reason)."""

    def visible_to(self, user) -> "TransferQuerySet":
        if role_of(user) not in READ:
            return self.none()
        if user.is_superuser:
            return self.all()
        if not user.region_id:
            return self.none()
        return self.filter(subtree_q("from_region", user.region_id) | subtree_q("to_region", user.region_id))

    def pending(self) -> "TransferQuerySet":
        return self.filter(status=TransferStatus.PENDING)

    def incoming(self, user) -> "TransferQuerySet":
        """Those the user's side receives: ``to_region`` in their subtree (everything for a superuser)."""
        if user.is_superuser:
            return self.all()
        return self.filter(subtree_q("to_region", user.region_id)) if user.region_id else self.none()


class Transfer(models.Model):
    """A two-sided transfer (转移) of a child to another region: requested by the sending side, the
    child stays where she is until the receiving side accepts (then she moves, her history kept, her
    pairings ended) or rejects it with a reason; the sender may cancel it while it is pending.

    Status changes go through children.transfers (each checked against :data:`TRANSFER_TRANSITIONS`
    and audited with the old and new status)."""

    child = models.ForeignKey(Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="transfers")
    from_region = models.ForeignKey(Region, verbose_name=_("from region"), on_delete=models.PROTECT,
                                    related_name="+")
    to_region = models.ForeignKey(Region, verbose_name=_("to region"), on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=TransferStatus.choices,
                              default=TransferStatus.PENDING)
    effective_on = models.DateField(_("effective on"))
    requested_by = models.ForeignKey(User, verbose_name=_("requested by"), on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(User, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.CharField(_("reason for rejecting"), max_length=300, blank=True)

    objects = TransferQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            # At most one pending transfer per child: the database decides between two requests racing.
            models.UniqueConstraint(fields=["child"], condition=Q(status="pending"),
                                    name="transfer_one_pending_per_child"),
            models.CheckConstraint(condition=Q(status__in=TransferStatus.values), name="transfer_status_valid"),
            models.CheckConstraint(condition=~Q(from_region=models.F("to_region")), name="transfer_moves"),
        ]
        indexes = [
            models.Index(fields=["to_region", "status"], name="transfer_to_status"),
            models.Index(fields=["from_region", "status"], name="transfer_from_status"),
        ]

    def __str__(self) -> str:
        return f"{self.child_id}: {self.from_region_id} → {self.to_region_id} ({self.status})"

    def audit_label(self) -> str:
        return f"{self.child.name}：{self.from_region_id} → {self.to_region_id}"

    @property
    def is_pending(self) -> bool:
        return self.status == TransferStatus.PENDING

    def can_move_to(self, status: str) -> bool:
        return status in TRANSFER_TRANSITIONS[TransferStatus(self.status)]
