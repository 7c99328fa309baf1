"""The house rules that keep the layers honest, read from the code itself.

- Every public function of a services module (``<app>/services.py`` or ``<app>/services/*.py``) changes state, takes
  the keyword ``actor`` and checks it: it calls a policy's ``require`` (or ``require_system``/``actor_required``)
  itself or through a private helper of its module. Reads live in selectors, pure rules in their own modules.
- Roles are compared only in the policies (``<app>/policies.py``) and the scope primitives
  (``accounts/permissions.py``): no other module or template reads ``.role`` or ``.is_superuser``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "county_innovation"
APPS = sorted(p.name for p in PACKAGE.iterdir() if (p / "apps.py").exists())
CHECKS = {"require", "require_system", "actor_required"}
ROLE_READERS = {"policies.py"}
ROLE_MODULES = {PACKAGE / "accounts" / "permissions.py", PACKAGE / "accounts" / "models.py"}


def _sources(app: str):
    for path in sorted((PACKAGE / app).rglob("*.py")):
        parts = set(path.relative_to(PACKAGE).parts)
        if parts & {"tests", "migrations"}:
            continue
        yield path


def _service_modules(app: str) -> list[Path]:
    return [
        p
        for p in _sources(app)
        if p.name == "services.py" or (p.parent.name == "services" and p.name != "__init__.py")
    ]


def _calls(fn: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.Call):
            f = node.func
            names.add(f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", ""))
    return names


def _unchecked(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}

    def checks(name: str, seen: set[str]) -> bool:
        if name in seen or name not in functions:
            return False
        seen.add(name)
        called = _calls(functions[name])
        return bool(called & CHECKS) or any(checks(c, seen) for c in called if c.startswith("_"))

    problems = []
    for name, fn in functions.items():
        if name.startswith("_"):
            continue
        params = {a.arg for a in fn.args.kwonlyargs}
        if "actor" not in params:
            problems.append(f"{path.relative_to(PACKAGE)}:{fn.lineno} {name}() takes no keyword actor")
        elif not checks(name, set()):
            problems.append(f"{path.relative_to(PACKAGE)}:{fn.lineno} {name}() does not check its actor")
    return problems


@pytest.mark.parametrize("app", APPS)
def test_every_service_takes_an_actor_and_checks_it(app):
    problems = [p for module in _service_modules(app) for p in _unchecked(module)]
    assert not problems, "\n".join(problems)


def _names_a_user(node: ast.AST) -> bool:
    """Whether an expression names a user or actor (``user``, ``request.user``, ``self.actor``, ``member``…), as
    opposed to another model's field called ``role`` (a task assignment's 牵头/配合)."""
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    return name in {"user", "actor", "member", "officer", "submitter", "expert"} or name.endswith("_user")


def _role_reads(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    reads = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.ctx, ast.Load)
        and (node.attr == "is_superuser" or (node.attr == "role" and _names_a_user(node.value)))
    ]
    reads.sort(key=lambda n: (n.lineno, n.col_offset))
    return [f"{path.relative_to(PACKAGE)}:{n.lineno} reads .{n.attr}" for n in reads]


@pytest.mark.parametrize("app", APPS)
def test_roles_are_compared_only_in_the_policies(app):
    problems = [
        p
        for path in _sources(app)
        if path.name not in ROLE_READERS and path not in ROLE_MODULES
        for p in _role_reads(path)
    ]
    pattern = re.compile(r"\b(?:user|actor|request\.user)\.(?:role|is_superuser)\b")
    for template in sorted((PACKAGE / app).rglob("templates/**/*.html")):
        for number, line in enumerate(template.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                problems.append(f"{template.relative_to(PACKAGE)}:{number} compares a role")
    assert not problems, "\n".join(problems)


def test_the_rules_above_find_what_they_look_for(tmp_path):
    """The scanners are not vacuous: an unchecked service and a role read are reported."""
    module = tmp_path / "services.py"
    module.write_text(
        "def a(*, actor):\n    return 1\n"
        "def b(x):\n    return x\n"
        "def c(*, actor):\n    _d(actor)\n"
        "def _d(actor):\n    policy.require(actor, 'x')\n"
        "def e(user):\n    return user.role == 'county' or user.is_superuser\n"
        "def f(assignment):\n    return assignment.role == 'lead'\n",
        encoding="utf-8",
    )
    global PACKAGE
    saved, PACKAGE = PACKAGE, tmp_path
    try:
        problems = _unchecked(module)
        reads = _role_reads(module)
    finally:
        PACKAGE = saved
    assert problems == [
        "services.py:1 a() does not check its actor",
        "services.py:3 b() takes no keyword actor",
        "services.py:9 e() takes no keyword actor",
        "services.py:11 f() takes no keyword actor",
    ]
    assert reads == ["services.py:10 reads .role", "services.py:10 reads .is_superuser"]
