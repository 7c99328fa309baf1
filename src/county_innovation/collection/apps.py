from django.apps import AppConfig


class CollectionConfig(AppConfig):
    name = "county_innovation.collection"
    label = "collection"
    verbose_name = "数据填报"

    def ready(self) -> None:
        # A new framework version takes over the validation rules of the version it was made from.
        from county_innovation.collection.rules import rules_copy
        from county_innovation.indicators.signals import framework_version_created

        def copy_rules(sender, *, source, version, **kwargs) -> None:
            rules_copy(source, version)

        framework_version_created.connect(copy_rules, weak=False, dispatch_uid="collection.rules_copy")
