"""One module per figure; each ``make(run_dir, out_dir)`` reads stored results only."""
