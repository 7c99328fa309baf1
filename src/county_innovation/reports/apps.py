from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "county_innovation.reports"
    label = "reports"
    verbose_name = "通报与档案"

    def ready(self) -> None:
        from county_innovation.evaluation.signals import run_published
        from county_innovation.reports.receivers import bulletin_after_publish

        run_published.connect(bulletin_after_publish, dispatch_uid="reports.bulletin_after_publish")
