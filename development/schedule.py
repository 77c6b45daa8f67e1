"""The developmental schedule: epochs of retinal waves (stage II, then stage III), then epochs
of visual experience after eye opening, with measurement checkpoints between them.

Simulated time is laid out as ``checkpoint 0, epoch 1, checkpoint 1, …, epoch n, checkpoint n``.
Every segment has a kind — what the inputs show (`WAVES`, `VISION`, `MEASUREMENT`; input
drives of `neurodev.development.drives` serve each) — and says whether plasticity is on,
separately: epochs are plastic wave or vision segments and checkpoints frozen measurement
segments (gratings, then the noise that maps receptive fields, if any). Every wave
epoch is padded with wave-free background activity to the length of the longest, and a vision
epoch lasts as long, so checkpoints recur with one period: each period is a checkpoint then an
epoch, and `Timeline.period_table` is what the compiled code reads to know, at every frame,
the kind shown and the plasticity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurodev.circuits.params import check_ranges, param
from neurodev.development.stimuli import GratingBlock, NoiseBlock
from neurodev.development.waves import WaveDrive


@dataclass(frozen=True)
class ScheduleParams:
    """The phases of development, each a number of epochs with a checkpoint before and after
    every epoch: ``n_epochs`` epochs of ``waves_per_epoch`` waves of the configured preset
    (stage II: ``waves.preset``, which a perturbation such as ``b2ko`` replaces), then
    ``stage3_epochs`` of as many stage-III waves, then ``vision_epochs`` of visual experience
    (eye opening is the checkpoint before them)."""

    n_epochs: int = param(3, 1, 1000)
    waves_per_epoch: int = param(40, 1, 1_000_000)
    stage3_epochs: int = param(3, 0, 1000)
    vision_epochs: int = param(3, 0, 1000)

    def __post_init__(self):
        check_ranges(self)

    def phases(self, stage2: str, experience: str) -> list[str]:
        """The phase of the epoch that ends at each checkpoint (``"start"`` at checkpoint 0):
        the stage-II preset's name, ``"stage3"``, then ``"vision_<experience>"``.

        Examples
        --------
        >>> ScheduleParams(n_epochs=2, stage3_epochs=1, vision_epochs=1).phases("wt", "dark")
        ['start', 'wt', 'wt', 'stage3', 'vision_dark']
        """
        return (["start"] + [stage2] * self.n_epochs + ["stage3"] * self.stage3_epochs
                + [f"vision_{experience}"] * self.vision_epochs)


#: Segment kinds: what the inputs show.
WAVES, MEASUREMENT, VISION = "waves", "measurement", "vision"


@dataclass(frozen=True)
class VisionEpoch:
    """An epoch of visual experience: what the eyes see is the vision drive's (one kind of
    experience a run), laid out over the whole timeline."""

    duration_s: float


@dataclass(frozen=True)
class Measurement:
    """What a checkpoint shows: its grating block, then the receptive-field noise (None if
    the run maps no fields)."""

    gratings: GratingBlock
    noise: NoiseBlock | None = None

    @property
    def duration_s(self) -> float:
        return self.gratings.duration_s + (0.0 if self.noise is None else self.noise.duration_s)


@dataclass(frozen=True)
class Segment:
    """A stretch of simulated time: what the inputs show (`kind`, with its `content`: a
    `WaveDrive` for waves, a `VisionEpoch` for vision, a `Measurement` for a checkpoint)
    and whether plasticity is on."""

    start_s: float
    duration_s: float
    kind: str
    plastic: bool
    content: WaveDrive | VisionEpoch | Measurement

    @property
    def drive(self) -> WaveDrive:
        return self.content

    @property
    def block(self) -> GratingBlock:
        """A checkpoint's grating block."""
        return self.content.gratings

    @property
    def noise(self) -> NoiseBlock | None:
        """A checkpoint's receptive-field noise."""
        return self.content.noise


@dataclass(frozen=True)
class Timeline:
    """Every segment of a run in order, with its position in simulated time."""

    segments: tuple[Segment, ...]
    checkpoint_period_s: float

    @property
    def duration_s(self) -> float:
        last = self.segments[-1]
        return last.start_s + last.duration_s

    @property
    def checkpoints(self) -> tuple[Segment, ...]:
        """The measurements: segments with plasticity frozen, one per period."""
        return tuple(s for s in self.segments if not s.plastic)

    @property
    def epochs(self) -> tuple[Segment, ...]:
        """Development: the segments with plasticity on."""
        return tuple(s for s in self.segments if s.plastic)

    def of_kind(self, kind: str) -> tuple[Segment, ...]:
        return tuple(s for s in self.segments if s.kind == kind)

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds of segment, in order of first appearance."""
        return tuple(dict.fromkeys(s.kind for s in self.segments))

    def period_table(self, kinds: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """Kind (its index in `kinds`) and plasticity (0 or 1) of the two segments of every
        period, checkpoint then epoch, each of shape (2, n_periods); the last period is its
        checkpoint alone (its epoch column repeats it). Its size depends on the number of
        epochs only, so the compiled code does not change with the realised waves."""
        periods = [self.segments[k:k + 2] for k in range(0, len(self.segments), 2)]
        kind, plastic = np.zeros((2, len(periods))), np.zeros((2, len(periods)))
        for p, period in enumerate(periods):
            for half in (0, 1):
                segment = period[min(half, len(period) - 1)]
                kind[half, p] = kinds.index(segment.kind)
                plastic[half, p] = segment.plastic
        return kind, plastic

    def checkpoint_development(self) -> dict[str, np.ndarray]:
        """Development completed at each checkpoint: waves, visual experience, real and
        simulated time (s).

        Real developmental time counts the uncompressed wave time plus the padding, and
        vision as it is simulated.
        """
        def progress(epoch):  # waves, vision and real time of one epoch
            if epoch.kind == WAVES:
                padding = epoch.duration_s - epoch.drive.duration_s
                return epoch.drive.n_waves, 0.0, epoch.drive.real_duration_s + padding
            return 0, epoch.duration_s, epoch.duration_s

        waves, vision, real = zip(*map(progress, self.epochs), strict=True)

        def cumulative(values):
            return np.concatenate([[0.0], np.cumsum(values)])

        return {"waves": cumulative(waves), "vision_s": cumulative(vision),
                "real_time_s": cumulative(real),
                "simulated_time_s": cumulative([e.duration_s for e in self.epochs])}


def build_timeline(drives: list[WaveDrive], blocks: list[GratingBlock], step_s: float,
                   vision_epochs: int = 0, noise: NoiseBlock | None = None) -> Timeline:
    """Interleave measurements (each grating block, then the `noise` if any) with wave
    epochs, then `vision_epochs` vision epochs; ``len(blocks) == len(drives) + vision_epochs
    + 1``.

    Segment lengths are whole numbers of `step_s` (the stimulus frame). All blocks must have
    the same length; wave epochs are padded to the longest and vision epochs last as long,
    so checkpoint ``k`` starts at ``k × checkpoint_period_s``.
    """
    n_epochs = len(drives) + vision_epochs
    if len(blocks) != n_epochs + 1:
        raise ValueError(f"need one more checkpoint than epochs, got {len(blocks)} and {n_epochs}")
    if len({b.duration_s for b in blocks}) != 1:
        raise ValueError("all measurement blocks must have the same length")
    measurements = [Measurement(block, noise) for block in blocks]
    measure = _whole_steps(measurements[0].duration_s, step_s)
    develop = max(_whole_steps(d.duration_s, step_s) for d in drives)
    contents = [(WAVES, d) for d in drives] + [(VISION, VisionEpoch(develop))] * vision_epochs
    segments = [Segment(0.0, measure, MEASUREMENT, False, measurements[0])]
    for k, ((kind, content), measurement) in enumerate(zip(contents, measurements[1:],
                                                           strict=True)):
        start = k * (measure + develop) + measure
        segments += [Segment(start, develop, kind, True, content),
                     Segment(start + develop, measure, MEASUREMENT, False, measurement)]
    return Timeline(tuple(segments), measure + develop)


def _whole_steps(duration_s: float, step_s: float) -> float:
    return float(np.ceil(duration_s / step_s - 1e-9) * step_s)
