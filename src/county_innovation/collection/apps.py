from django.apps import AppConfig


class CollectionConfig(AppConfig):
    name = "county_innovation.collection"
    label = "collection"
    verbose_name = "数据填报"

    def ready(self) -> None:
        from county_innovation.collection.receivers import framework_rules_copy
        from county_innovation.indicators.signals import framework_version_created

        framework_version_created.connect(
            framework_rules_copy, dispatch_uid="collection-framework-rules-copy"
        )
