"""Stopping when asked: Ctrl-C (SIGINT) and SIGTERM end a run at once, and never halfway
through publishing a results folder.

``install()`` makes both signals raise :class:`Interrupted` in the main thread. HiGHS solves in a
helper thread (``planner.solver``) so that the main thread stays free to receive them. Code that
must not be cut in two (moving a finished folder into place) runs inside ``critical()``: a signal
arriving there is held and raised when the block ends, after the block has put things back
where they were.
"""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager

EXIT_INTERRUPTED = 130   # the shell's convention for Ctrl-C; SIGTERM ends the same way (docs/formulation.md)


class Interrupted(KeyboardInterrupt):
    """The user (SIGINT) or the system (SIGTERM) asked the planner to stop."""

    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


_state = threading.local()
_received: list[int] = []   # every signal that stopped something, for the last word of the command line


def _held() -> list:
    if not hasattr(_state, "held"):
        _state.held = []
    return _state.held


def _handler(signum, frame):
    _received.append(signum)
    if getattr(_state, "depth", 0):
        _held().append(signum)
        return
    raise Interrupted(signum)


def received() -> int | None:
    """The first signal that asked the process to stop, or None."""
    return _received[0] if _received else None


def install() -> None:
    """SIGINT and SIGTERM raise :class:`Interrupted` (main thread only, where Python runs handlers)."""
    if threading.current_thread() is not threading.main_thread():
        return
    signal.signal(signal.SIGINT, _handler)
    signal.signal(signal.SIGTERM, _handler)
    if hasattr(signal, "SIGXFSZ"):
        # past a file-size limit (ulimit -f) a write should fail with an error we can report,
        # not kill the process
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


@contextmanager
def critical():
    """Hold SIGINT and SIGTERM until the block ends; then raise the first one held."""
    _state.depth = getattr(_state, "depth", 0) + 1
    try:
        yield
    finally:
        _state.depth -= 1
        if not _state.depth and _held():
            signum = _held()[0]
            _held().clear()
            raise Interrupted(signum)


def pending() -> bool:
    """Whether a signal is held by an enclosing ``critical()`` block."""
    return bool(_held())
