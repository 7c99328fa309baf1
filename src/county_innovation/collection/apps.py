from django.apps import AppConfig


class CollectionConfig(AppConfig):
    name = "county_innovation.collection"
    label = "collection"
    verbose_name = "数据填报"
