"""Reads of indicators, frameworks and data values."""

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import QuerySet

from county_innovation.engine import Hierarchy, Node
from county_innovation.indicators.models import DataValue, Framework, FrameworkNode, Indicator
from county_innovation.regions.models import Region


def framework_latest(code: str) -> Framework | None:
    """The newest version of a framework code that is not a draft."""
    return (
        Framework.objects.filter(code=code)
        .exclude(status=Framework.Status.DRAFT)
        .order_by("-version")
        .first()
    )


def framework_nodes(framework: Framework) -> list[FrameworkNode]:
    return list(framework.nodes.select_related("indicator", "parent").order_by("position", "code"))


def framework_dimensions(framework: Framework) -> list[tuple[FrameworkNode, list[FrameworkNode]]]:
    """[(dimension node, [indicator leaf nodes])] in display order."""
    nodes = framework_nodes(framework)
    root = next(n for n in nodes if n.parent_id is None)
    dims = [n for n in nodes if n.parent_id == root.pk]
    return [(d, [n for n in nodes if n.parent_id == d.pk]) for d in dims]


def framework_indicators(framework: Framework) -> list[Indicator]:
    return [leaf.indicator for _, leaves in framework_dimensions(framework) for leaf in leaves]


def framework_hierarchy(framework: Framework) -> Hierarchy:
    """The framework tree in the engine's terms: leaves are named by indicator code."""
    nodes = framework_nodes(framework)
    by_pk = {n.pk: n for n in nodes}

    def engine_code(node: FrameworkNode) -> str:
        return node.indicator.code if node.indicator_id else node.code

    return Hierarchy(
        [
            Node(
                code=engine_code(n),
                parent=engine_code(by_pk[n.parent_id]) if n.parent_id else None,
                weight=float(n.weight),
                direction=n.indicator.direction if n.indicator_id else 1,
                name=n.name,
            )
            for n in nodes
        ]
    )


def data_values_for(
    *, regions: Iterable[Region], period: int, indicators: Iterable[Indicator]
) -> dict[tuple[str, str], Decimal]:
    """{(region code, indicator code): value} for the given regions, period and indicators."""
    rows = DataValue.objects.filter(
        region__in=list(regions), period=period, indicator__in=list(indicators)
    ).values_list("region_id", "indicator__code", "value")
    return {(r, i): v for r, i, v in rows}


def data_values_queryset(*, regions: QuerySet[Region], period: int | None = None) -> QuerySet[DataValue]:
    qs = DataValue.objects.filter(region__in=regions).select_related("indicator", "region")
    if period is not None:
        qs = qs.filter(period=period)
    return qs


def periods_with_data(framework: Framework) -> list[int]:
    return sorted(
        DataValue.objects.filter(indicator__in=framework_indicators(framework))
        .values_list("period", flat=True)
        .distinct()
    )
