from django.db import migrations, models


class Migration(migrations.Migration):
    """An index for the statistics' contact windows: the children reached in a date range, read from
    the index alone (activities.rhythm.children_last_contact)."""

    dependencies = [
        ("activities", "0007_activity_kind_letter_teacher"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="activitychild",
            index=models.Index(fields=["occurred_on", "child"], name="activitychild_on_child"),
        ),
    ]
