"""Figures of a stored ``neurodev waves`` run: a statistics panel and an animated movie."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from neurodev.experiments.machinery.store import ResultStore
from neurodev.figures.style import plt, save

PRESET_COLOURS = {"wt": "0.2", "stage3": "#7570b3", "b2ko": "#e7298a", "uncorrelated": "#66a61e",
                  "silent": "#a6761d"}
MOVIE_WINDOW_S = 40.0
MOVIE_BIN_S = 0.2
MOVIE_FPS = 10
DIRECTION_BINS = 16


def make(run_dir: Path, out_dir: Path) -> list[Path]:
    """Draw the statistics figure and the movie of one stored run; return the files written."""
    run = ResultStore(Path(run_dir).parent.parent).load(run_dir)
    name = f"waves_{run.metrics['preset']}_seed{run.metrics['seed']}_{Path(run_dir).name[:6]}"
    return [*_statistics(run, out_dir, name), _movie(run, Path(out_dir) / f"{name}.gif")]


def _statistics(run, out_dir, name) -> list[Path]:
    presets = list(run.metrics["statistics"])
    published = run.metrics["published_wt"]
    figure = plt.figure(figsize=(9.0, 2.0), layout="constrained")
    correlation, speed, area, interval = (figure.add_subplot(1, 5, k) for k in range(1, 5))
    direction = figure.add_subplot(1, 5, 5, projection="polar")
    for preset in presets:
        colour = PRESET_COLOURS.get(preset, "k")
        correlation.plot(run.arrays[f"{preset}.correlation_distance_um"],
                         run.arrays[f"{preset}.correlation"], "o-", ms=2, color=colour, label=preset)
        for ax, key in ((speed, "speed_um_per_s"), (area, "wave_area_mm2"),
                        (interval, "interwave_interval_s")):
            values = run.arrays[f"{preset}.{key}"]
            values = values[np.isfinite(values)]
            if len(values):
                ax.hist(values, bins=20, histtype="step", density=True, color=colour, label=preset)
        _direction_rose(direction, run.arrays[f"{preset}.direction_rad"], colour, preset)
    correlation.axhline(0, color="0.7", lw=0.5)
    correlation.set(xlabel="distance (µm)", ylabel="correlation (100 ms bins)", xlim=(0, 800))
    correlation.legend(frameon=False)
    for ax, key, label in ((speed, "speed_um_per_s", "wave speed (µm/s)"),
                           (area, None, "wave area (mm²)"),
                           (interval, "interwave_interval_s", "interval at a site (s)")):
        if key in published:
            ax.axvspan(*published[key], color="0.85", lw=0, zorder=0, label="published wt")
        ax.set(xlabel=label, yticks=[])
    speed.legend(frameon=False)
    direction.set(title="wave direction", yticks=[])
    direction.legend(frameon=False, fontsize="x-small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return save(figure, out_dir, name)


def _direction_rose(ax, direction_rad, colour, preset) -> None:
    """Fraction of waves per direction bin, with its bias beside the bias of chance.

    The bias is the length of the mean unit vector of the directions; for ``n`` directions drawn
    uniformly its expected value is ``√(π / 4n)`` (the mean of a Rayleigh variable), the level a
    bias must clear before it means the waves prefer a direction.
    """
    measured = direction_rad[np.isfinite(direction_rad)]
    if not len(measured):
        return
    counts, edges = np.histogram(np.mod(measured, 2 * np.pi), bins=DIRECTION_BINS,
                                 range=(0, 2 * np.pi))
    angles = np.append(edges[:-1], edges[0])
    fractions = np.append(counts, counts[0]) / len(measured)
    bias = float(np.abs(np.exp(1j * measured).mean()))
    chance = float(np.sqrt(np.pi / (4 * len(measured))))
    ax.plot(angles, fractions, color=colour, drawstyle="steps-post",
            label=f"{preset}: bias {bias:.2f} (chance {chance:.2f}, n = {len(measured)})")


def _movie(run, path: Path, scale: int = 8) -> Path:
    """ON and OFF rates of the busiest stretch, binned and played at ``MOVIE_FPS``.

    Frames are coloured arrays written with Pillow directly: drawing each frame with
    matplotlib would take ~100 times longer.
    """
    movie, side = run.arrays["movie"], run.metrics["retina_side"]
    frame_s = run.metrics["frame_s"]
    per_bin = max(1, round(MOVIE_BIN_S / frame_s))
    n_bins = len(movie) // per_bin
    binned = movie[:n_bins * per_bin].reshape(n_bins, per_bin, -1).sum(axis=1, dtype=np.uint16)
    window = min(n_bins, round(MOVIE_WINDOW_S / MOVIE_BIN_S))
    activity = np.convolve(binned.sum(axis=1, dtype=np.int64), np.ones(window), mode="valid")
    first = int(np.argmax(activity))
    rate = (binned[first:first + window] / (per_bin * frame_s)).astype(np.float32)
    on, off = (rate[:, cells].reshape(-1, side, side)[:, ::-1]  # row 0 at the bottom
               for cells in (slice(0, side**2), slice(side**2, None)))
    gap = np.full((len(rate), side, 1), np.nan, dtype=np.float32)
    frames = np.concatenate([on, gap, off], axis=2).repeat(scale, axis=1).repeat(scale, axis=2)
    colours = plt.get_cmap("magma").with_extremes(bad="white")
    rgb = (colours(frames / max(float(rate.max()), 1.0), bytes=True)[..., :3])
    images = [Image.fromarray(frame) for frame in rgb]
    for k, image in enumerate(images):
        ImageDraw.Draw(image).text(
            (4, 4), f"{run.metrics['preset']} ON | OFF  t = {(first + k) * MOVIE_BIN_S:.1f} s",
            fill=(255, 255, 255))
    path.parent.mkdir(parents=True, exist_ok=True)
    images[0].save(path, save_all=True, append_images=images[1:], duration=1000 // MOVIE_FPS,
                   loop=0)
    return path
