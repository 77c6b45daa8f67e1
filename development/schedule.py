"""The developmental schedule: epochs of retinal waves with measurement checkpoints between them.

Simulated time is laid out as ``checkpoint 0, epoch 1, checkpoint 1, …, epoch n, checkpoint n``.
Plasticity is on during epochs and frozen during checkpoints. Every epoch is padded with
wave-free background activity to the length of the longest, so checkpoints recur with one
period and the engine can sample the circuit's state at all of them in a single run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurodev.circuits.params import check_fields
from neurodev.development.stimuli import GratingBlock
from neurodev.development.waves import WaveDrive


@dataclass(frozen=True)
class ScheduleParams:
    """``n_epochs`` epochs of ``waves_per_epoch`` waves; a checkpoint before and after each."""

    n_epochs: int = 5
    waves_per_epoch: int = 40

    def __post_init__(self):
        check_fields(self, n_epochs=(1, 1000), waves_per_epoch=(1, 1_000_000))


@dataclass(frozen=True)
class Segment:
    """A stretch of simulated time: an epoch of development or a measurement checkpoint.

    Exactly one of `drive` (development) and `block` (measurement) is set.
    """

    start_s: float
    duration_s: float
    drive: WaveDrive | None = None
    block: GratingBlock | None = None

    @property
    def plastic(self) -> bool:
        return self.drive is not None


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
        return tuple(s for s in self.segments if s.block is not None)

    @property
    def epochs(self) -> tuple[Segment, ...]:
        return tuple(s for s in self.segments if s.drive is not None)

    def checkpoint_development(self) -> dict[str, np.ndarray]:
        """Development completed at each checkpoint: waves, real and simulated time (s).

        Real developmental time counts the uncompressed wave time plus the padding.
        """
        epochs = self.epochs
        padding = [e.duration_s - e.drive.duration_s for e in epochs]
        real = [e.drive.real_duration_s + pad for e, pad in zip(epochs, padding, strict=True)]

        def cumulative(values):
            return np.concatenate([[0.0], np.cumsum(values)])

        return {"waves": cumulative([e.drive.n_waves for e in epochs]),
                "real_time_s": cumulative(real),
                "simulated_time_s": cumulative([e.duration_s for e in epochs])}


def build_timeline(drives: list[WaveDrive], blocks: list[GratingBlock], step_s: float) -> Timeline:
    """Interleave measurement blocks and wave epochs; ``len(blocks) == len(drives) + 1``.

    Segment lengths are whole numbers of `step_s` (the stimulus frame). All blocks must have
    the same length; epochs are padded to the longest, so checkpoint ``k`` starts at
    ``k × checkpoint_period_s``.
    """
    if len(blocks) != len(drives) + 1:
        raise ValueError(f"need one more checkpoint than epochs, got {len(blocks)} and {len(drives)}")
    if len({b.duration_s for b in blocks}) != 1:
        raise ValueError("all measurement blocks must have the same length")
    measure = _whole_steps(blocks[0].duration_s, step_s)
    develop = max(_whole_steps(d.duration_s, step_s) for d in drives)
    segments = [Segment(0.0, measure, block=blocks[0])]
    for k, (drive, block) in enumerate(zip(drives, blocks[1:], strict=True)):
        start = k * (measure + develop) + measure
        segments += [Segment(start, develop, drive=drive),
                     Segment(start + develop, measure, block=block)]
    return Timeline(tuple(segments), measure + develop)


def _whole_steps(duration_s: float, step_s: float) -> float:
    return float(np.ceil(duration_s / step_s - 1e-9) * step_s)
