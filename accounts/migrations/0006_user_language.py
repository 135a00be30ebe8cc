from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0005_session_epoch_token_activity"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="language",
            field=models.CharField(choices=[("zh-hans", "Simplified Chinese"), ("en", "English")], default="zh-hans",
                                   max_length=10, verbose_name="language"),
        ),
    ]
