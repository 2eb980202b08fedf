"""The layout keeps the architecture (docs/architecture.md): imports run down the floors, no module reaches into
another's private names, and no module is imported under a name that disguises it.

Read from the source with `ast`, so the check costs no Django set-up and sees every import, also those inside
functions.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Lowest first: a floor may import the floors before it, never one after it.
FLOORS = ["core", "members", "communities", "activities", "repertoire", "insights", "integrations", "copsite"]
# The two rooms of the activities app: each keeps to itself; what both need lives in `activities/` around them.
ROOMS = {"activities.calendar", "activities.discussions"}


def modules() -> dict[str, Path]:
    """Every Python module of our floors, by dotted name."""
    found = {}
    for floor in FLOORS:
        for path in sorted((ROOT / floor).rglob("*.py")) if (ROOT / floor).is_dir() else ():
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = modules()


def imports(name: str, path: Path):
    """(line, imported module, imported names or None, aliases) for each import statement of a module."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, None, {alias.name: alias.asname}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            yield node.lineno, module, [a.name for a in node.names], {a.name: a.asname for a in node.names}


def floor_of(module: str) -> int | None:
    top = module.split(".")[0]
    return FLOORS.index(top) if top in FLOORS else None


def room_of(module: str) -> str | None:
    return next((room for room in ROOMS if module == room or module.startswith(room + ".")), None)


def test_the_floors_exist_and_are_found():
    assert {"core", "members", "copsite"} <= {name.split(".")[0] for name in MODULES}
    assert len(MODULES) > 100


def test_imports_run_down_the_floors():
    upward = []
    for name, path in MODULES.items():
        own = floor_of(name)
        for line, module, _, _ in imports(name, path):
            target = floor_of(module)
            if target is not None and target > own:
                upward.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert not upward, "\n".join(upward)


def test_the_library_floor_imports_no_app_and_migrations_import_no_code_of_ours():
    """`core/` is below every app. Migrations keep the SQL they run frozen in themselves, not in code that moves
    on; they may name their own app's models module (Django writes defaults and managers that way)."""
    offenders = []
    for name, path in MODULES.items():
        is_migration = ".migrations." in name
        for line, module, _, _ in imports(name, path):
            target = floor_of(module)
            if name.startswith("core") and target is not None and target > 0:
                offenders.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
            own_models = name.split(".")[0] + ".models"
            if is_migration and target is not None and module != own_models and ".migrations" not in module:
                offenders.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert not offenders, "\n".join(offenders)


def test_no_module_imports_another_modules_private_names():
    offenders = []
    for name, path in MODULES.items():
        for line, module, names, _ in imports(name, path):
            if floor_of(module) is None or module == name:
                continue
            private = [n for n in names or () if n.startswith("_") and not n.startswith("__")]
            private += [
                part for part in module.split(".") if part.startswith("_") and not part.startswith("__")
            ]
            if private:
                offenders.append(
                    f"{path.relative_to(ROOT)}:{line} imports {', '.join(private)} from {module}"
                )
    assert not offenders, "\n".join(offenders)


# The standard furniture of an app or a room (docs/architecture.md): a module imported under one of these names
# must be that module, not another one dressed up as it.
FURNITURE = {
    "models",
    "services",
    "selectors",
    "forms",
    "views",
    "tasks",
    "access",
    "search",
    "admin",
    "urls",
}


def test_no_module_of_ours_is_imported_under_a_name_that_disguises_it():
    """`from activities import discussion_services as services` made a module look like standard furniture."""
    offenders = []
    for name, path in MODULES.items():
        for line, module, names, aliases in imports(name, path):
            for imported, alias in aliases.items():
                full = imported if names is None else f"{module}.{imported}"
                if full in MODULES and alias in FURNITURE and alias != full.rpartition(".")[2]:
                    offenders.append(f"{path.relative_to(ROOT)}:{line} imports {full} as {alias}")
    assert not offenders, "\n".join(offenders)


def test_the_calendar_and_the_discussions_share_no_module():
    """Each room of `activities` imports nothing from the other."""
    assert all(room in MODULES for room in ROOMS), sorted(ROOMS - set(MODULES))
    crossing = []
    for name, path in MODULES.items():
        own = room_of(name)
        if own is None:
            continue
        for line, module, names, _ in imports(name, path):
            targets = [module] + [f"{module}.{n}" for n in names or ()]
            if any(room_of(t) not in (None, own) for t in targets):
                crossing.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert not crossing, "\n".join(crossing)
