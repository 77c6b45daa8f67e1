"""SIGINT and SIGTERM as an exception, so that an interrupted run cleans up and stores nothing.

Brian2's compiled program ends its run early on SIGINT and exits normally, and Python's
default SIGTERM ends the process without any cleanup; with `stopping_on_signals` either
signal raises `Interrupted` in the main thread instead, wherever it is waiting (compilation,
simulation, measurement): the store deletes the run's temporary directory, the engine kills
its compiler or simulation, and the command exits with ``128 + signal number``.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

SIGNALS = (signal.SIGINT, signal.SIGTERM)


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
            raise Interrupted(signum)

    for signum in SIGNALS:
        signal.signal(signum, interrupt)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
