"""Sphinx configuration of neurodev's documentation site: the Markdown pages of this folder
(through MyST) and an API reference generated from the numpydoc docstrings.

Build it with ``python -m sphinx -W -b html docs docs/_build/html`` (``-W``: a warning is an
error; ``tests/test_docs.py`` builds it so)."""

import neurodev

project = "neurodev"
author = "neurodev developers"
release = version = neurodev.__version__

extensions = ["myst_parser", "sphinx.ext.autodoc", "sphinx.ext.autosummary", "numpydoc",
              "sphinx.ext.mathjax"]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}  # rst: autosummary's pages
root_doc = "index"
exclude_patterns = ["_build", "examples"]
# Links to a page's sections (``waves.md#the-prior-strength-study``) resolve by their titles.
myst_heading_anchors = 3
myst_enable_extensions = ["dollarmath"]

autosummary_generate = True
autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "none"  # the numpydoc sections give the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

html_theme = "alabaster"
html_static_path = []
html_title = f"neurodev {release}"
