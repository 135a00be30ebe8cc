import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Region, User
from children.models import Child
from core.scoping import ScopedQuerySet
from volunteers.models import Volunteer

# The most person-times (人次) the database takes for one activity, whatever the deployment's
# ACTIVITY_MAX_PARTICIPANTS (at most this, checked at start-up) allows: no sum of them can overflow.
PARTICIPANTS_CEILING = 100_000


class ActivityKind(models.TextChoices):
    HOME_VISIT = "home_visit", _("Home visit")
    CALL = "call", _("Phone or video call")
    TUTORING = "tutoring", _("Tutoring")
    COUNSELLING = "counselling", _("Counselling")
    MATERIAL_AID = "material_aid", _("Material aid")
    SAFETY_EDUCATION = "safety_education", _("Safety education")
    READING = "reading", _("Reading together")
    OUTING = "outing", _("Outing or study trip")
    FESTIVAL = "festival", _("Festival activity")
    LETTER = "letter", _("Letter (爱心家书)")
    TEACHER_CONTACT = "teacher_contact", _("Contact with the class teacher")
    OTHER = "other", _("Other")


class CareService(models.TextChoices):
    """What was given during an activity (one activity can give several)."""

    GUIDANCE = "guidance", _("Ideological guidance")
    PSYCHOLOGICAL = "psychological", _("Psychological support")
    EMOTIONAL = "emotional", _("Emotional comfort")
    TUTORING = "tutoring", _("Homework tutoring")
    SAFETY = "safety", _("Safety education")
    MATERIAL = "material", _("Material help")
    LEGAL = "legal", _("Legal help")
    HEALTH = "health", _("Health care")


class ActivityQuerySet(ScopedQuerySet):
    """``visible_to`` (core.scoping): activities of the caller's region subtree; a caring mother sees
    the activities she recorded or took part in."""

    def for_volunteer(self, user) -> "ActivityQuerySet":
        # A subquery rather than a join: no DISTINCT, so callers may also lock rows (FOR UPDATE).
        joined = Activity.co_volunteers.through.objects.filter(volunteer__user=user).values("activity_id")
        return self.filter(Q(volunteer__user=user) | Q(pk__in=joined))


class Activity(models.Model):
    """One care activity (关爱活动): a visit, a call, tutoring … or a group activity with many
    children and volunteers. The id is a UUID a phone may generate, so retries are idempotent."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Foreign keys without an index of their own where a composite index leads with them (Meta.indexes,
    # the unique constraint): each index is one more write for every visit recorded.
    volunteer = models.ForeignKey(Volunteer, verbose_name=_("caring mother"), on_delete=models.PROTECT,
                                  related_name="activities", db_index=False)
    co_volunteers = models.ManyToManyField(Volunteer, verbose_name=_("other volunteers"), blank=True,
                                           related_name="joint_activities")
    children = models.ManyToManyField(Child, verbose_name=_("children"), through="ActivityChild",
                                      related_name="activities")
    # The region the activity is counted in: the (first) child's region, or the organiser's for a group.
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    occurred_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    services = models.JSONField(_("services given"), default=list, blank=True)
    is_group = models.BooleanField(_("group activity"), default=False)
    title = models.CharField(_("title"), max_length=120, blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=120, blank=True)
    # 人次: the person-times counted in totals; for a visit to one child, 1. The service refuses more
    # than settings.ACTIVITY_MAX_PARTICIPANTS; the database more than PARTICIPANTS_CEILING.
    participants = models.PositiveIntegerField(_("participants (人次)"), default=1)
    aid_value_yuan = models.DecimalField(_("aid value (yuan)"), max_digits=12, decimal_places=2, default=0)
    notes = models.TextField(_("notes"), blank=True)
    follow_up = models.BooleanField(_("needs follow-up"), default=False)
    # A digest of what the client sent, so a retried POST with the same id is recognised (same
    # content → the stored record) or refused (different content → 409).
    content_digest = models.CharField(_("content digest"), max_length=64, editable=False)
    created_by = models.ForeignKey(User, verbose_name=_("created by"), null=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-created_at"]
        verbose_name = _("care activity")
        verbose_name_plural = _("care activities")
        indexes = [
            models.Index(fields=["region", "occurred_on"], name="activity_region_on"),
            models.Index(fields=["occurred_on", "region"], name="activity_on_region"),
            models.Index(fields=["volunteer", "occurred_on"], name="activity_volunteer_on"),
            models.Index(fields=["kind", "occurred_on"], name="activity_kind_on"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(aid_value_yuan__gte=0), name="activity_aid_not_negative"),
            models.CheckConstraint(condition=Q(participants__gte=1, participants__lte=PARTICIPANTS_CEILING),
                                   name="activity_participants_in_range"),
            models.CheckConstraint(condition=Q(kind__in=ActivityKind.values), name="activity_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"


class ActivityChild(models.Model):
    """A child reached by an activity. The date and the child's region are copied here so "last
    contact", monthly coverage and rollups read one indexed table."""

    # Indexed by the unique constraint (activity, child) and activitychild_child_on (child, -occurred_on).
    activity = models.ForeignKey(Activity, verbose_name=_("care activity"), on_delete=models.CASCADE,
                                 related_name="child_links", db_index=False)
    child = models.ForeignKey(Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="activity_links",
                              db_index=False)
    occurred_on = models.DateField(_("date"))
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["activity", "child"], name="activitychild_unique")]
        indexes = [
            models.Index(fields=["child", "-occurred_on"], name="activitychild_child_on"),
            models.Index(fields=["occurred_on", "region"], name="activitychild_on_region"),
            # The contact windows of the statistics (activities.rhythm.children_last_contact): a date
            # range read for its children alone, index-only.
            models.Index(fields=["occurred_on", "child"], name="activitychild_on_child"),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} → {self.child_id}"


def photo_path(photo: "ActivityPhoto", filename: str) -> str:
    return f"activity-photos/{photo.activity.occurred_on:%Y/%m}/{uuid.uuid4().hex}.jpg"


class ActivityPhoto(models.Model):
    """A photo of an activity: stored privately (served through a scoped view), resized, with its
    location metadata stripped."""

    activity = models.ForeignKey(Activity, verbose_name=_("care activity"), on_delete=models.CASCADE,
                                 related_name="photos")
    image = models.FileField(_("photo"), upload_to=photo_path)
    width = models.PositiveIntegerField(_("width (pixels)"))
    height = models.PositiveIntegerField(_("height (pixels)"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # The id a phone gave the photo when it was queued (activities.photos.photo_add_once): a retried
    # upload of the same photo finds it here and stores nothing twice. Empty for staff uploads.
    client_id = models.UUIDField(_("client id"), null=True, blank=True, unique=True, editable=False)

    def __str__(self) -> str:
        return self.image.name


class ContactRhythm(models.Model):
    """A region's own expected contact interval by risk colour (defaults in settings.CONTACT_DAYS).
    The nearest ancestor's rule applies to a child."""

    region = models.OneToOneField(Region, verbose_name=_("region"), on_delete=models.CASCADE,
                                  related_name="contact_rhythm")
    red_days = models.PositiveSmallIntegerField(_("red: days between contacts"))
    yellow_days = models.PositiveSmallIntegerField(_("yellow: days between contacts"))
    green_days = models.PositiveSmallIntegerField(_("green: days between contacts"))
    unassessed_days = models.PositiveSmallIntegerField(_("not assessed: days between contacts"))
    updated_by = models.ForeignKey(User, verbose_name=_("updated by"), null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(
            condition=Q(red_days__gte=1) & Q(yellow_days__gte=1) & Q(green_days__gte=1) & Q(unassessed_days__gte=1),
            name="contactrhythm_positive")]

    def __str__(self) -> str:
        return f"{self.region_id}: {self.red_days}/{self.yellow_days}/{self.green_days}"


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user) -> "NotificationQuerySet":
        return self.filter(recipient=user)

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app message (reminders for volunteers, digests for staff); other delivery channels are
    pluggable (activities.delivery)."""

    recipient = models.ForeignKey(User, verbose_name=_("recipient"), on_delete=models.CASCADE,
                                  related_name="notifications")
    kind = models.CharField(_("kind"), max_length=20)
    title = models.CharField(pgettext_lazy("notification", "title"), max_length=200)
    body = models.TextField(pgettext_lazy("notification", "text"), blank=True)
    link = models.CharField(_("link"), max_length=200, blank=True)
    # A due/overdue reminder: the ids of the children it lists (a visit to all of them marks it read).
    children = models.JSONField(_("children"), default=list, blank=True)
    # The region a notification is about (an urgent report's): the only detail an SMS may name.
    region = models.ForeignKey(Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    # One reminder per recipient, kind and day: the daily task can be re-run safely.
    dedupe_key = models.CharField(_("deduplication key"), max_length=120)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="notification_dedupe")]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title


# --- delivery beyond the app (activities.delivery) ------------------------------------------------

class DeliveryChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", pgettext_lazy("delivery status", "Sent")
    FAILED = "failed", _("Failed")


class DeliveryPreference(models.Model):
    """A user's channels besides the in-app list (always on) and her quiet hours (local time; the
    span may wrap past midnight). No row: in-app only."""

    user = models.OneToOneField(User, verbose_name=_("user"), on_delete=models.CASCADE,
                                related_name="delivery_preference")
    email = models.BooleanField(_("by e-mail"), default=False)
    sms = models.BooleanField(_("by SMS"), default=False)
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery preference")
        verbose_name_plural = _("delivery preferences")
        constraints = [models.CheckConstraint(
            condition=(Q(quiet_start__isnull=True) & Q(quiet_end__isnull=True))
            | (Q(quiet_start__isnull=False) & Q(quiet_end__isnull=False)),
            name="deliverypreference_quiet_both")]

    def __str__(self) -> str:
        return f"{self.user_id}: email={self.email} sms={self.sms}"


class DeliveryAttempt(models.Model):
    """One notification through one channel: sent at most once (unique per notification and channel),
    retried with backoff while it fails (activities.delivery)."""

    notification = models.ForeignKey(Notification, verbose_name=_("notification"), on_delete=models.CASCADE,
                                     related_name="attempts")
    channel = models.CharField(_("channel"), max_length=10, choices=DeliveryChannel.choices)
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.QUEUED)
    tries = models.PositiveSmallIntegerField(_("tries"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    # When it is next due (a retry, or the end of quiet hours); null once sent or given up.
    next_try_at = models.DateTimeField(_("next try at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="deliveryattempt_once"),
            models.CheckConstraint(condition=Q(channel__in=DeliveryChannel.values), name="deliveryattempt_channel"),
            models.CheckConstraint(condition=Q(status__in=DeliveryStatus.values), name="deliveryattempt_status"),
        ]
        indexes = [models.Index(fields=["status", "next_try_at"], name="deliveryattempt_due")]

    def __str__(self) -> str:
        return f"{self.notification_id}/{self.channel}: {self.status}"
