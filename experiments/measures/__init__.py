"""Pure measurements (NumPy and SciPy, no Brian2): tuning, receptive fields, maps, waves, turnover."""
