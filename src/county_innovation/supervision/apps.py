from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "county_innovation.supervision"
    label = "supervision"
    verbose_name = "重点任务督办"
