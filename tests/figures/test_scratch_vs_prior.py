from neurodev.figures import scratch_vs_prior


def test_figure_is_drawn_from_the_store_alone(tiny_run, tmp_path):
    paths = scratch_vs_prior.make(tiny_run[1], tmp_path)
    assert [p.suffix for p in paths] == [".png", ".pdf"]
    assert all(p.stat().st_size > 10_000 for p in paths)

