"""The cultivation pool (培育库): tiers from hand-built figures, the annual round's open/select/close with every
refusal writing nothing, the Sankey payload's counts, and who sees which part of the pool."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from county_innovation.common.actors import system
from county_innovation.common.errors import DomainError, ScopeError
from county_innovation.common.protection import deletion_permitted
from county_innovation.enterprises import cultivation_rules as cultivation
from county_innovation.enterprises import demo, services
from county_innovation.enterprises.charts import sankey_payload
from county_innovation.enterprises.cultivation_rules import CNY_PER_USD, tier_decide
from county_innovation.enterprises.demo import organisation_code
from county_innovation.enterprises.models import (
    CultivationRound,
    CultivationTier,
    Enterprise,
    EnterpriseYear,
    PoolEntry,
    Qualification,
)
from county_innovation.enterprises.services import (
    cultivation_round_close,
    cultivation_round_open,
    pool_entries_select,
)
from county_innovation.enterprises.tests.conftest import figures
from county_innovation.enterprises.validators import credit_code_check_character
from county_innovation.regions.models import Region


@pytest.fixture(autouse=True)
def _no_demo_rounds(db):
    """The session's demo opens a round for each demo year; these tests open their own."""
    from county_innovation.enterprises.models import CultivationRound

    CultivationRound.objects.all().delete()


YEAR = timezone.localdate().year - 1  # the last complete year; a round reads it and the two before


def firm(
    founded: date = date(2015, 3, 1), field: str = "electronic", listing: str = "unlisted"
) -> Enterprise:
    return Enterprise(name="手算测试企业", founded=founded, hightech_field=field, listing_status=listing)


def rows(*per_year: dict, **common: object) -> dict[int, EnterpriseYear]:
    """Three years ending with YEAR; ``per_year`` overrides each year's figures, oldest first."""
    years = [YEAR - 2, YEAR - 1, YEAR]
    per_year = per_year or ({}, {}, {})
    return {
        y: EnterpriseYear(year=y, **(figures(**common) | over))
        for y, over in zip(years, per_year, strict=True)
    }


def qualification(kind: str, valid_from: date, valid_to: date) -> Qualification:
    return Qualification(kind=kind, number="X", valid_from=valid_from, valid_to=valid_to)


CERTIFICATE = qualification("hightech", date(YEAR - 1, 6, 1), date(YEAR + 2, 5, 31))


# --- Tiers by hand-built figures ----------------------------------------------------------------------------


def test_hightech_figures_without_a_certificate_are_a_candidate_not_a_hightech():
    # 200 staff, 50 tech (25 % → 16 points), R&D 480 / sales 8,000 = 6 % (50), one Ⅰ类 IP (30): 科小 96 points;
    # every figure-decided condition of 第十一条 holds, but without a certificate the enterprise is no 高企 (and
    # so no 瞪羚): a tier only when its condition holds, and the gap says what is missing.
    decision = tier_decide(firm(), YEAR, years=rows(), qualifications=[])
    assert decision.evaluated
    assert decision.tier == CultivationTier.TECH_SME
    assert decision.basis == "符合科技型中小企业评价条件"
    assert decision.tech_sme_score == 96 and decision.hightech_failed == []
    assert decision.target_tier == CultivationTier.HIGHTECH and decision.near
    assert decision.gap == [cultivation.NO_CERTIFICATE_GAP]


def test_hightech_tier_never_beside_a_gap_saying_no_certificate(db):
    # With the certificate the same figures make a 高企 whose gap (to 瞪羚) is about growth, not the certificate.
    decision = tier_decide(firm(), YEAR, years=rows(), qualifications=[CERTIFICATE])
    assert decision.tier == CultivationTier.HIGHTECH and "资质" in decision.basis
    assert decision.target_tier == CultivationTier.GAZELLE
    assert not any("高企证书" in line or "不是高新技术企业" in line for line in decision.gap)


def test_near_criteria_state_one_gazelle_threshold_from_the_rules(db):
    pool_round = CultivationRound(year=YEAR, rules=cultivation.PoolRules().to_dict())
    text = "；".join(cultivation.near_criteria(pool_round))
    # The rule is 20 % a year; "almost" starts at 15 %: never "不低于 15%" as if 15 % were the requirement.
    assert "未达 20%（达标须不低于 20%）" in text and "已达 15%" in text
    assert "不低于 15%" not in text
    stricter = CultivationRound(
        year=YEAR,
        rules=cultivation.PoolRules(
            gazelle=cultivation.GazelleRules(min_revenue_growth=Decimal("0.30"))
        ).to_dict(),
    )
    assert "达标须不低于 30%" in "".join(cultivation.near_criteria(stricter))


def test_gazelle_at_exactly_twenty_percent_a_year_and_near_just_below():
    # 8,000 → 11,520 万元 is exactly 20 % a year (8,000 × 1.2²); a certified 高企 founded 2018 (≤ 10 years).
    def sales(last: str) -> tuple[dict, ...]:
        return tuple(
            {
                "sales_revenue": Decimal(s),
                "total_revenue": Decimal(s) + 200,
                "hightech_revenue": Decimal(8000),
            }
            for s in ("8000", "9600", last)
        )

    young = firm(founded=date(2018, 5, 1))
    at = tier_decide(young, YEAR, years=rows(*sales("11520")), qualifications=[CERTIFICATE])
    assert at.tier == CultivationTier.GAZELLE and at.basis == "符合瞪羚企业规则"
    below = tier_decide(young, YEAR, years=rows(*sales("11519.99")), qualifications=[CERTIFICATE])
    assert below.tier == CultivationTier.HIGHTECH
    assert below.near and below.target_tier == CultivationTier.GAZELLE
    assert len(below.gap) == 1 and "低于 20% 的要求" in below.gap[0] and "还差 0.01 万元" in below.gap[0]
    # 15 % a year (8,000 × 1.15² = 10,580) is the edge of "near"; below it the gap is no longer small
    far = tier_decide(young, YEAR, years=rows(*sales("10579.99")), qualifications=[CERTIFICATE])
    assert far.tier == CultivationTier.HIGHTECH and not far.near


def test_one_failed_hightech_condition_is_almost_qualifying():
    # 高新技术产品收入 4,000 / 8,200 = 48.78 % < 60 %: only 第十一条（六） fails; still a 科小 by 96 points.
    decision = tier_decide(firm(), YEAR, years=rows(hightech_revenue=Decimal(4000)), qualifications=[])
    assert decision.tier == CultivationTier.TECH_SME
    assert decision.hightech_failed == [6]
    assert decision.near and decision.target_tier == CultivationTier.HIGHTECH
    assert decision.gap == [
        "第十一条（六）：近一年高新技术产品（服务）收入占总收入 48.78%，低于 60% 的要求；"
        "按收入总额 8,200 万元至少需 4,920 万元，还差 920 万元"
    ]


@pytest.mark.parametrize(("class2", "score", "near"), [(3, 52, True), (2, 46, False)])
def test_tech_sme_score_from_fifty_is_almost_qualifying(class2, score, near):
    # 12 of 100 staff (12 % → 4), R&D 320 / sales 8,000 = 4 % (30; 320 / 7,000 of cost is below 10 %),
    # Ⅱ类 IP 3 → 18 or 2 → 12. Two 第十一条 conditions fail (field, high-tech revenue), so 高企 is not near.
    decision = tier_decide(
        firm(field=""),
        YEAR,
        years=rows(
            employees=100,
            tech_staff=12,
            rd_expense=Decimal(320),
            rd_expense_domestic=Decimal(320),
            ip_class1=0,
            ip_class2=class2,
            hightech_revenue=Decimal(4000),
        ),
        qualifications=[],
    )
    assert decision.tier == CultivationTier.NONE and decision.tech_sme_score == score
    assert decision.hightech_failed == [3, 6]
    assert decision.target_tier == CultivationTier.TECH_SME and decision.near is near
    assert decision.gap == [f"第六条（五）：综合评价得分 {score} 分，低于 60 分的要求，差 {60 - score} 分"]


def test_unicorn_above_ten_billion_dollars_potential_at_exactly_ten():
    def valuation(usd_yi: str) -> dict[int, EnterpriseYear]:
        # 亿美元 → 万元 at the round's rate
        return rows(valuation=Decimal(usd_yi) * CNY_PER_USD * 10000, financing_rounds=1)

    founded_2019 = firm(founded=date(2019, 4, 1))
    assert tier_decide(founded_2019, YEAR, years=valuation("10.01"), qualifications=[]).tier == "unicorn"
    # exactly 10亿美元 is not "超过"; at 6 years old and ≥ 1亿美元 it is a 潜在独角兽
    exactly = tier_decide(founded_2019, YEAR, years=valuation("10"), qualifications=[])
    assert (
        exactly.tier == CultivationTier.POTENTIAL_UNICORN and exactly.target_tier == CultivationTier.UNICORN
    )
    listed = firm(founded=date(2019, 4, 1), listing="chinext")
    assert (
        tier_decide(listed, YEAR, years=valuation("50"), qualifications=[]).tier == CultivationTier.TECH_SME
    )


def test_registered_qualification_valid_at_year_end_sets_the_tier():
    weak = rows(
        hightech_revenue=Decimal(0), tech_staff=5, rd_expense=Decimal(1), rd_expense_domestic=Decimal(1)
    )
    gazelle = qualification("gazelle", date(YEAR, 3, 1), date(YEAR + 1, 2, 28))
    decision = tier_decide(firm(field=""), YEAR, years=weak, qualifications=[gazelle])
    assert decision.tier == CultivationTier.GAZELLE and "资质" in decision.basis
    expired = qualification("gazelle", date(YEAR - 1, 3, 1), date(YEAR, 12, 30))
    assert (
        tier_decide(firm(field=""), YEAR, years=weak, qualifications=[expired]).tier
        != CultivationTier.GAZELLE
    )


def test_missing_years_leave_the_qualifications_alone_to_decide():
    only_last = {YEAR: EnterpriseYear(year=YEAR, **figures())}
    sme = qualification("tech_sme", date(YEAR, 4, 1), date(YEAR, 12, 31))
    decision = tier_decide(firm(), YEAR, years=only_last, qualifications=[sme])
    assert not decision.evaluated and decision.tier == CultivationTier.TECH_SME
    assert "缺少" in decision.gap[0] and f"{YEAR - 2}" in decision.gap[0]


# --- The round: open, select, close; refusals write nothing -------------------------------------------------


def pool_rows() -> tuple[int, int, int]:
    return (
        CultivationRound.objects.count(),
        PoolEntry.objects.count(),
        PoolEntry.objects.filter(selected=True).count(),
    )


def test_round_places_every_enterprise_then_selection_by_scope_then_frozen(users, firm, other_firm):
    pool_round = cultivation_round_open(actor=users["city_admin"], year=YEAR, note="试点")
    entries = {e.enterprise_id: e for e in pool_round.entries.all()}
    assert len(entries) == Enterprise.objects.filter(founded__lte=date(YEAR, 12, 31)).count()
    mine, theirs = entries[firm.pk], entries[other_firm.pk]
    # its 高新技术产品收入 6,000 of 10,660 万元 (56.28 %) fails 第十一条（六） alone: a 科小 near 高企
    assert mine.evaluated and mine.tier == CultivationTier.TECH_SME and mine.previous_tier == ""
    assert mine.hightech_failed == [6] and mine.near and mine.target_tier == CultivationTier.HIGHTECH
    assert not theirs.evaluated and "缺少" in theirs.gap  # 进贤 firm has the last year only

    county = users["county"]  # 南昌县
    assert pool_entries_select(actor=county, pool_round=pool_round, entry_ids=[mine.pk]) == 1
    before = pool_rows()
    with pytest.raises(ScopeError, match="进贤测试材料有限公司"):
        pool_entries_select(
            actor=county, pool_round=pool_round, entry_ids=[mine.pk, theirs.pk], selected=False
        )
    assert pool_rows() == before and PoolEntry.objects.get(pk=mine.pk).selected
    pool_entries_select(actor=users["city_admin"], pool_round=pool_round, entry_ids=[theirs.pk])
    assert PoolEntry.objects.get(pk=theirs.pk).selected_by == users["city_admin"]

    with pytest.raises(ScopeError, match="只有市科技局管理员"):
        cultivation_round_close(actor=county, pool_round=pool_round)
    cultivation_round_close(actor=users["city_admin"], pool_round=pool_round)
    before = pool_rows()
    with pytest.raises(DomainError, match="已关闭，名单已冻结"):
        pool_entries_select(
            actor=users["city_admin"], pool_round=pool_round, entry_ids=[mine.pk], selected=False
        )
    with pytest.raises(DomainError, match="无需重复关闭"):
        cultivation_round_close(actor=users["city_admin"], pool_round=pool_round)
    assert pool_rows() == before and PoolEntry.objects.get(pk=mine.pk).selected


def test_bad_rounds_are_refused_and_nothing_is_written(users, firm):
    cultivation_round_open(actor=system("测试"), year=YEAR)
    before = pool_rows()
    with pytest.raises(DomainError, match=f"{YEAR} 年度的遴选已于 .* 开启.*不能重复开启"):
        cultivation_round_open(actor=users["city_admin"], year=YEAR)
    with pytest.raises(DomainError, match="没有任何企业填报 1999 年的数据"):
        cultivation_round_open(actor=users["city_admin"], year=1999)
    with pytest.raises(ScopeError, match="只有市科技局管理员可以开启年度遴选"):
        cultivation_round_open(actor=users["county"], year=YEAR - 1)
    pool_round = CultivationRound.objects.get(year=YEAR)
    with pytest.raises(DomainError, match="请至少勾选"):
        pool_entries_select(actor=system("测试"), pool_round=pool_round, entry_ids=[])
    with pytest.raises(DomainError, match="不在"):
        pool_entries_select(
            actor=system("测试"), pool_round=pool_round, entry_ids=[pool_round.entries.first().pk, -1]
        )
    assert pool_rows() == before


# --- Movement between tiers ----------------------------------------------------------------------------------


def code(serial: int) -> str:
    first17 = f"91360100{serial:08d}"
    first17 = first17[:8] + organisation_code(first17[8:16])
    return first17 + credit_code_check_character(first17)


def _registered(name: str, code: str, town: str, per_year: dict[int, dict]) -> Enterprise:
    enterprise = services.enterprise_create(
        actor=system("测试"),
        credit_code=code,
        name=name,
        town=Region.objects.get(code=town),
        founded=date(2015, 1, 1),
        hightech_field="electronic",
    )
    for year, over in per_year.items():
        services.enterprise_year_save(
            actor=system("测试"), enterprise=enterprise, year=year, figures=figures(**over)
        )
    return enterprise


def _certify(enterprise: Enterprise, valid_from: date) -> None:
    Qualification.objects.create(
        enterprise=enterprise,
        kind="hightech",
        number=f"GR{enterprise.pk:06d}",
        valid_from=valid_from,
        valid_to=date(valid_from.year + 3, valid_from.month, valid_from.day) - timedelta(days=1),
    )


def test_sankey_flows_add_up_to_the_rounds_entries(db):
    with deletion_permitted("test setup"):
        Enterprise.objects.all().delete()  # only the enterprises built here (rolled back after the test)
    first, second = YEAR - 1, YEAR
    four = range(YEAR - 3, YEAR + 1)
    weak = {"hightech_revenue": Decimal(4000)}  # 第十一条（六） fails: 科小 only
    a = _registered("甲", code(1), "360121100", {y: {} for y in four})  # 高企 → 高企
    _certify(a, date(YEAR - 2, 6, 1))
    b = _registered("乙", code(2), "360121100", {y: weak if y < YEAR else {} for y in four})
    c = _registered("丙", code(3), "360124100", {y: weak for y in four})  # 科小 → 科小
    cultivation_round_open(actor=system("测试"), year=first)
    # registered after the first round: counted in the second round's node, part of no link
    d = _registered("丁", code(4), "360124100", {y: {} for y in four})
    _certify(d, date(YEAR, 3, 1))
    _certify(b, date(YEAR, 9, 1))  # 乙 meets 第十一条 in YEAR and is certified that year
    second_round = cultivation_round_open(actor=system("测试"), year=second)

    tiers = {e.enterprise_id: (e.previous_tier, e.tier) for e in second_round.entries.all()}
    assert tiers[a.pk] == ("hightech", "hightech")
    assert tiers[c.pk] == ("tech_sme", "tech_sme")
    assert tiers[d.pk] == ("", "hightech")
    # b: 乙's high-tech revenue recovers in YEAR and it is certified in YEAR: 高企 then
    assert tiers[b.pk] == ("tech_sme", "hightech")

    payload = sankey_payload(None)
    nodes = {n["name"]: n["count"] for n in payload["nodes"]}
    links = {(link["source"], link["target"]): link["value"] for link in payload["links"]}
    assert nodes == {
        f"{first}·高新技术企业": 1,
        f"{first}·科技型中小企业": 2,
        f"{second}·高新技术企业": 3,
        f"{second}·科技型中小企业": 1,
    }
    assert links == {
        (f"{first}·科技型中小企业", f"{second}·科技型中小企业"): 1,
        (f"{first}·科技型中小企业", f"{second}·高新技术企业"): 1,
        (f"{first}·高新技术企业", f"{second}·高新技术企业"): 1,
    }
    for name, count in nodes.items():
        out = sum(v for (s, _), v in links.items() if s == name)
        into = sum(v for (_, t), v in links.items() if t == name)
        if name.startswith(str(first)):
            assert out == count  # everyone of the first round is in the second
        else:
            assert into == count - (1 if name == f"{second}·高新技术企业" else 0)  # 丁 has no source
    assert {n["depth"] for n in payload["nodes"] if n["year"] == first} == {0}

    jinxian = sankey_payload(Region.objects.get(code="360124"))  # 丙 and 丁 only
    assert {n["name"]: n["count"] for n in jinxian["nodes"]} == {
        f"{first}·科技型中小企业": 1,
        f"{second}·科技型中小企业": 1,
        f"{second}·高新技术企业": 1,
    }
    assert [link["value"] for link in jinxian["links"]] == [1]


# --- Pages and privacy ----------------------------------------------------------------------------------------


@pytest.fixture
def pool(users, firm, other_firm):
    return cultivation_round_open(actor=system("测试"), year=YEAR)


def test_county_officer_sees_its_county_and_city_admin_all(client_for, pool, firm, other_firm):
    url = reverse("enterprises:pool_round", args=[YEAR])
    county = client_for("county").get(url).content.decode()
    assert firm.name in county and other_firm.name not in county
    assert client_for("county").get(url, {"county": "360124"}).status_code == 403
    admin = client_for("city_admin").get(url).content.decode()
    assert firm.name in admin and other_firm.name in admin
    only_jinxian = client_for("city_admin").get(url, {"county": "360124"}).content.decode()
    assert other_firm.name in only_jinxian and firm.name not in only_jinxian
    sme = client_for("city_admin").get(url, {"tier": "tech_sme"}).content.decode()
    assert firm.name in sme and other_firm.name not in sme


@pytest.mark.parametrize("role", ["department", "town", "other_town", "expert", "enterprise"])
def test_pool_pages_are_closed_to_roles_without_figures(client_for, pool, role):
    client = client_for(role)
    for name, args in [
        ("enterprises:pool", []),
        ("enterprises:pool_round", [YEAR]),
        ("enterprises:pool_near", [YEAR]),
        ("enterprises:pool_flows", []),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 403 and "无权查看培育库" in response.content.decode()


def test_near_page_lists_the_gap_in_the_rules_words(client_for, users, firm, other_firm):
    services.enterprise_year_save(
        actor=system("测试"), enterprise=firm, year=YEAR, figures=figures(hightech_revenue=Decimal(4000))
    )
    cultivation_round_open(actor=system("测试"), year=YEAR)
    page = client_for("county").get(reverse("enterprises:pool_near", args=[YEAR])).content.decode()
    assert firm.name in page and "第十一条（六）" in page and "低于 60% 的要求" in page
    assert other_firm.name not in page
    assert "不低于 15%" not in page and "达标须不低于 20%" in page


def test_flows_page_draws_the_sankey_from_the_payload(client_for, pool):
    page = client_for("city_admin").get(reverse("enterprises:pool_flows")).content.decode()
    assert 'data-chart="sankey"' in page and "echarts" in page
    start = page.index('<script id="sankey-data" type="application/json">') + len(
        '<script id="sankey-data" type="application/json">'
    )
    data = json.loads(page[start : page.index("</script>", start)])
    assert sum(n["count"] for n in data["nodes"]) == pool.entries.count()


def test_open_select_close_through_the_pages(client_for, users, firm, other_firm):
    admin = client_for("city_admin")
    response = admin.post(reverse("enterprises:pool_open"), {"year": YEAR, "note": "页面开启"})
    assert response.status_code == 302
    again = admin.post(reverse("enterprises:pool_open"), {"year": YEAR})
    assert again.status_code == 400 and "不能重复开启" in again.content.decode()
    pool_round = CultivationRound.objects.get(year=YEAR)
    mine = pool_round.entries.get(enterprise=firm)
    theirs = pool_round.entries.get(enterprise=other_firm)

    county = client_for("county")
    select = reverse("enterprises:pool_select", args=[YEAR])
    assert county.post(select, {"entry": [mine.pk], "action": "select"}).status_code == 302
    assert PoolEntry.objects.get(pk=mine.pk).selected
    refused = county.post(select, {"entry": [theirs.pk], "action": "select"})
    assert refused.status_code == 403 and not PoolEntry.objects.get(pk=theirs.pk).selected
    assert county.post(reverse("enterprises:pool_close", args=[YEAR])).status_code == 403

    admin = client_for("city_admin")
    assert admin.post(reverse("enterprises:pool_close", args=[YEAR])).status_code == 302
    frozen = admin.post(select, {"entry": [mine.pk], "action": "unselect"}, follow=True)
    assert "名单已冻结" in frozen.content.decode() and PoolEntry.objects.get(pk=mine.pk).selected


def test_demo_rounds_give_the_sankey_flows(db):
    rounds = demo.cultivation_demo_load()
    years = sorted(
        set(EnterpriseYear.objects.filter(enterprise__is_demo=True).values_list("year", flat=True))
    )
    assert [r.year for r in rounds] == years[-3:] and len(rounds) == 3
    assert [r.status for r in CultivationRound.objects.order_by("year")] == ["closed", "closed", "open"]
    payload = sankey_payload(None)
    demo_entries = PoolEntry.objects.filter(round__year=rounds[0].year).count()
    first_out = sum(
        link["value"] for link in payload["links"] if link["source"].startswith(str(rounds[0].year))
    )
    assert first_out == demo_entries  # every enterprise of the first round is in the second
    assert PoolEntry.objects.filter(round=rounds[0], evaluated=True).count() > 0
    assert PoolEntry.objects.filter(selected=True).exists()
