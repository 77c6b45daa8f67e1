"""Named experiments, each a short declaration on the shared development pipeline."""
