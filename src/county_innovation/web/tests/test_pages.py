"""The monitoring pages: the city dashboard, the county page and the town page, for every role."""

import json
import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from county_innovation.evaluation import charts, rankings
from county_innovation.evaluation.models import EvaluationRun, RegionResult

ROLES = ["city_admin", "department", "county", "other_county", "town", "other_town", "expert", "enterprise"]


def _latest(framework_code: str) -> EvaluationRun:
    return (
        EvaluationRun.objects.filter(framework__code=framework_code, status=EvaluationRun.Status.PUBLISHED)
        .order_by("-period")
        .first()
    )


def _json(html: str, element_id: str) -> dict:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"no json_script #{element_id}"
    return json.loads(match.group(1))


def _ranking_rows(html: str) -> dict[str, str]:
    """{region code: the text of its ranking-table row}."""
    rows = re.findall(r'<tr data-region="(\d+)"[^>]*>(.*?)</tr>', html, re.S)
    return {code: re.sub(r"<[^>]+>", " ", body) for code, body in rows}


# ---- access ----


@pytest.mark.parametrize("url", ["/", "/regions/360121/", "/regions/360121100/", "/geo/counties.json"])
def test_anonymous_visitor_is_sent_to_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_unknown_region_is_a_chinese_404(client_for):
    response = client_for("town").get("/regions/999999/")
    assert response.status_code == 404
    assert "未找到区划代码为「999999」" in response.content.decode()


def test_city_code_leads_to_the_dashboard(client_for):
    response = client_for("county").get("/regions/360100/")
    assert response.status_code == 302 and response.url == reverse("web:dashboard")


# ---- dashboard ----


def test_dashboard_renders_for_every_role_with_the_published_ranking(demo, users, client):
    run = _latest("county")
    results = {r.region_id: r for r in run.results.all()}
    for role in ROLES:
        client.force_login(users[role])
        html = client.get("/").content.decode()
        assert 'data-testid="demo-banner"' in html and "演示数据" in html, role
        rows = _ranking_rows(html)
        assert set(rows) == set(results), role
        for code, result in results.items():
            assert f"{result.index:.2f}" in rows[code]
            assert f"{result.dimension_scores['input']:.2f}" in rows[code]
        assert f"{run.period}年" in html


def test_dashboard_lists_counties_in_rank_order_with_rank_change(demo, client_for):
    run = _latest("county")
    previous = EvaluationRun.objects.get(
        framework__code="county", period=run.period - 1, status=EvaluationRun.Status.PUBLISHED
    )
    html = client_for("city_admin").get("/").content.decode()
    order = list(_ranking_rows(html))
    expected = [r.region_id for r in sorted(run.results.all(), key=lambda r: r.rank)]
    assert order == expected
    before = dict(previous.results.values_list("region_id", "rank"))
    rows = _ranking_rows(html)
    for result in run.results.all():
        change = before[result.region_id] - result.rank
        if change > 0:
            assert f"↑{change}" in rows[result.region_id]
        elif change < 0:
            assert f"↓{-change}" in rows[result.region_id]
        else:
            assert "持平" in rows[result.region_id]


def test_dashboard_kpis_show_units_period_method_and_availability(demo, client_for):
    run = _latest("county")
    html = client_for("county").get("/").content.decode()
    availability = sum(r.availability for r in run.results.all()) / run.results.count() * 100
    assert "参评县（区）数" in html and "最小-最大标准化（0–100） · 按指标体系权重 · 加权算术平均" in html
    assert f"{availability:.1f}" in html
    assert re.search(r'data-testid="kpi-units">9<small> / 9', html)


def test_dashboard_stack_sums_to_the_index_of_each_county(demo, client_for):
    run = _latest("county")
    html = client_for("county").get("/").content.decode()
    stack = _json(html, "stack-data")
    names = {r.region.name: r for r in run.results.select_related("region")}
    assert [s["name"] for s in stack["series"]] == ["创新投入", "企业创新", "创新环境", "创新绩效"]
    assert stack["x_name"] and stack["y_name"] and stack["title"]
    for i, name in enumerate(stack["categories"]):
        total = sum(s["data"][i] for s in stack["series"])
        assert total == pytest.approx(names[name].index)


def test_stack_segment_is_effective_dimension_weight_times_score(demo):
    # With every indicator present, a dimension's contribution is its normalised weight × its score.
    run = _latest("county")
    ranking = rankings.ranking(level="county", scope=run.scope, period=run.period)
    complete = [r for r in ranking.rows if all(v is not None for v in r.result.normalised.values())]
    assert complete, "the demo should have a county with complete data"
    for row in complete:
        for d, part, score in zip(ranking.dimensions, row.contributions, row.scores, strict=True):
            assert part == pytest.approx(d.weight * score)


def test_dashboard_trend_has_every_published_year_per_county(demo, client_for):
    html = client_for("county").get("/").content.decode()
    trend = _json(html, "trend-data")
    assert trend["periods"] == ["2020", "2021", "2022", "2023", "2024"]
    nanchang = next(s for s in trend["series"] if s["name"] == "南昌县")
    expected = [
        RegionResult.objects.get(
            run__framework__code="county", run__period=p, run__status="published", region_id="360121"
        ).index
        for p in range(2020, 2025)
    ]
    assert nanchang["data"] == pytest.approx(expected)
    assert trend["x_name"] == "年度" and trend["y_name"] == "综合指数"


def test_dashboard_for_an_earlier_period(demo, client_for):
    run = RegionResult.objects.get(
        run__framework__code="county", run__period=2021, run__status="published", region_id="360124"
    )
    html = client_for("county").get("/", {"period": 2021}).content.decode()
    assert f"{run.index:.2f}" in _ranking_rows(html)["360124"]
    assert "2021年" in html


def test_dashboard_falls_back_to_latest_for_an_unpublished_period(demo, client_for):
    html = client_for("county").get("/", {"period": 2019}).content.decode()
    assert "2019年尚无已发布的评价结果" in html
    assert "2024年" in html


def test_tile_cartogram_places_nanchang_by_geography(demo, client_for, settings):
    settings.COUNTY_INNOVATION_GEOJSON = ""
    html = client_for("county").get("/").content.decode()
    tiles = _json(html, "map-data")
    assert tiles["mode"] == "tiles" and tiles["geo_url"] is None
    at = {i["name"]: (i["x"], i["y"]) for i in tiles["items"]}
    assert at["安义县"] == (0, 0)  # north-west
    assert (
        at["进贤县"][0] > at["南昌县"][0] and at["南昌县"][1] > at["东湖区"][1]
    )  # SE of, and south of centre
    results = {r.region_id: r for r in _latest("county").results.all()}
    for item in tiles["items"]:
        assert item["value"] == pytest.approx(results[item["code"]].index)
        assert item["rank"] == results[item["code"]].rank
        assert item["url"] == f"/regions/{item['code']}/"


def test_tile_cartogram_of_another_city_is_a_grid_in_code_order():
    from county_innovation.regions.models import Region

    counties = [Region(code=f"3602{i:02d}", name=f"县{i}", level="county") for i in (5, 1, 3, 2)]
    tiles = charts.county_map(counties=counties, values={}, ranks={}, title="t", value_name="v", geo_url=None)
    at = {i["code"]: (i["x"], i["y"]) for i in tiles["items"]}
    assert at == {"360201": (0, 0), "360202": (1, 0), "360203": (0, 1), "360205": (1, 1)}


def test_geojson_map_when_a_boundary_file_is_configured(demo, client_for, settings, tmp_path):
    geojson = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "360121", "name": "南昌县"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[115.9, 28.5], [116.1, 28.5], [116.1, 28.7], [115.9, 28.5]]],
                },
            },
        ],
    }
    path = tmp_path / "counties.geojson"
    path.write_text(json.dumps(geojson, ensure_ascii=False), encoding="utf-8")
    settings.COUNTY_INNOVATION_GEOJSON = str(path)
    client = client_for("town")
    payload = _json(client.get("/").content.decode(), "map-data")
    assert payload["mode"] == "geo" and payload["geo_url"] == "/geo/counties.json"
    served = client.get("/geo/counties.json")
    assert served.status_code == 200
    assert json.loads(served.content)["features"][0]["properties"]["code"] == "360121"


def test_geojson_view_is_404_without_a_boundary_file(client_for, settings):
    settings.COUNTY_INNOVATION_GEOJSON = ""
    response = client_for("county").get("/geo/counties.json")
    assert response.status_code == 404 and "未配置县（区）边界地图文件" in response.content.decode()


def test_town_level_ranks_every_town_and_charts_the_top_20(demo, client_for):
    run = _latest("town")
    html = client_for("town").get("/", {"level": "town"}).content.decode()
    rows = _ranking_rows(html)
    assert len(rows) == run.results.count() == 139
    stack = _json(html, "stack-data")
    assert len(stack["categories"]) == 20
    top = run.results.filter(rank__isnull=False).select_related("region").order_by("rank")[:20]
    assert stack["categories"] == [r.region.name for r in top]
    assert "前20名" in stack["title"]


def test_town_level_can_be_filtered_by_county(demo, client_for):
    html = client_for("county").get("/", {"level": "town", "county": "360124"}).content.decode()
    rows = _ranking_rows(html)
    assert rows and all(code.startswith("360124") for code in rows)
    assert len(rows) == 23


def test_unranked_region_is_flagged_as_short_of_data(demo, client_for):
    run = _latest("county")
    result = run.results.get(region_id="360123")
    result.rank, result.index = None, None
    result.save()
    html = client_for("county").get("/").content.decode()
    assert "数据不足" in _ranking_rows(html)["360123"]


def test_dashboard_empty_state_tells_the_city_admin_to_run_an_evaluation(no_demo, users, client):
    client.force_login(users["city_admin"])
    html = client.get("/").content.decode()
    assert 'data-testid="empty-state"' in html
    assert "尚无已发布的县（区）评价结果" in html and "运行一次评价" in html
    client.force_login(users["county"])
    html = client.get("/").content.decode()
    assert "尚无已发布的" in html and "运行一次评价" not in html and "市科技局发布评价结果后" in html


def test_no_demo_label_without_demo_data(no_demo, client_for):
    html = client_for("county").get("/").content.decode()
    assert 'data-testid="demo-banner"' not in html


# ---- county page ----


def test_county_page_renders_for_every_role_with_its_result(demo, users, client):
    run = _latest("county")
    result = run.results.get(region_id="360121")
    for role in ROLES:
        client.force_login(users[role])
        html = client.get("/regions/360121/").content.decode()
        assert "南昌县" in html and 'data-testid="demo-banner"' in html, role
        assert re.search(rf'data-testid="kpi-index">{result.index:.2f}<', html), role
        assert re.search(rf'data-testid="kpi-rank">{result.rank}<small> / 9', html), role


def test_county_page_radar_compares_dimensions_with_the_city_average(demo, client_for):
    run = _latest("county")
    results = list(run.results.all())
    html = client_for("county").get("/regions/360121/").content.decode()
    radar = _json(html, "dimension-data")
    mine = next(r for r in results if r.region_id == "360121")
    assert radar["indicators"] == ["创新投入", "企业创新", "创新环境", "创新绩效"]
    assert radar["series"][0]["data"] == pytest.approx(list(mine.dimension_scores.values()))
    average = [sum(r.dimension_scores[d] for r in results) / len(results) for d in mine.dimension_scores]
    assert radar["series"][1]["name"] == "全市平均"
    assert radar["series"][1]["data"] == pytest.approx(average)


def test_county_page_shows_strengths_and_weaknesses_against_the_city_median(demo, client_for):
    run = _latest("county")
    page = rankings.region_page(region=run.results.get(region_id="360124").region, period=None, show_raw=True)
    assert page.strengths or page.weaknesses
    for gap in page.strengths:
        assert gap.gap > 0 and gap.normalised - gap.median == pytest.approx(gap.gap)
    for gap in page.weaknesses:
        assert gap.gap < 0
    html = client_for("other_county").get("/regions/360124/").content.decode()
    for gap in page.strengths + page.weaknesses:
        assert escape(gap.name) in html and f"{gap.median:.2f}" in html
        if gap.raw is not None:
            assert f"{gap.raw:.2f}" in html


def test_county_page_ranks_its_towns_within_the_county_and_the_city(demo, client_for):
    run = _latest("town")
    towns = sorted(
        (r for r in run.results.select_related("region") if r.region_id.startswith("360121") and r.rank),
        key=lambda r: r.rank,
    )
    html = client_for("town").get("/regions/360121/").content.decode()
    rows = re.findall(r'<tr data-region="(\d+)">(.*?)</tr>', html, re.S)
    assert [code for code, _ in rows][: len(towns)] == [t.region_id for t in towns]
    _, first_row = rows[0]
    assert re.search(r">\s*1\s*<", first_row) and f"{towns[0].rank} / 139" in first_row
    assert f"{towns[0].index:.2f}" in first_row


def test_county_page_period_selector(demo, client_for):
    result = RegionResult.objects.get(
        run__framework__code="county", run__period=2022, run__status="published", region_id="360121"
    )
    html = client_for("county").get("/regions/360121/", {"period": 2022}).content.decode()
    assert re.search(rf'data-testid="kpi-index">{result.index:.2f}<', html)
    assert '<option value="2022" selected>' in html


def test_county_trend_compares_with_the_city_average(demo, client_for):
    html = client_for("county").get("/regions/360121/").content.decode()
    trend = _json(html, "trend-data")
    assert [s["name"] for s in trend["series"]] == ["南昌县", "全市平均"]
    for i, period in enumerate(range(2020, 2025)):
        indices = list(
            RegionResult.objects.filter(
                run__framework__code="county", run__period=period, run__status="published"
            ).values_list("index", flat=True)
        )
        assert trend["series"][1]["data"][i] == pytest.approx(sum(indices) / len(indices))


# ---- town page ----


def test_town_page_renders_for_every_role_with_city_and_county_rank(demo, users, client):
    run = _latest("town")
    result = run.results.get(region_id="360121100")
    in_county = sorted(
        (r for r in run.results.all() if r.region_id.startswith("360121") and r.rank), key=lambda r: r.rank
    )
    county_rank = [r.region_id for r in in_county].index("360121100") + 1
    for role in ROLES:
        client.force_login(users[role])
        html = client.get("/regions/360121100/").content.decode()
        assert "莲塘镇" in html and 'data-testid="demo-banner"' in html, role
        assert re.search(rf'data-testid="kpi-index">{result.index:.2f}<', html), role
        assert re.search(rf'data-testid="kpi-rank">{result.rank}<small> / 139', html), role
        assert re.search(rf'data-testid="kpi-county-rank">{county_rank}<small> / {len(in_county)}', html), (
            role
        )


def test_town_page_compares_dimensions_with_the_county_town_average(demo, client_for):
    run = _latest("town")
    peers = [r for r in run.results.all() if r.region_id.startswith("360121")]
    html = client_for("town").get("/regions/360121100/").content.decode()
    chart = _json(html, "dimension-data")
    assert chart["series"][1]["name"] == "南昌县乡镇平均"
    for i, code in enumerate(["actors", "input_output", "services"]):
        values = [p.dimension_scores[code] for p in peers if p.dimension_scores[code] is not None]
        assert chart["series"][1]["data"][i] == pytest.approx(sum(values) / len(values))


def test_town_page_shows_own_values_with_last_year(demo, client_for):
    this = _latest("town")
    last = EvaluationRun.objects.get(framework__code="town", period=this.period - 1, status="published")
    html = client_for("town").get("/regions/360121100/").content.decode()
    table = html[html.index('data-testid="indicators"') :]
    for code in ("town_tech_smes", "town_new_enterprises"):
        now, before = this.input_data["360121100"][code], last.input_data["360121100"][code]
        if now is not None:
            assert f"{now:.2f}" in table
        if before is not None:
            assert f"{before:.2f}" in table
    assert 'data-testid="raw-hidden"' not in html


def test_town_officer_sees_another_towns_ranking_but_not_its_raw_values(demo, client_for):
    run = _latest("town")
    other = run.results.get(region_id="360121101")  # 向塘镇, not the 莲塘镇 officer's town
    html = client_for("town").get("/regions/360121101/").content.decode()
    assert re.search(rf'data-testid="kpi-index">{other.index:.2f}<', html)
    assert 'data-testid="raw-hidden"' in html
    shown = {f"{v:.2f}" for v in other.normalised.values() if v is not None}
    distinctive = [v for v in run.input_data["360121101"].values() if v is not None and v >= 10]
    distinctive = [v for v in distinctive if f"{v:.2f}" not in shown]
    assert distinctive
    table = html[html.index('data-testid="indicators"') :]
    for value in distinctive:
        assert f"{value:.2f}" not in table
    assert "原始值" not in html


def test_county_officer_sees_raw_values_of_own_towns_but_not_other_counties(demo, client_for):
    client = client_for("county")
    assert 'data-testid="raw-hidden"' not in client.get("/regions/360121100/").content.decode()
    assert 'data-testid="raw-hidden"' in client.get("/regions/360124/").content.decode()
    assert 'data-testid="raw-hidden"' in client.get("/regions/360124100/").content.decode()


@pytest.mark.parametrize("role", ["expert", "enterprise"])
def test_users_without_a_region_see_no_raw_values(demo, client_for, role):
    html = client_for(role).get("/regions/360121/").content.decode()
    assert 'data-testid="raw-hidden"' in html and "原始值" not in html


def test_region_page_empty_state_before_anything_is_published(no_demo, client_for):
    html = client_for("city_admin").get("/regions/360121/").content.decode()
    assert 'data-testid="empty-state"' in html and "南昌县尚无已发布的评价结果" in html


def test_a_county_sees_what_it_would_take_to_gain_a_rank(demo, client):
    from county_innovation.engine import evaluate
    from county_innovation.evaluation.selectors import rank_gains

    client.login(username="jinxian", password="demo-2025")
    page = client.get(reverse("web:region", args=["360124"])).content.decode()
    assert 'data-testid="rank-gains"' in page and "再前进一名" in page
    run = EvaluationRun.objects.get(framework__code="county", period=2024, status="published")
    gains = rank_gains(run, "360124")
    assert gains
    assert f"进贤县的总排名可从第 {gains[0].current_rank} 名升至第 {gains[0].target_rank} 名" in page
    # raising that indicator to the required value really gains the rank
    from county_innovation.evaluation.snapshot import run_engine_result

    result = run_engine_result(run)
    data = result.data.copy()
    data.at["360124", gains[0].indicator] = gains[0].required_value
    again = evaluate(data, result.hierarchy, result.spec)
    assert again.ranks.at["360124", "index"] <= result.ranks.at["360124", "index"] - 1


def test_what_it_would_take_is_not_shown_outside_the_region(demo, client):
    client.login(username="nanchangxian", password="demo-2025")
    page = client.get(reverse("web:region", args=["360124"])).content.decode()
    assert 'data-testid="rank-gains"' not in page
