"""Documents that are checked against the code, so they cannot drift from it."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_architecture_page_lists_the_layers_of_the_import_contract():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = config["tool"]["importlinter"]["contracts"]
    layers = [
        " | ".join(m.strip().removeprefix("county_innovation.") for m in layer.split("|"))
        for layer in contract["layers"]
    ]
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = re.search(r"## Layers.*?```text\n(.*?)```", page, re.S).group(1)
    assert block.strip().splitlines() == layers


def test_every_app_appears_in_the_architecture_page():
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    apps = sorted(p.name for p in (ROOT / "src" / "county_innovation").iterdir() if (p / "apps.py").exists())
    assert [a for a in apps if f"`{a}`" not in page] == []


def test_the_api_page_lists_every_operation_of_the_schema():
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        import gen_api
    finally:
        sys.path.pop(0)
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    assert gen_api.render(text, gen_api.operations_table()) == text, "run .venv/bin/python docs/gen_api.py"


def test_docstrings_say_the_rule_not_an_issue_number():
    found = subprocess.run(
        ["git", "grep", "-n", "-i", "-E", r"issue [0-9]+", "--", "src"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    assert found == []
