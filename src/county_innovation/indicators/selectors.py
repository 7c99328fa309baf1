"""Reads of indicators, frameworks and data values."""

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from county_innovation.engine import Hierarchy, Node
from county_innovation.indicators.models import DataValue, Framework, FrameworkNode, Indicator, Origin
from county_innovation.regions.models import Region, RegionGroup


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
    """{(region code, indicator code): value} for the given regions, period and indicators.

    A formula indicator is evaluated here, when read, from its operands' stored values:
    numerator ÷ denominator × factor, absent when an operand is missing or the denominator is zero.
    """
    indicators = list(indicators)
    regions = list(regions)
    formulas = [i for i in indicators if i.origin == Origin.FORMULA and i.numerator_id and i.denominator_id]
    stored_ids = {i.pk for i in indicators if i not in formulas}
    stored_ids |= {f.numerator_id for f in formulas} | {f.denominator_id for f in formulas}
    rows = DataValue.objects.filter(
        region__in=regions, period=period, indicator_id__in=stored_ids
    ).values_list("region_id", "indicator_id", "indicator__code", "value")
    by_id: dict[tuple[str, int], Decimal] = {}
    wanted = {i.pk for i in indicators if i not in formulas}
    result: dict[tuple[str, str], Decimal] = {}
    for region, ind_id, code, value in rows:
        by_id[(region, ind_id)] = value
        if ind_id in wanted:
            result[(region, code)] = value
    for f in formulas:
        for region in {r.code if isinstance(r, Region) else r for r in regions}:
            value = formula_value(
                f, by_id.get((region, f.numerator_id)), by_id.get((region, f.denominator_id))
            )
            if value is not None:
                result[(region, f.code)] = value
    return result


FORMULA_PLACES = Decimal("0.000001")


def formula_value(
    indicator: Indicator, numerator: Decimal | None, denominator: Decimal | None
) -> Decimal | None:
    """numerator ÷ denominator × factor in decimal arithmetic, to 6 places; None when it cannot be computed."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return (numerator / denominator * indicator.factor).quantize(FORMULA_PLACES)


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


def region_group_totals(group: RegionGroup, period: int) -> list[tuple[str, str, float, int]]:
    """Sums of the additive town indicators over a group's members: [(name, unit, total, towns reporting)]."""
    rows = (
        DataValue.objects.filter(
            region__in=group.members.all(), period=period, indicator__additive=True, indicator__level="town"
        )
        .values("indicator__name", "indicator__unit", "indicator__code")
        .annotate(total=Sum("value"), n=Count("region"))
        .order_by("indicator__code")
    )
    return [(r["indicator__name"], r["indicator__unit"], float(r["total"]), r["n"]) for r in rows]
