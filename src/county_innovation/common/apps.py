from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Shared pieces at the bottom of the apps: its commands (jobs, backup, restore, the worker wrapper) and the one platform-wide table (the demo marking)."""

    name = "county_innovation.common"
    label = "common"
    verbose_name = "平台公共部分"

    def ready(self) -> None:
        from county_innovation.common.protection import protection_connect

        protection_connect()
