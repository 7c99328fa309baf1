from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "county_innovation.evaluation"
    label = "evaluation"
    verbose_name = "监测评价"
