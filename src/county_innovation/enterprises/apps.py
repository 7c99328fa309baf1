from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "county_innovation.enterprises"
    label = "enterprises"
    verbose_name = "科技企业"
