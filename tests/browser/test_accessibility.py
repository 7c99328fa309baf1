"""Accessibility (《无障碍环境建设法》, GB/T 37668, WCAG 2.1 AA): axe-core, from the npm registry (package.json's dev
dependencies, in node_modules/), checks the main pages of every role in a real browser; every page has no violation
of the WCAG 2.0/2.1 A and AA rules (issue 11, friction: 47 violations before — colour contrast, links told apart from
text by colour only, form fields without a label)."""

import re
from pathlib import Path

import pytest

from county_innovation.web.demo import demo_load

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, { runOnly: { type: 'tag', values: tags } });
  return result.violations.map((v) => `${v.id} ×${v.nodes.length}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}"""
# The main pages of each role; "FIRST:<regex>" follows the first link on the previous page whose href matches.
PAGES = {
    "admin": [
        "/workbench/",
        "/",
        "/regions/360121/",
        "/data/rounds/",
        r"FIRST:^/data/rounds/\d+/$",
        "/data/360121/2024/",
        "/enterprises/",
        "/enterprises/pool/",
        "/enterprises/pool/flows/",
        "/designation/",
        r"FIRST:^/designation/\d+/$",
        "/designation/targets/",
        "/tasks/",
        "/reports/",
        "/evaluation/",
        "/frameworks/",
    ],
    "nanchangxian": [
        "/workbench/",
        "/regions/360121/",
        "/data/360121/2024/",
        "/enterprises/county/360121/check/",
    ],
    "liantang": ["/workbench/", "/regions/360121100/", "/data/360121100/2024/"],
    "expert": ["/workbench/", "/designation/"],
    "enterprise": ["/workbench/", r"FIRST:^/enterprises/\d+/check/$"],
}


def _check(page) -> list[str]:
    # The page's own policy refuses inline scripts, so the context bypasses CSP to inject axe-core itself.
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE, WCAG_AA)


@pytest.mark.browser
def test_main_pages_of_every_role_have_no_wcag_aa_violation(
    demo_restored_afterwards, transactional_db, live_server, browser
):
    assert AXE.is_file(), "缺少 axe-core：请运行 `npm ci`（package.json 的 devDependencies）。"
    demo_load()
    base = live_server.url
    violations: list[str] = []
    for username, paths in PAGES.items():
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="zh-CN", bypass_csp=True
        )
        page = context.new_page()
        page.goto(f"{base}/accounts/login/")
        if username == "admin":
            violations += [f"/accounts/login/: {v}" for v in _check(page)]
        page.fill("#id_username", username)
        page.fill("#id_password", "demo-2025")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/workbench/")
        for path in paths:
            if path.startswith("FIRST:"):
                hrefs = page.eval_on_selector_all("a[href]", "els => els.map((e) => e.getAttribute('href'))")
                found = [h for h in hrefs if re.search(path.removeprefix("FIRST:"), h)]
                assert found, f"{page.url} 上没有匹配「{path}」的链接"
                path = found[0]
            response = page.goto(base + path)
            assert response is not None and response.status == 200, f"{username} {path}"
            page.wait_for_load_state("load")
            page.wait_for_timeout(300)
            violations += [f"{username} {path}: {v}" for v in _check(page)]
        context.close()
    assert violations == []
