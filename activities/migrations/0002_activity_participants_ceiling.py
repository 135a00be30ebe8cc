"""Person-times (人次) of an activity between 1 and 100,000 (activities.models.PARTICIPANTS_CEILING).

Before the constraint is added, activities above the ceiling (recorded while nothing bounded them,
e.g. 2147483647 from a phone) stop the migration with their ids: correct them first (activity page,
"更正"), then migrate again. Nothing is changed silently."""

from django.db import migrations, models

CEILING = 100_000


def refuse_activities_above_the_ceiling(apps, schema_editor):
    Activity = apps.get_model("activities", "Activity")
    above = list(Activity.objects.filter(participants__gt=CEILING).values_list("pk", "participants")[:20])
    if above:
        listed = ", ".join(f"{pk} ({participants})" for pk, participants in above)
        raise RuntimeError(
            f"These activities count more than {CEILING} person-times: {listed}. Correct their participants "
            "first, then run the migration again."
        )


class Migration(migrations.Migration):

    dependencies = [
        ("activities", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(refuse_activities_above_the_ceiling, migrations.RunPython.noop, elidable=True),
        migrations.RemoveConstraint(
            model_name="activity",
            name="activity_participants_positive",
        ),
        migrations.AddConstraint(
            model_name="activity",
            constraint=models.CheckConstraint(condition=models.Q(("participants__gte", 1), ("participants__lte", 100000)),
                                              name="activity_participants_in_range"),
        ),
    ]
