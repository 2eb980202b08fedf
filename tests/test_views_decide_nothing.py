"""Views ask, they do not decide (docs/architecture.md, "One rule, one place"): read from the source with `ast`.

- No view module reads the database itself: no `.objects`, no QuerySet method. Access helpers and selectors do
  the reading, so each filter and each who-sees-what rule has one home that the API and tasks ask too.
- No view inspects the words of an error: a service's refusal names its field (`ValidationError({"end": …})`)
  and `core.forms.add_refusal` puts it there. Rewording a message must not move it.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ["members", "communities", "activities", "repertoire", "insights", "copsite"]

# Methods that only QuerySets and managers have among what views call (dict.get, str.count and the like are not
# listed, so they stay free).
QUERYSET_METHODS = {
    "filter",
    "exclude",
    "annotate",
    "aggregate",
    "values",
    "values_list",
    "select_related",
    "prefetch_related",
    "order_by",
    "select_for_update",
    "only",
    "defer",
    "exists",
    "first",
    "last",
    "distinct",
    "in_bulk",
    "get_or_create",
    "update_or_create",
    "bulk_create",
}
# What reading a message's words looks like.
STRING_PROBES = {"lower", "upper", "casefold", "startswith", "endswith", "find", "index", "split", "count"}
ROUTING_NAMES = {"_field_for", "FIELD_WORDS"}


def view_modules(app: str) -> list[Path]:
    base = ROOT / app
    return sorted({*base.rglob("views.py"), *base.rglob("views/*.py")})


def _is_message(node: ast.AST) -> bool:
    """`error.message`, `error.messages`, or `str(error)`."""
    if isinstance(node, ast.Attribute) and node.attr in {"message", "messages"}:
        return not (
            isinstance(node.value, ast.Name) and node.value.id == "messages"
        )  # django.contrib.messages
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "str"


def findings(path: Path) -> list[str]:
    found = []
    tree = ast.parse(path.read_text(), str(path))
    where = path.relative_to(ROOT)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            found.append(f"{where}:{node.lineno} reads `.objects`")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method = node.func.attr
            if method in QUERYSET_METHODS:
                found.append(f"{where}:{node.lineno} calls the QuerySet method `.{method}()`")
            elif method in STRING_PROBES and _is_message(node.func.value):
                found.append(f"{where}:{node.lineno} reads an error message's words (`.{method}()`)")
        elif isinstance(node, ast.Compare) and any(
            isinstance(op, (ast.In, ast.NotIn, ast.Eq, ast.NotEq)) for op in node.ops
        ):
            if any(_is_message(side) for side in [node.left, *node.comparators]):
                found.append(f"{where}:{node.lineno} compares an error message's words")
        elif isinstance(node, (ast.Name, ast.FunctionDef)) and getattr(
            node, "id", getattr(node, "name", "")
        ) in (ROUTING_NAMES):
            found.append(f"{where}:{node.lineno} routes errors by their words ({ROUTING_NAMES})")
    return found


def test_the_check_finds_what_it_looks_for(tmp_path):
    sample = tmp_path / "views.py"
    sample.write_text(
        "def v(request, error, form):\n"
        "    people = User.objects.all()\n"
        "    mine = request.user.memberships.filter(status='active')\n"
        "    if 'title' in error.message.lower():\n"
        "        form.add_error('title', error)\n"
        "    if str(error) == 'x':\n"
        "        pass\n"
        "    FIELD_WORDS = {}\n"
        "    messages.error(request, error.message)\n"
        "    return request.GET.get('q'), {}.get('a')\n"
    )
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        found = findings(sample)
    finally:
        ROOT = saved
    assert sorted((int(line.split(":")[1].split(" ")[0]), line.split(" ", 1)[1]) for line in found) == [
        (2, "reads `.objects`"),
        (3, "calls the QuerySet method `.filter()`"),
        (4, "reads an error message's words (`.lower()`)"),
        (6, "compares an error message's words"),
        (8, f"routes errors by their words ({ROUTING_NAMES})"),
    ]


@pytest.mark.parametrize("app", APPS)
def test_views_read_no_database_and_no_error_words(app):
    modules = view_modules(app)
    assert modules, f"{app} has no views?"
    found = [finding for path in modules for finding in findings(path)]
    assert not found, "\n".join(found)
