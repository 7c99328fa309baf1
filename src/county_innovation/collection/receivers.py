"""Collection's answers to what the apps below it announce (connected in ``CollectionConfig.ready``)."""

from county_innovation.collection.services.rules import rules_copy
from county_innovation.common.actors import system


def framework_rules_copy(sender, *, source, target, **kwargs) -> None:
    """A new framework version keeps its predecessor's validation rules (a rule about a removed indicator
    stays behind): the copy goes with the version, whoever created it."""
    rules_copy(source, target, actor=system("随指标体系新版本复制校验规则"))
