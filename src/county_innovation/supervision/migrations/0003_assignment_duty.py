"""The assignment's 职责 is called ``duty`` in the code (a unit's duty, not a user's role); the column stays."""

from django.db import migrations, models


def _duty():
    return models.CharField(
        choices=[("lead", "牵头单位"), ("support", "配合单位")],
        db_column="role",
        default="lead",
        max_length=10,
        verbose_name="职责",
    )


class Migration(migrations.Migration):
    dependencies = [("supervision", "0002_seed")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField("taskassignment", "role", "duty"),
                migrations.AlterField("taskassignment", "duty", _duty()),
                migrations.RenameField("historicaltaskassignment", "role", "duty"),
                migrations.AlterField("historicaltaskassignment", "duty", _duty()),
                migrations.AlterModelOptions(
                    name="taskassignment",
                    options={
                        "ordering": ["item_id", "duty", "pk"],
                        "verbose_name": "任务分工",
                        "verbose_name_plural": "任务分工",
                    },
                ),
            ],
            database_operations=[],
        )
    ]
