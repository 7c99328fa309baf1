from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "county_innovation.regions"
    label = "regions"
    verbose_name = "行政区划"
