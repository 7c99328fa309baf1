from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "county_innovation.reports"
    label = "reports"
    verbose_name = "通报与档案"
