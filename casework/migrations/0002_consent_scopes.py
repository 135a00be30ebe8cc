import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import casework.models


def earlier_consents_were_for_sharing(apps, schema_editor):
    """Consents recorded before scopes existed were asked for referrals: sharing. Their free-text scope
    stays as the note; how they were given was not recorded (verbal, no witness named)."""
    GuardianConsent = apps.get_model("casework", "GuardianConsent")
    GuardianConsent.objects.update(sharing=True, method="verbal")


class Migration(migrations.Migration):

    dependencies = [
        ("casework", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField(model_name="guardianconsent", old_name="guardian_name", new_name="given_by"),
        migrations.AlterField(model_name="guardianconsent", name="given_by",
                              field=models.CharField(max_length=40, verbose_name="given by")),
        migrations.RenameField(model_name="guardianconsent", old_name="scope", new_name="note"),
        migrations.AlterField(model_name="guardianconsent", name="note",
                              field=models.CharField(blank=True, max_length=300, verbose_name="note")),
        migrations.AddField(model_name="guardianconsent", name="relation",
                            field=models.CharField(default="", max_length=20, verbose_name="relation"),
                            preserve_default=False),
        migrations.AddField(model_name="guardianconsent", name="processing",
                            field=models.BooleanField(default=False, verbose_name="Keeping and using the child's information")),
        migrations.AddField(model_name="guardianconsent", name="photos",
                            field=models.BooleanField(default=False, verbose_name="Photos of the child")),
        migrations.AddField(model_name="guardianconsent", name="sharing",
                            field=models.BooleanField(default=False, verbose_name="Sharing with other departments")),
        migrations.AddField(model_name="guardianconsent", name="method",
                            field=models.CharField(choices=[("signed", "Signed on paper (scan stored)"),
                                                            ("verbal", "Verbal, with a witness")],
                                                   default="verbal", max_length=10, verbose_name="how it was given"),
                            preserve_default=False),
        migrations.AddField(model_name="guardianconsent", name="witness",
                            field=models.CharField(blank=True, max_length=40, verbose_name="witness")),
        migrations.AddField(model_name="guardianconsent", name="document",
                            field=models.FileField(blank=True, max_length=200,
                                                   upload_to=casework.models.consent_document_to,
                                                   verbose_name="scanned paper")),
        migrations.AddField(model_name="guardianconsent", name="withdrawn_on",
                            field=models.DateField(blank=True, null=True, verbose_name="withdrawn on")),
        migrations.AddField(model_name="guardianconsent", name="withdrawn_by",
                            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                                    related_name="+", to=settings.AUTH_USER_MODEL,
                                                    verbose_name="withdrawal recorded by")),
        migrations.RunPython(earlier_consents_were_for_sharing, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(model_name="guardianconsent",
                            index=models.Index(condition=models.Q(("withdrawn_on__isnull", True)),
                                               fields=["child", "given_on"], name="consent_current_by_child")),
        migrations.AddConstraint(model_name="guardianconsent",
                                 constraint=models.CheckConstraint(condition=models.Q(("method__in", ["signed", "verbal"])),
                                                                   name="consent_method_valid")),
        migrations.AddConstraint(model_name="guardianconsent",
                                 constraint=models.CheckConstraint(
                                     condition=models.Q(("processing", True), ("photos", True), ("sharing", True),
                                                        _connector="OR"),
                                     name="consent_has_a_scope")),
        migrations.AddConstraint(model_name="guardianconsent",
                                 constraint=models.CheckConstraint(
                                     condition=models.Q(("withdrawn_on__isnull", True),
                                                        ("withdrawn_on__gte", models.F("given_on")), _connector="OR"),
                                     name="consent_withdrawn_after_given")),
    ]
