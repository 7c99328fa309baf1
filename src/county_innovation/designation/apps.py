from django.apps import AppConfig


class DesignationConfig(AppConfig):
    name = "county_innovation.designation"
    label = "designation"
    verbose_name = "创新型县（区）、乡（镇）认定"
