"""The README and docs/ point only at files that exist: a gallery image or a docs page that a
link names but the repository lacks shows as a broken page to a new user."""

import re
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
