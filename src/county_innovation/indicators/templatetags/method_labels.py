"""Template filters over ``indicators.methods``: ``{% load method_labels %}{{ run.method_spec|method_summary }}``."""

from django import template

from county_innovation.indicators import methods

register = template.Library()


@register.filter
def method_summary(spec: dict | None) -> str:
    return methods.method_summary(spec)


@register.filter
def method_steps(spec: dict | None) -> list[tuple[str, str]]:
    return methods.method_steps(spec or {})


@register.filter
def robustness_options(options: list[str] | None) -> str:
    return "、".join(methods.robustness_option_label(o) for o in options or [])
