"""Recording in compiled code, so that memory stays flat however long development runs.

Nothing the simulation records is held in its memory: recorders are Brian2 functions that
append values to binary files of the build directory's results folder as the run goes (in
runtime mode, for debugging, Python versions keep them in lists), read back after the run.

`SpikeTally`: instead of recording every cortical spike, each cell accumulates what the
measures need: in its reset (so only spiking cells do work) the spikes and their phase sums
``Σ cos ωt, Σ sin ωt`` at the probe's angular frequency ``window_omega`` of the response
window now open, and the spikes of the current schedule segment; where a drive probes
responses frame by frame (receptive-field noise), the spikes of each frame too. At the first
stimulus frame after a window or a segment closes, one pass over the cells appends their
accumulators and clears them. A drive that measures responses gives the response windows
(`Drive.response_window`, `Drive.count_window`): an integer expression, evaluated every
frame, that is 0 while no window is open and differs between consecutive windows. Frame
counts are written as 16-bit integers (they are many: a frame of every cell at every noise
frame of every checkpoint).

`Snapshots`: variables of a group (every element) at the start of every checkpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import brian2 as b2
import numpy as np

from neurodev.development.models import (
    FRAME,
    FRAME_IN_PERIOD,
    add_to_namespace,
    python_functions,
    segment_kinds,
    showing_frame,
    showing_variables,
)

#: Per-cell accumulators and the shared state of the open window and segment.
TALLY_MODEL = """
window_spikes : 1
window_cos : 1
window_sin : 1
segment_spikes : 1
window : integer (shared)
window_closes : integer (shared)
segment_index : integer (shared)
segment_closes : integer (shared)
"""
TALLY_RESET = """
window_spikes += int(window > 0)
window_cos += int(window > 0) * cos(window_omega * t)
window_sin += int(window > 0) * sin(window_omega * t)
segment_spikes += 1
"""
#: The schedule's segment at this frame: checkpoint ``k`` is ``2k``, the epoch after it ``2k + 1``.
SEGMENT_INDEX = f"(2 * ({FRAME} // period_frames) + int({FRAME_IN_PERIOD} >= measure_frames))"
#: Per-cell spikes in each frame window (`Drive.count_window`), where a drive defines them.
COUNT_MODEL = """
count_spikes : 1
count_window : integer (shared)
count_window_closes : integer (shared)
"""
COUNT_RESET = "count_spikes += int(count_window > 0)\n"
#: The tally's streams: values per cell and closed window (spikes, Σ cos, Σ sin), per cell
#: and closed segment (spikes), and per cell and closed frame window (spikes).
TALLY_STREAMS = {"window": 3, "segment": 1}
COUNT_STREAM = "count"
#: The C type of each record type, and the largest value it holds (None: any).
_C_TYPES = {np.dtype(np.float64): ("double", None), np.dtype(np.uint16): ("uint16_t", 65535)}

#: Buffered by the C library and flushed when the program exits: a program that stops early
#: leaves no result to read (`standalone.SimulationIncomplete`).
_WRITE_CPP = """
double neurodev_write_{stream}(int write{arguments})
{{
    static FILE* out = fopen((brian::results_dir + "{file}").c_str(), "wb");
    if (!write)
        return first;
    const {ctype} values[{width}] = {{{values}}};
    fwrite(values, sizeof({ctype}), {width}, out);
    return {returned};
}}
"""


class Streams:
    """Recorders writing float64 records of fixed width per element, one file per stream,
    and their reading back."""

    def __init__(self):
        self.records: dict[str, list] = {}
        self.widths: dict[str, int] = {}
        self.dtypes: dict[str, np.dtype] = {}

    def writer(self, stream: str, width: int, clears: bool, unit=1,
               dtype=np.float64) -> b2.Function:
        """``neurodev_write_<stream>(write, first, …)``: if ``write``, append the `width`
        values of the element as `dtype` (float64, or uint16 held to [0, 65535] and
        truncated); return 0 if it `clears` (and writes), else ``first`` (of `unit`, the
        others dimensionless). Called once per element, in index order."""
        records = self.records.setdefault(stream, [])
        self.widths[stream], self.dtypes[stream] = width, np.dtype(dtype)
        ctype, largest = _C_TYPES[np.dtype(dtype)]

        def write(flag, *values):
            shape = np.shape(values[0])
            if np.ravel(flag)[0]:
                columns = [np.broadcast_to(np.asarray(v, dtype=float), shape) for v in values]
                row = np.column_stack(columns)
                records.extend(row if largest is None else np.clip(row, 0, largest))
                if clears:
                    return np.zeros(shape) * unit
            return values[0]

        names = ["first", *(f"value_{k}" for k in range(1, width))]
        held = names if largest is None else [f"({ctype}) fmin(fmax({name}, 0.0), {largest}.0)"
                                              for name in names]
        function = b2.Function(write, arg_units=[1, unit, *[1] * (width - 1)],
                               return_unit=unit, stateless=False)
        function.implementations.add_implementation("cpp", _WRITE_CPP.format(
            stream=stream, file=self.file(stream), width=width, ctype=ctype,
            arguments="".join(f", double {name}" for name in names), values=", ".join(held),
            returned="0.0" if clears else "first"),
            compiler_kwds={"headers": ["<cstdio>", "<cmath>", "<cstdint>"]})
        return function

    @staticmethod
    def file(stream: str) -> str:
        return f"neurodev_{stream}.bin"

    def read(self, stream: str, results_dir: Path | None, n_elements: int) -> np.ndarray:
        """The records of `stream`, shape (n_records, n_elements, width)."""
        width, dtype = self.widths[stream], self.dtypes[stream]
        if results_dir is None:
            values = np.array(self.records[stream], dtype=float).astype(dtype)
        else:
            values = np.fromfile(results_dir / self.file(stream), dtype=dtype)
        return values.reshape(-1, n_elements, width)


@dataclass
class SpikeTally:
    """The cortex's accumulators: model and reset lines for `cortex_group` (like a cell
    rule's), the frame statements that close windows and segments, and their readout.

    ``kinds`` are the drives' segment kinds (the cortex follows which is shown),
    ``window_expression`` the measuring drive's `response_window` ("0" if none measures) and
    ``count_expression`` the frame-probing drive's `count_window` (None if none probes).
    """

    kinds: tuple[str, ...]
    window_expression: str = "0"
    count_expression: str | None = None

    @classmethod
    def of(cls, drives) -> SpikeTally:
        """The tally of a run with `drives`, at most one of which defines each kind of window."""
        expressions = []
        for method in ("response_window", "count_window"):
            windows = [getattr(d, method)() for d in drives if getattr(d, method)() is not None]
            if len(windows) > 1:
                raise ValueError(f"at most one input drive may define a {method}")
            expressions.append(windows[0] if windows else None)
        window, count = expressions
        return cls(segment_kinds(drives), "0" if window is None else window, count)

    def target_model(self, channels) -> str:
        return TALLY_MODEL + (COUNT_MODEL if self.count_expression else "") + showing_variables(self.kinds)

    def target_reset(self) -> str:
        return TALLY_RESET + (COUNT_RESET if self.count_expression else "")

    def threshold_term(self) -> str:
        return ""

    def frame_statements(self) -> str:
        """Run every frame, after the schedule: close what ended, append and clear (shared
        statements first: Brian2 runs them once, before the per-cell ones)."""
        window_now = f"({self.window_expression})"
        shared = f"""
window_closes = int(window > 0) * int({window_now} != window)
window = {window_now}
segment_closes = int({SEGMENT_INDEX} != segment_index)
segment_index = {SEGMENT_INDEX}
"""
        per_cell = """
window_spikes = neurodev_write_window(window_closes, window_spikes, window_cos, window_sin)
window_cos *= 1 - window_closes
window_sin *= 1 - window_closes
segment_spikes = neurodev_write_segment(segment_closes, segment_spikes)
"""
        if self.count_expression:
            count_now = f"({self.count_expression})"
            shared += (f"count_window_closes = int(count_window > 0) * int({count_now} != count_window)\n"
                       f"count_window = {count_now}\n")
            per_cell += "count_spikes = neurodev_write_count(count_window_closes, count_spikes)\n"
        return showing_frame(self.kinds) + shared + per_cell

    def namespace(self, streams: Streams) -> dict:
        """The recorders of the window, segment and count streams."""
        functions = {f"neurodev_write_{stream}": streams.writer(stream, width, clears=True)
                     for stream, width in TALLY_STREAMS.items()}
        if self.count_expression:
            functions[f"neurodev_write_{COUNT_STREAM}"] = streams.writer(
                COUNT_STREAM, 1, clears=True, dtype=np.uint16)
        # Without a measuring drive no window opens; the phase sums still need a frequency.
        return functions | ({"window_omega": 0 * b2.Hz} if self.window_expression == "0" else {})

    def read(self, streams: Streams, cells: b2.NeuronGroup, results_dir: Path | None,
             n_windows: dict[str, int], n_segments: int) -> dict[str, np.ndarray]:
        """Window spikes and phase sums, each (n_windows["window"], n_cells), segment spikes
        (n_segments, n_cells) and frame-window spikes (n_windows["count"], n_cells; None
        without a frame-probing drive). The last window or segment may end with the run,
        without a frame after it: its values are then still in the cells' accumulators."""
        final = {"window": np.column_stack([cells.window_spikes[:], cells.window_cos[:],
                                            cells.window_sin[:]]),
                 "segment": np.asarray(cells.segment_spikes[:])[:, None]}
        expected = {"window": n_windows["window"], "segment": n_segments}
        if self.count_expression:
            final[COUNT_STREAM] = np.asarray(cells.count_spikes[:])[:, None]
            expected[COUNT_STREAM] = n_windows["count"]
        tallies = {}
        for stream, final_values in final.items():
            closed = streams.read(stream, results_dir, len(cells))
            tallies[stream] = np.concatenate([closed, final_values[None].astype(closed.dtype)]
                                             )[:expected[stream]]
            if len(tallies[stream]) != expected[stream]:
                raise RuntimeError(f"the simulation closed {len(closed)} {stream}s, "
                                   f"expected {expected[stream]}")
        window = tallies["window"]
        return {"window_spikes": np.rint(window[..., 0]).astype(np.int32),
                "window_phase": window[..., 1] + 1j * window[..., 2],
                "segment_spikes": np.rint(tallies["segment"][..., 0]).astype(np.int32),
                "frame_spikes": tallies[COUNT_STREAM][..., 0] if self.count_expression else None}


class Snapshots:
    """`variables` of `group` (every element) at the start of every tick of `clock`, written
    by a run_regularly named `name` (its order among same-time statements is the one a
    StateMonitor of that name would have)."""

    def __init__(self, group, variables: dict, clock: b2.Clock, name: str, streams: Streams):
        """`variables`: the name and unit of each variable to snapshot (those `group` lacks
        are left out)."""
        self.group, self.streams = group, streams
        self.stream = {v: f"{name}_{v}" for v in variables if v in group.variables}
        if not self.stream:
            return
        writers = {f"neurodev_write_{stream}": streams.writer(stream, 1, clears=False,
                                                              unit=variables[v])
                   for v, stream in self.stream.items()}
        add_to_namespace(group, writers)
        group.run_regularly("".join(f"{v} = neurodev_write_{stream}(1, {v})\n"
                                    for v, stream in self.stream.items()),
                            clock=clock, name=name, **python_functions())

    def read(self, results_dir: Path | None) -> dict[str, np.ndarray]:
        """Each variable's snapshots, shape (n_ticks, n_elements), in base units."""
        return {v: self.streams.read(stream, results_dir, len(self.group))[..., 0]
                for v, stream in self.stream.items()}
