"""DemoDataset now belongs to common (common 0001): the web app forgets it; the table stays."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("web", "0001_initial"), ("common", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="DemoDataset")], database_operations=[]
        )
    ]
