"""API tokens expire: tokens issued before get the default validity counted from their creation."""

import datetime

from django.conf import settings
from django.db import migrations, models


def give_existing_tokens_an_expiry(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    validity = datetime.timedelta(days=settings.API_TOKEN_DEFAULT_DAYS)
    for token in ApiToken.objects.filter(expires_at__isnull=True):
        token.expires_at = token.created_at + validity
        token.save(update_fields=["expires_at"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="有效期至"),
        ),
        migrations.RunPython(give_existing_tokens_an_expiry, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(
                help_text="过期后令牌被拒绝（401），须重新签发。", verbose_name="有效期至"
            ),
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="last_used_at",
            field=models.DateTimeField(
                blank=True, help_text="至多每分钟记录一次。", null=True, verbose_name="最近使用"
            ),
        ),
    ]
