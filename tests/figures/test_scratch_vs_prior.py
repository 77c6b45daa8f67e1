import ast
from pathlib import Path

from figures import scratch_vs_prior


def test_figure_is_drawn_from_the_store_alone(tiny_run, tmp_path):
    paths = scratch_vs_prior.make(tiny_run[1], tmp_path)
    assert [p.suffix for p in paths] == [".png", ".pdf"]
    assert all(p.stat().st_size > 10_000 for p in paths)


def test_figures_never_import_the_simulator():
    for module in Path(scratch_vs_prior.__file__).parent.glob("*.py"):
        imported = set()
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
        assert not imported & {"brian2", "development", "circuits"}, module.name
