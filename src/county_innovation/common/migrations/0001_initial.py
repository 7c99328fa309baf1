"""DemoDataset moves from the web app to common: the table (web_demodataset) stays, only the state moves."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("web", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DemoDataset",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("loaded_at", models.DateTimeField(auto_now_add=True, verbose_name="生成时间")),
                        ("seed", models.IntegerField(verbose_name="随机种子")),
                        ("periods", models.CharField(max_length=50, verbose_name="年度")),
                        ("description", models.TextField(blank=True, verbose_name="说明")),
                    ],
                    options={
                        "verbose_name": "演示数据集",
                        "verbose_name_plural": "演示数据集",
                        "db_table": "web_demodataset",
                    },
                )
            ],
            database_operations=[],
        )
    ]
