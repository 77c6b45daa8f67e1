"""The data flow the README promises: config → circuits (pure NumPy) → development (the only
Brian2 code) → experiments → figures (stored results only), checked on the code itself."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
FOLDERS = ("circuits", "development", "experiments", "figures")
PURE_DEVELOPMENT = {"development.layout", "development.params", "development.schedule", "development.stimuli",
                    "development.vision", "development.waves"}
EXPERIMENTS = {"experiments.config", "experiments.measures", "experiments.protocols"}
#: What each part of neurodev may import of neurodev (by longest matching prefix).
ALLOWED = {
    "experiments": set(),
    "circuits": {"circuits"},
    "development": {"circuits", "development"},
    "experiments.config": {"circuits", *PURE_DEVELOPMENT},
    "experiments.measures": {"circuits", "experiments.measures"},
    "experiments.protocols": {"circuits", "development", *EXPERIMENTS},
    "experiments.machinery": {"circuits", "development", *EXPERIMENTS, "experiments.machinery"},
    "experiments.api": {"circuits", "development", *EXPERIMENTS, "experiments.machinery",
                        "figures"},
    "experiments.cli": {"circuits", "development", *EXPERIMENTS, "experiments.machinery",
                        "experiments.api", "figures"},
    "figures": {"figures", "experiments.config", "experiments.measures",
                "experiments.machinery.store", "experiments.protocols.wiring"},
}


def modules() -> dict[str, Path]:
    found = {}
    for folder in FOLDERS:
        for path in (ROOT / folder).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def neurodev_imports(path: Path) -> set[str]:
    """The neurodev modules `path` imports anywhere (also inside functions), without the
    ``neurodev.`` prefix."""
    imported = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return {name.removeprefix("neurodev.") for name in imported if name.startswith("neurodev.")}


def part_of(module: str, parts) -> str | None:
    matches = [part for part in parts if module == part or module.startswith(part + ".")]
    return max(matches, key=len, default=None)


@pytest.mark.parametrize("module", sorted(modules()))
def test_imports_follow_the_one_way_data_flow(module):
    allowed = ALLOWED[part_of(module, ALLOWED)]
    known = modules()
    for imported in neurodev_imports(modules()[module]):
        if imported in known or part_of(imported, known):  # not a name imported from a module
            assert part_of(imported, allowed), f"{module} imports {imported}"


def test_generic_packages_are_never_imported_without_the_namespace():
    for module, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0
                     else [])
            assert not any(str(name).split(".")[0] in FOLDERS for name in names), module


def test_figures_measurements_and_config_load_without_brian2_or_the_engine():
    """In a fresh interpreter, so that nothing another test imported hides an import."""
    light = [f"neurodev.{name}" for name in modules()
             if part_of(name, ("figures", "experiments.measures", "experiments.config",
                               "experiments.protocols.wiring", "circuits", *PURE_DEVELOPMENT))]
    heavy = ("brian2", "neurodev.development.engine", "neurodev.experiments.machinery.registry",
             "neurodev.experiments.machinery.runner")
    code = "\n".join([*(f"import {name}" for name in light), "import sys",
                      f"print(sorted(set({heavy!r}) & set(sys.modules)))"])
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=ROOT.parent)
    assert len(light) > 15
    assert result.stdout.strip() == "[]"
