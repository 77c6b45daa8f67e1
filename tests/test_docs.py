"""The README and docs/ point only at files that exist: a gallery image or a docs page that a
link names but the repository lacks shows as a broken page to a new user."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
#: Markdown links and images: ``[text](target)`` and ``![alt](target)``.
LINK = re.compile(r"\]\(([^)\s]+)\)")


def local_targets(page: Path) -> list[str]:
    """The relative file targets of `page`'s links, without their ``#anchor``."""
    targets = (match.group(1).split("#")[0] for match in LINK.finditer(page.read_text()))
    return [t for t in targets if t and not re.match(r"[a-z]+:", t)]


def test_the_link_pattern_finds_links_and_images_and_skips_web_addresses(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("[a](docs/a.md#part) ![b](gallery/b.png) [c](https://x.org) [d](#anchor)")
    assert local_targets(page) == ["docs/a.md", "gallery/b.png"]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_local_link_names_an_existing_file(page):
    missing = [t for t in local_targets(page) if not (page.parent / t).exists()]
    assert not missing, f"{page.name} links to missing files: {missing}"


def test_the_readme_is_a_front_page():
    """At most ~150 lines (issue 19): everything else lives in docs/."""
    assert len((ROOT / "README.md").read_text().splitlines()) <= 150


def test_every_docs_page_is_in_the_sites_table_of_contents():
    index = (ROOT / "docs" / "index.md").read_text()
    pages = {page.stem for page in (ROOT / "docs").glob("*.md")} - {"index"}
    assert not [page for page in pages if f"\n{page}\n" not in index]


def test_the_documentation_site_builds_without_warnings(tmp_path):
    """Sphinx with ``-W`` (a warning fails the build) over a copy of docs/, whose API
    reference imports every module and reads every docstring."""
    pytest.importorskip("sphinx")
    source = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", source, ignore=shutil.ignore_patterns("_build", "generated"))
    result = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b",
                             "html", str(source), str(tmp_path / "html")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "html" / "index.html").is_file()
    assert (tmp_path / "html" / "generated" / "neurodev.experiments.api.html").is_file()
