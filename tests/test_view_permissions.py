"""Every page and export, for every role: who gets through, who is refused.

The table below must name every URL of the web interface (the API has its own table in
accounts/tests/test_tokens.py); `test_every_view_is_in_the_table` fails when a view is added without
its permission cases.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from county_innovation.common.actors import system
from county_innovation.designation.tests.factory import permission_ids as designation_ids
from county_innovation.evaluation.models import EvaluationRun
from county_innovation.evaluation.services import evaluation_run_create, robustness_start
from county_innovation.indicators.models import Framework
from county_innovation.regions.models import Region
from county_innovation.reports.tests.factory import bulletin_ids

ROLES = [
    "anonymous",
    "city_admin",
    "department",
    "county",
    "other_county",
    "town",
    "other_town",
    "expert",
    "enterprise",
]
LOGIN = "login"  # anonymous users are sent to the login page
EVERYONE_SIGNED_IN = {r: 200 for r in ROLES if r != "anonymous"} | {"anonymous": LOGIN}
ADMIN_ONLY = {r: 403 for r in ROLES} | {"anonymous": LOGIN, "city_admin": 200}


def expect(default: object, **overrides: object) -> dict:
    table = {r: default for r in ROLES} | {"anonymous": LOGIN}
    table.update(overrides)
    return table


# (url name, method, args, expected status per role). Args may name fixtures: "{draft}" / "{published}" run ids.
CASES = [
    ("accounts:login", "get", [], expect(302, anonymous=200)),
    ("accounts:logout", "post", [], expect(302, anonymous=302)),
    ("accounts:password_change", "get", [], EVERYONE_SIGNED_IN),
    ("accounts:password_change", "post", [], EVERYONE_SIGNED_IN),  # an empty form is shown again
    ("collection:entry", "get", [], expect(200, expert=403, enterprise=403)),
    ("collection:grid", "get", ["360121", 2024], expect(403, city_admin=200, department=200, county=200)),
    (
        "collection:grid",
        "get",
        ["360121100", 2024],
        expect(403, city_admin=200, department=200, county=200, town=200),
    ),
    # an empty save is accepted and redirects back to the grid
    (
        "collection:grid",
        "post",
        ["360124", 2025],
        expect(403, city_admin=302, department=302, other_county=302),
    ),
    # a town officer has no county to fill, a department no town indicator: sent back with a message
    (
        "collection:template",
        "get",
        ["county", 2025],
        expect(200, expert=403, enterprise=403, town=302, other_town=302),
    ),
    ("collection:template", "get", ["town", 2025], expect(200, expert=403, enterprise=403, department=302)),
    ("collection:import", "get", ["county", 2025], expect(200, expert=403, enterprise=403)),
    ("evaluation:run_list", "get", [], EVERYONE_SIGNED_IN),
    ("evaluation:run_create", "post", [], ADMIN_ONLY | {"city_admin": 400}),  # an empty form is refused
    ("evaluation:run_detail", "get", ["{published}"], EVERYONE_SIGNED_IN),
    ("evaluation:run_detail", "get", ["{draft}"], ADMIN_ONLY),
    # the draft's year has an official run: the city admin gets the page asking to confirm the replacement
    ("evaluation:run_publish", "post", ["{draft}"], expect(403, city_admin=200)),
    ("evaluation:run_recheck", "post", ["{published}"], expect(302)),
    ("evaluation:run_recheck", "post", ["{draft}"], expect(403, city_admin=302)),
    ("indicators:framework_list", "get", [], EVERYONE_SIGNED_IN),
    ("indicators:framework_detail", "get", ["{framework}"], EVERYONE_SIGNED_IN),
    ("indicators:framework_new", "post", ["{framework}"], expect(403, city_admin=302)),
    ("regions:zone_list", "get", [], EVERYONE_SIGNED_IN),
    ("regions:zone_new", "get", [], ADMIN_ONLY),
    ("regions:zone_edit", "get", ["xiaolan-etdz"], ADMIN_ONLY),
]
WEB_CASES = [
    ("web:workbench", "get", [], EVERYONE_SIGNED_IN),
    ("web:dashboard", "get", [], EVERYONE_SIGNED_IN),
    ("web:region", "get", ["360121"], EVERYONE_SIGNED_IN),
    ("web:region", "get", ["360121100"], EVERYONE_SIGNED_IN),
    # without a configured boundary file (COUNTY_INNOVATION_GEOJSON) the map file is a Chinese 404
    ("web:counties_geojson", "get", [], expect(404)),
    ("web:favicon", "get", [], expect(200, anonymous=200)),
]
ROBUSTNESS_CASES = [
    # an empty form is refused with messages and sent back to the run's page
    ("evaluation:robustness_create", "post", ["{published}"], expect(403, city_admin=302)),
    ("evaluation:robustness_detail", "get", ["{analysis}"], EVERYONE_SIGNED_IN),
    ("evaluation:robustness_status", "get", ["{analysis}"], EVERYONE_SIGNED_IN),
    ("evaluation:robustness_detail", "get", ["{draft_analysis}"], ADMIN_ONLY),
    ("evaluation:robustness_status", "get", ["{draft_analysis}"], ADMIN_ONLY),
]
# {firm}: an enterprise of 莲塘镇 (南昌县) linked to the "enterprise" user; {other_firm}: one of 进贤县, not linked.
ENTERPRISE_FIGURES = expect(403, city_admin=200, county=200, enterprise=200)
ENTERPRISE_CASES = [
    # bulk import and export (enterprises/importing.py, exporting.py); an empty upload is refused with 400
    ("enterprises:import_template", "get", [], expect(403, city_admin=200, county=200, other_county=200)),
    ("enterprises:import", "get", [], expect(403, city_admin=200, county=200, other_county=200)),
    ("enterprises:import", "post", [], expect(403, city_admin=400, county=400, other_county=400)),
    ("enterprises:export", "get", [], expect(200, expert=403)),
    ("enterprises:list", "get", [], EVERYONE_SIGNED_IN),
    ("enterprises:detail", "get", ["{firm}"], EVERYONE_SIGNED_IN),
    ("enterprises:detail", "get", ["{other_firm}"], EVERYONE_SIGNED_IN),
    ("enterprises:self_check", "get", ["{firm}"], ENTERPRISE_FIGURES),
    ("enterprises:self_check", "get", ["{other_firm}"], expect(403, city_admin=200, other_county=200)),
    ("enterprises:year_edit", "get", ["{firm}", 2025], ENTERPRISE_FIGURES),
    ("enterprises:year_edit", "get", ["{other_firm}", 2025], expect(403, city_admin=200, other_county=200)),
    # an empty form is refused with the problems listed
    (
        "enterprises:year_edit",
        "post",
        ["{firm}", 2025],
        expect(403, city_admin=400, county=400, enterprise=400),
    ),
    # registry pages (enterprise_new, enterprise_edit): the city admin and the county officers of the town;
    # an empty form is refused with 400 and the problems listed
    ("enterprises:new", "get", [], expect(403, city_admin=200, county=200, other_county=200)),
    ("enterprises:new", "post", [], expect(403, city_admin=400, county=400, other_county=400)),
    ("enterprises:edit", "get", ["{firm}"], expect(403, city_admin=200, county=200)),
    ("enterprises:edit", "get", ["{other_firm}"], expect(403, city_admin=200, other_county=200)),
    ("enterprises:edit", "post", ["{firm}"], expect(403, city_admin=400, county=400)),
    # deregistration (注销): the county of the enterprise and the city admin; an empty form returns to the page
    ("enterprises:deregister", "post", ["{firm}"], expect(403, city_admin=302, county=302)),
    ("enterprises:deregister", "post", ["{other_firm}"], expect(403, city_admin=302, other_county=302)),
    ("enterprises:qualification_new", "get", ["{firm}"], expect(403, city_admin=200, county=200)),
    ("enterprises:qualification_new", "post", ["{firm}"], expect(403, city_admin=400, county=400)),
    ("enterprises:batch_check", "get", ["360121"], expect(403, city_admin=200, county=200)),
    ("enterprises:batch_check", "get", ["360124"], expect(403, city_admin=200, other_county=200)),
]
# {pool}: the year of a cultivation round opened over the demo enterprises; the pool shows figure-derived tiers
# and gaps, so only the city admin and the county officers (their own county) see it.
POOL_READERS = expect(403, city_admin=200, county=200, other_county=200)
POOL_CASES = [
    ("enterprises:pool", "get", [], POOL_READERS),
    ("enterprises:pool_flows", "get", [], POOL_READERS),
    ("enterprises:pool_round", "get", ["{pool}"], POOL_READERS),
    ("enterprises:pool_near", "get", ["{pool}"], POOL_READERS),
    ("enterprises:pool_open", "post", [], expect(403, city_admin=400)),  # an empty form is refused
    # an empty selection is refused with a message and sent back to the round
    (
        "enterprises:pool_select",
        "post",
        ["{pool}"],
        expect(403, city_admin=302, county=302, other_county=302),
    ),
    ("enterprises:pool_close", "post", ["{pool}"], expect(403, city_admin=302)),
]
CASES += WEB_CASES + ROBUSTNESS_CASES + ENTERPRISE_CASES + POOL_CASES
# Validation rules (collection/rules_views.py): the city admin only. {rule}: a rule of the county framework.
RULE_CASES = [
    ("collection:rule_index", "get", [], ADMIN_ONLY),
    ("collection:rule_list", "get", ["{framework}"], ADMIN_ONLY),
    ("collection:rule_new", "get", ["{framework}"], ADMIN_ONLY),
    ("collection:rule_new", "post", ["{framework}"], ADMIN_ONLY | {"city_admin": 400}),  # empty form refused
    ("collection:rule_edit", "get", ["{framework}", "{rule}"], ADMIN_ONLY),
    ("collection:rule_deactivate", "post", ["{rule}"], expect(403, city_admin=302)),
]
CASES += RULE_CASES
# Collection rounds (collection/round_views.py). {round}: the demo's open 2025 town round; {submission}: 莲塘镇's
# submission in it (a draft: submitting it is refused for missing values, approving it for its status — both
# send the user back with a message, 302, after the permission check has let them through).
IN_SCOPE_OF_LIANTANG = expect(403, city_admin=200, department=200, county=200, town=200)
ENTERS_DATA = expect(200, expert=403, enterprise=403)
ROUND_CASES = [
    ("collection:round_list", "get", [], ENTERS_DATA),
    ("collection:round_list", "post", [], expect(403, city_admin=200)),  # an empty form is shown again
    ("collection:round_detail", "get", ["{round}"], ENTERS_DATA),
    ("collection:round_close", "post", ["{round}"], expect(403, city_admin=302)),
    ("collection:round_reopen", "post", ["{round}"], expect(403, city_admin=302)),
    ("collection:round_publish", "post", ["{round}"], expect(403, city_admin=302)),
    ("collection:audit_export", "get", ["{round}"], ENTERS_DATA),
    ("collection:round_registry", "post", ["{round}"], expect(403, city_admin=302)),
    ("collection:submission_detail", "get", ["{submission}"], IN_SCOPE_OF_LIANTANG),
    ("collection:submission_submit", "post", ["{submission}"], expect(403, county=302, town=302)),
    ("collection:submission_approve", "post", ["{submission}"], expect(403, county=302)),
    ("collection:submission_return", "post", ["{submission}"], expect(403, county=302)),
    ("collection:submission_reopen", "post", ["{submission}"], expect(403, city_admin=302)),
    ("collection:value_history", "get", ["360121100", 2024, "town_tech_smes"], IN_SCOPE_OF_LIANTANG),
]
CASES += ROUND_CASES
# Designations (designation app) and task supervision (supervision app); ids from designation/tests/factory.py:
# {pending} an application of a 南昌县 town, {reviewing} one with the "expert" user on its panel, {held} 莲塘镇's
# accepted designation, {task} 三（七） (南昌县 and 进贤县 support it). Empty step forms are refused with a message
# and sent back to the page (302).
DESIGNATION_CASES = [
    ("designation:list", "get", [], EVERYONE_SIGNED_IN),
    ("designation:apply", "get", [], expect(403, city_admin=200, county=200, other_county=200)),
    ("designation:apply", "post", [], expect(403, city_admin=400, county=400, other_county=400)),
    ("designation:targets", "get", [], EVERYONE_SIGNED_IN),
    ("designation:funding", "get", [], EVERYONE_SIGNED_IN),
    ("designation:detail", "get", ["{pending}"], expect(403, city_admin=200, county=200)),
    ("designation:detail", "get", ["{reviewing}"], expect(403, city_admin=200, county=200, expert=200)),
    ("designation:detail", "get", ["{held}"], EVERYONE_SIGNED_IN),
    ("designation:material_upload", "post", ["{pending}"], expect(403, city_admin=302, county=302)),
    ("designation:material_download", "get", ["{material}"], expect(403, city_admin=200, county=200)),
    ("designation:check", "post", ["{pending}"], expect(403, city_admin=302)),
    ("designation:assign", "post", ["{pending}"], expect(403, city_admin=302)),
    ("designation:score", "get", ["{review}"], expect(403, expert=200)),
    ("designation:notice", "post", ["{reviewing}"], expect(403, city_admin=302)),
    ("designation:objection", "post", ["{pending}"], expect(403, city_admin=302)),
    ("designation:decide", "post", ["{pending}"], expect(403, city_admin=302)),
    ("designation:report", "post", ["{held}"], expect(403, city_admin=302, county=302)),
    ("designation:accept", "post", ["{held}"], expect(403, city_admin=302)),
    ("designation:revoke", "post", ["{held}"], expect(403, city_admin=302)),
    ("designation:funding_add", "post", ["{held}"], expect(403, city_admin=302)),
    # {draft_application}: a 南昌县 town's draft application; {expert_profile}: the demo expert2's entry in the 专家库
    ("designation:edit", "get", ["{draft_application}"], expect(403, city_admin=200, county=200)),
    ("designation:edit", "post", ["{draft_application}"], expect(403, city_admin=400, county=400)),
    ("designation:submit", "post", ["{draft_application}"], expect(403, city_admin=302, county=302)),
    ("designation:experts", "get", [], ADMIN_ONLY),
    ("designation:experts", "post", [], expect(403, city_admin=400)),
    ("designation:expert_edit", "get", ["{expert_profile}"], ADMIN_ONLY),
    ("designation:expert_edit", "post", ["{expert_profile}"], expect(403, city_admin=400)),
    ("supervision:overview", "get", [], expect(200, expert=403, enterprise=403)),
    ("supervision:export", "get", [], expect(403, city_admin=200, department=200)),
    ("supervision:item", "get", ["{task}"], expect(200, expert=403, enterprise=403)),
    ("supervision:report", "post", ["{task}"], expect(403, city_admin=302, county=302, other_county=302)),
    ("supervision:assign", "post", ["{task}"], expect(403, city_admin=302)),
    ("supervision:add", "post", ["{task}"], expect(403, city_admin=302)),
    ("supervision:close", "post", ["{task}"], expect(403, city_admin=302)),
    ("supervision:attachment", "get", ["{attachment}"], expect(200, expert=403, enterprise=403)),
]
CASES += DESIGNATION_CASES
# Bulletins, county profiles, assessment sheets (reports app). {bulletin}: a stored version of the published
# run; {draft_bulletin}: one of the unpublished run. A profile: city, departments, the county and its towns.
NANCHANGXIAN_PROFILE = expect(403, city_admin=200, department=200, county=200, town=200, other_town=200)
REPORTS_CASES = [
    ("reports:bulletin_list", "get", [], EVERYONE_SIGNED_IN),
    ("reports:bulletin_run", "get", ["{published}"], EVERYONE_SIGNED_IN),
    ("reports:bulletin_run", "get", ["{draft}"], ADMIN_ONLY),
    ("reports:bulletin_generate", "post", ["{published}"], expect(403, city_admin=302)),
    ("reports:bulletin_download", "get", ["{bulletin}"], EVERYONE_SIGNED_IN),
    ("reports:bulletin_download", "get", ["{draft_bulletin}"], ADMIN_ONLY),
    ("reports:profile", "get", ["360121"], NANCHANGXIAN_PROFILE),
    ("reports:profile", "get", ["360124"], expect(403, city_admin=200, department=200, other_county=200)),
    ("reports:profile_docx", "get", ["360121"], NANCHANGXIAN_PROFILE),
    ("reports:assessment", "get", [], expect(403, city_admin=200, department=200)),
    ("reports:assessment_xlsx", "get", [], expect(403, city_admin=200, department=200)),
]
CASES += REPORTS_CASES
EXCLUDED_NAMESPACES = {"admin", "api"}


def _names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names = set()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or ""
            if ns in EXCLUDED_NAMESPACES:
                continue
            names |= _names(p, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(p, URLPattern) and p.name:
            names.add(namespace + p.name)
    return names


def test_every_view_is_in_the_table():
    assert _names(get_resolver()) == {name for name, *_ in CASES}


def _firm(users, code: str, town: str, member=None) -> int:
    from datetime import date

    from county_innovation.common.actors import system
    from county_innovation.enterprises.services import enterprise_create, enterprise_member_add

    firm = enterprise_create(
        actor=system("测试"),
        credit_code=code,
        name=f"权限测试企业{town}",
        town=Region.objects.get(code=town),
        founded=date(2015, 1, 1),
    )
    if member is not None:
        enterprise_member_add(actor=system("测试"), enterprise=firm, member=member)
    return firm.pk


@pytest.fixture
def runs(demo, users):
    published = EvaluationRun.objects.filter(status="published", framework__code="county").first()
    draft = evaluation_run_create(
        framework=published.framework,
        period=2024,
        actor=system("测试"),
        scope=Region.objects.get(code="360100"),
    )
    analysis = robustness_start(
        run=published, kind="uncertainty", spec={"replications": 10}, actor=system("测试")
    )
    draft_analysis = robustness_start(
        run=draft, kind="uncertainty", spec={"replications": 10}, actor=system("测试")
    )
    return {
        "published": published.pk,
        "draft": draft.pk,
        "analysis": analysis.pk,
        "draft_analysis": draft_analysis.pk,
        "framework": Framework.objects.get(code="county").pk,
        "firm": _firm(users, "914403001922038216", "360121100", users["enterprise"]),
        "other_firm": _firm(users, "91110108551385082Q", "360124100"),
        "pool": _pool_year(),
        "rule": _validation_rule(),
        **_round_ids(),
        **bulletin_ids(published, draft),
        **designation_ids(
            users
        ),  # {pending} {held} {reviewing} {review} {material} {task} {attachment} {draft_application}
    }


def _round_ids() -> dict[str, int]:
    from county_innovation.collection.models import CollectionRound

    round_ = CollectionRound.objects.get(framework__code="town", period=2025)
    return {"round": round_.pk, "submission": round_.submissions.get(region_id="360121100", owner="").pk}


def _validation_rule() -> int:
    from county_innovation.collection.models import ValidationRule

    framework = Framework.objects.get(code="county")
    return ValidationRule.objects.create(framework=framework, kind="required", severity="error").pk


def _pool_year() -> int:
    """The open cultivation round of the demo (its last year), or a new one when the demo has none."""
    from django.utils import timezone

    from county_innovation.common.actors import system
    from county_innovation.enterprises.models import CultivationRound
    from county_innovation.enterprises.services import cultivation_round_open

    latest = CultivationRound.objects.filter(status="open").order_by("-year").first()
    if latest is not None:
        return latest.year
    return cultivation_round_open(actor=system("测试"), year=timezone.localdate().year - 1).year


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "method", "args", "expected"), CASES, ids=[f"{c[1]} {c[0]} {c[2]}" for c in CASES]
)
def test_view_permission(client, users, runs, role, name, method, args, expected):
    args = [runs[a[1:-1]] if isinstance(a, str) and a.startswith("{") else a for a in args]
    if role != "anonymous":
        client.force_login(users[role])
    url = reverse(name, args=args)
    response = getattr(client, method)(url)
    want = expected[role]
    if want == LOGIN:
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"], (
            response.status_code
        )
    else:
        assert response.status_code == want, f"{role} {method} {url}: {response.status_code}"
    if want == 403:
        assert "无权" in response.content.decode() or "只有" in response.content.decode()
