"""Casework for red and yellow children (issue 13): a case plan (帮扶计划) with its actions, guardians'
consents, and referrals (转介) to other departments.

Every model is scoped through its child's region (core.scoping): staff, leaders and administrators see
the rows of their region subtree; a caring mother sees only the actions she owns, nothing else.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import User
from children.models import Child
from core.scoping import ScopedQuerySet


class PlanStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("case plan status", "Open")
    CLOSED = "closed", pgettext_lazy("case plan status", "Closed")


class ActionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("case action status", "Open")
    DONE = "done", pgettext_lazy("case action status", "Done")


class Department(models.TextChoices):
    CIVIL_AFFAIRS = "civil_affairs", pgettext_lazy("referral department", "Civil affairs")
    EDUCATION = "education", pgettext_lazy("referral department", "Education")
    PUBLIC_SECURITY = "public_security", pgettext_lazy("referral department", "Public security")
    HEALTH = "health", pgettext_lazy("referral department", "Health")
    JUSTICE = "justice", pgettext_lazy("referral department", "Justice")
    SOCIAL_WORK = "social_work", pgettext_lazy("referral department", "Social work")
    DISABLED_PERSONS = "disabled_persons", pgettext_lazy("referral department", "Disabled persons' federation")
    OTHER = "other", pgettext_lazy("referral department", "Other")


class ReferralStatus(models.TextChoices):
    SENT = "sent", pgettext_lazy("referral status", "Sent")
    ACCEPTED = "accepted", pgettext_lazy("referral status", "Accepted")
    DECLINED = "declined", pgettext_lazy("referral status", "Declined")
    COMPLETED = "completed", pgettext_lazy("referral status", "Completed")


# Allowed referral transitions; anything else is refused.
REFERRAL_TRANSITIONS = {
    ReferralStatus.SENT: {ReferralStatus.ACCEPTED, ReferralStatus.DECLINED},
    ReferralStatus.ACCEPTED: {ReferralStatus.COMPLETED},
    ReferralStatus.DECLINED: set(),
    ReferralStatus.COMPLETED: set(),
}
# The date field each status sets.
REFERRAL_DATE_FIELD = {
    ReferralStatus.SENT: "referred_on",
    ReferralStatus.ACCEPTED: "accepted_on",
    ReferralStatus.DECLINED: "declined_on",
    ReferralStatus.COMPLETED: "completed_on",
}


class ChildScopedQuerySet(ScopedQuerySet):
    """Rows of the children in the caller's region subtree; caring mothers see none."""

    region_field = "child__region"


class CasePlan(models.Model):
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="case_plans", verbose_name=_("child"))
    goals = models.TextField(_("goals"))
    review_on = models.DateField(_("review on"))
    status = models.CharField(_("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.OPEN)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = ChildScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("case plan")
        verbose_name_plural = _("case plans")
        constraints = [
            models.UniqueConstraint(fields=["child"], condition=Q(status="open"), name="caseplan_one_open_per_child"),
            models.CheckConstraint(condition=Q(status__in=PlanStatus.values), name="caseplan_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.child}: {self.goals[:40]}"

    def audit_label(self) -> str:
        return str(self.child.name)

    @property
    def is_open(self) -> bool:
        return self.status == PlanStatus.OPEN


class CaseActionQuerySet(ScopedQuerySet):
    """Actions of the children in the caller's region subtree; a caring mother sees the actions she owns."""

    region_field = "plan__child__region"

    def for_volunteer(self, user) -> "CaseActionQuerySet":
        return self.filter(owner=user)


class CaseAction(models.Model):
    plan = models.ForeignKey(CasePlan, on_delete=models.CASCADE, related_name="actions", verbose_name=_("case plan"))
    description = models.CharField(_("description"), max_length=300)
    # A staff user of the child's area or the child's lead caring mother (her login).
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="case_actions", verbose_name=_("owner"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CaseActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("case action")
        verbose_name_plural = _("case actions")
        indexes = [models.Index(fields=["owner", "status", "due_on"], name="caseaction_owner_due")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ActionStatus.values), name="caseaction_status_valid"),
            models.CheckConstraint(condition=Q(status="open", done_on__isnull=True)
                                   | Q(status="done", done_on__isnull=False), name="caseaction_done_dated"),
        ]

    def __str__(self) -> str:
        return self.description

    def audit_label(self) -> str:
        return self.description[:120]


class ConsentScope(models.TextChoices):
    """What a guardian agrees to (PIPL Art. 31: a minor's information needs the guardian's consent)."""

    PROCESSING = "processing", pgettext_lazy("consent scope", "Keeping and using the child's information")
    PHOTOS = "photos", pgettext_lazy("consent scope", "Photos of the child")
    SHARING = "sharing", pgettext_lazy("consent scope", "Sharing with other departments")


class ConsentMethod(models.TextChoices):
    SIGNED = "signed", pgettext_lazy("consent method", "Signed on paper (scan stored)")
    VERBAL = "verbal", pgettext_lazy("consent method", "Verbal, with a witness")


def consent_document_to(consent, filename: str) -> str:
    """The scanned paper, in the private storage (downloaded only through a scoped, audited view)."""
    return f"consents/{consent.child_id}/{consent.pk or 'new'}-{filename[-60:]}"


class ConsentQuerySet(ChildScopedQuerySet):
    def current(self, on) -> "ConsentQuerySet":
        """Consents given by ``on`` and not withdrawn by then."""
        return self.filter(given_on__lte=on).filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on))

    def covering(self, scope: str, on) -> "ConsentQuerySet":
        """Current consents that include ``scope`` (a ConsentScope value)."""
        return self.current(on).filter(**{scope: True})


class GuardianConsent(models.Model):
    """A guardian's consent about the child's information: who gave it, when, to what (the scopes), how it
    was recorded (a signed paper, scanned; or verbal, with a witness), and its withdrawal, dated. Never
    deleted: a withdrawn consent stays on record (casework.consents)."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="consents", verbose_name=_("child"))
    given_by = models.CharField(_("given by"), max_length=40)
    relation = models.CharField(_("relation"), max_length=20)
    given_on = models.DateField(_("given on"))
    processing = models.BooleanField(ConsentScope.PROCESSING.label, default=False)
    photos = models.BooleanField(ConsentScope.PHOTOS.label, default=False)
    sharing = models.BooleanField(ConsentScope.SHARING.label, default=False)
    method = models.CharField(_("how it was given"), max_length=10, choices=ConsentMethod.choices)
    witness = models.CharField(_("witness"), max_length=40, blank=True)
    document = models.FileField(_("scanned paper"), upload_to=consent_document_to, blank=True, max_length=200)
    note = models.CharField(_("note"), max_length=300, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                     verbose_name=_("withdrawal recorded by"))
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-given_on", "-id"]
        verbose_name = _("guardian's consent")
        verbose_name_plural = _("guardians' consents")
        indexes = [models.Index(fields=["child", "given_on"], name="consent_current_by_child",
                                condition=Q(withdrawn_on__isnull=True))]
        constraints = [
            models.CheckConstraint(condition=Q(method__in=ConsentMethod.values), name="consent_method_valid"),
            models.CheckConstraint(condition=Q(processing=True) | Q(photos=True) | Q(sharing=True),
                                   name="consent_has_a_scope"),
            models.CheckConstraint(condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=models.F("given_on")),
                                   name="consent_withdrawn_after_given"),
        ]

    def __str__(self) -> str:
        return f"{self.given_by} {self.given_on}"

    def audit_label(self) -> str:
        return str(self.child.name)

    @property
    def scopes(self) -> list[str]:
        return [scope for scope in ConsentScope.values if getattr(self, scope)]

    def scope_labels(self) -> list[str]:
        return [str(ConsentScope(scope).label) for scope in self.scopes]

    def is_current(self, on) -> bool:
        return self.given_on <= on and (self.withdrawn_on is None or self.withdrawn_on > on)


class Referral(models.Model):
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("child"))
    department = models.CharField(_("department"), max_length=20, choices=Department.choices)
    organisation = models.CharField(_("organisation"), max_length=120)
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=ReferralStatus.choices,
                              default=ReferralStatus.SENT)
    referred_on = models.DateField(_("referred on"))
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    declined_on = models.DateField(_("declined on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    consent_override_reason = models.TextField(_("reason for referring without consent"), blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ChildScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-referred_on", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [models.Index(fields=["child", "status"], name="referral_child_status")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ReferralStatus.values), name="referral_status_valid"),
            models.CheckConstraint(condition=Q(department__in=Department.values), name="referral_department_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.child}: {self.organisation}"

    def audit_label(self) -> str:
        return f"{self.child.name} → {self.organisation}"[:120]

    def can_become(self, status: str) -> bool:
        return status in REFERRAL_TRANSITIONS[ReferralStatus(self.status)]
