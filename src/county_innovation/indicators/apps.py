from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "county_innovation.indicators"
    label = "indicators"
    verbose_name = "指标与评价体系"
