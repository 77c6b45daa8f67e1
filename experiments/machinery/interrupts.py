"""SIGINT and SIGTERM as an exception, so that an interrupted run cleans up and stores nothing.

Brian2's compiled program ends its run early on SIGINT and exits normally, and Python's
default SIGTERM ends the process without any cleanup; with `stopping_on_signals` either
signal raises `Interrupted` in the main thread instead, wherever it is waiting (compilation,
simulation, measurement): the store deletes the run's temporary directory, the engine kills
its compiler or simulation, and the command exits with ``128 + signal number``.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class _Deferral:
    """Whether the main thread is in a `signals_deferred` block, and the signal it held."""

    depth = 0
    pending: int | None = None


class Interrupted(KeyboardInterrupt):
    """A run stopped by a signal; a `KeyboardInterrupt`, so code that cleans up after Ctrl-C
    does the same for SIGTERM."""

    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(signal.Signals(signum).name)


def signal_name(interruption: KeyboardInterrupt) -> str:
    """SIGINT or SIGTERM (SIGINT for a plain KeyboardInterrupt)."""
    return signal.Signals(getattr(interruption, "signum", signal.SIGINT)).name


def exit_status(interruption: KeyboardInterrupt) -> int:
    """The shell's convention, 128 + the signal number: 130 for SIGINT (and a plain
    KeyboardInterrupt), 143 for SIGTERM."""
    return 128 + getattr(interruption, "signum", signal.SIGINT)


@contextmanager
def stopping_on_signals() -> Iterator[None]:
    """Raise `Interrupted` on the first SIGINT or SIGTERM (main thread only); later ones are
    ignored while the first one's cleanup runs. The previous handlers are restored after."""
    previous = {signum: signal.getsignal(signum) for signum in SIGNALS}
    received = []

    def interrupt(signum, frame):
        if not received:
            received.append(signum)
            if _Deferral.depth:
                _Deferral.pending = signum
            else:
                raise Interrupted(signum)

    for signum in SIGNALS:
        signal.signal(signum, interrupt)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold back the `Interrupted` of `stopping_on_signals` until the block ends, for steps
    that must not be cut in half (creating a run's temporary directory and taking its lock,
    removing it). Signals raise in the main thread only, so elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _Deferral.depth += 1
    try:
        yield
    finally:
        _Deferral.depth -= 1
        if not _Deferral.depth and _Deferral.pending is not None:
            signum, _Deferral.pending = _Deferral.pending, None
            raise Interrupted(signum)
