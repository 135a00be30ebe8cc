from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("activities", "0004_field_verbose_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="activityphoto",
            name="client_id",
            field=models.UUIDField(blank=True, editable=False, null=True, unique=True, verbose_name="client id"),
        ),
    ]
