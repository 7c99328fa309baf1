from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "county_innovation.enterprises"
    label = "enterprises"
    verbose_name = "科技企业"

    def ready(self) -> None:
        from county_innovation.collection.publishing import registry_register
        from county_innovation.enterprises.publishing import enterprise_figures

        registry_register("enterprises", enterprise_figures)
