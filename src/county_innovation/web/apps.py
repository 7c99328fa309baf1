from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "county_innovation.web"
    label = "web"
    verbose_name = "平台界面"
