"""Chart payloads of the enterprises pages: the cultivation pool's movement between tiers (sankey)."""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import pairwise

from county_innovation.enterprises.cultivation_rules import TIER_LABELS
from county_innovation.enterprises.models import TIER_ORDER, CultivationRound, CultivationTier, PoolEntry
from county_innovation.regions.models import Region


def sankey_payload(county: Region | None) -> dict:
    """Movement between tiers across the years that have rounds, as the ``sankey`` chart of web/charts.js reads it.

    Nodes are「年度·梯队」with the number of enterprises of that tier in that round; a link counts the enterprises
    in one tier in a round and in a tier in the next round. An enterprise missing from one of two consecutive
    rounds (registered later, or removed) adds to a node but to no link between them.
    """
    rounds = list(CultivationRound.objects.order_by("year"))
    tiers: dict[int, dict[int, str]] = defaultdict(dict)  # round year → enterprise → tier
    entries = PoolEntry.objects.filter(round__in=rounds)
    if county is not None:
        entries = entries.filter(enterprise__town__code__startswith=county.prefix)
    for year, enterprise_id, tier in entries.values_list("round__year", "enterprise_id", "tier"):
        tiers[year][enterprise_id] = tier

    def name(year: int, tier: str) -> str:
        return f"{year}·{TIER_LABELS[tier]}"

    nodes = []
    for depth, pool_round in enumerate(rounds):
        counts = Counter(tiers[pool_round.year].values())
        for tier in CultivationTier.values:
            if counts[tier]:
                nodes.append(
                    {
                        "name": name(pool_round.year, tier),
                        "year": pool_round.year,
                        "tier": tier,
                        "tier_index": TIER_ORDER[tier],
                        "depth": depth,
                        "count": counts[tier],
                    }
                )
    links = []
    for before, after in pairwise(rounds):
        flows = Counter(
            (tier, tiers[after.year][enterprise_id])
            for enterprise_id, tier in tiers[before.year].items()
            if enterprise_id in tiers[after.year]
        )
        for (source, target), value in sorted(
            flows.items(), key=lambda kv: (TIER_ORDER[kv[0][0]], TIER_ORDER[kv[0][1]])
        ):
            links.append(
                {"source": name(before.year, source), "target": name(after.year, target), "value": value}
            )
    years = [r.year for r in rounds]
    return {
        "title": f"{county.name if county else '全市'}科技企业培育梯队流动",
        "subtitle": f"{years[0]}–{years[-1]} 年度遴选，连线宽度为企业数" if years else "尚无年度遴选",
        "nodes": nodes,
        "links": links,
    }
