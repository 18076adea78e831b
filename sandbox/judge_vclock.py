"""An asyncio event loop on a virtual clock, so timing questions about async code are deterministic.

loop.time() starts at 0.0 and moves only when every task waits: instead of sleeping until the next
timer, the loop jumps to it. `await asyncio.sleep(10)` costs no wall time; three concurrent sleep(1)
end at exactly 1.0, three sequential ones at 3.0.

Real I/O and real threads still work: the loop always polls its file descriptors first, and while a
run_in_executor (or asyncio.to_thread) job is running it waits for it in real time (up to the virtual
timeout) before jumping, so a thread's work costs no virtual time unless a timer is due first and the
thread takes that long for real. Threads the candidate starts without the loop's help are not
tracked: the clock may jump past them.

With nothing scheduled the loop blocks on its selector for real, like any loop: a future nobody
resolves hangs until the sandbox's wall clock ends the run.

The loop's wake-up channel is an os.pipe, not a socketpair, because the sandbox refuses sockets.
"""

import asyncio
import math
import os
import selectors

__all__ = ["VirtualClockEventLoop", "VirtualClockPolicy", "install"]


class VirtualClockEventLoop(asyncio.SelectorEventLoop):
    """A selector event loop whose time() is virtual (see the module docstring)."""

    def __init__(self):
        self._now = 0.0
        self._executor_jobs = 0
        super().__init__(_VirtualSelector(self))

    def time(self):
        return self._now

    def run_in_executor(self, executor, func, *args):
        fut = super().run_in_executor(executor, func, *args)
        self._executor_jobs += 1
        fut.add_done_callback(self._executor_job_done)
        return fut

    def _executor_job_done(self, _fut):
        self._executor_jobs -= 1

    def _advance(self, timeout):
        """Jump the clock to the next timer; False if there is no finite place to jump to."""
        # Land exactly on the timer's `when` rather than adding the float timeout: no rounding creeps in.
        target = self._scheduled[0]._when if self._scheduled else self._now + timeout
        if not math.isfinite(target):
            return False
        self._now = max(self._now, target)
        # _run_once runs timers with when < now + resolution; past ~1e7 s, 1 ns is below one float
        # step and the due timer would never run, so widen the resolution to one step there.
        self._clock_resolution = max(self._clock_resolution, math.ulp(self._now))
        return True

    def _make_self_pipe(self):
        # The base class uses socket.socketpair(); the sandbox's seccomp filter refuses sockets.
        r, w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        self._ssock, self._csock = _PipeEnd(r), _PipeEnd(w)
        self._internal_fds += 1
        self._add_reader(r, self._read_from_self)


class _PipeEnd:
    """Just enough of a socket (fileno, recv, send, close) for the base loop's self-pipe code."""

    def __init__(self, fd):
        self._fd = fd

    def fileno(self):
        return self._fd

    def recv(self, n):
        return os.read(self._fd, n)

    def send(self, data):
        return os.write(self._fd, data)  # after close: EBADF, an OSError the caller ignores

    def close(self):
        fd, self._fd = self._fd, -1
        if fd >= 0:
            os.close(fd)


class _VirtualSelector(selectors.DefaultSelector):
    """Polls real I/O, then lets virtual time pass instead of blocking when a timer is pending."""

    def __init__(self, loop):
        super().__init__()
        self._loop = loop

    def select(self, timeout=None):
        ready = super().select(0)
        if ready or timeout == 0:
            return ready
        loop = self._loop
        if timeout is None:  # no timer at all: wait for real I/O or a thread, as a real loop would
            return super().select(None)
        if loop._executor_jobs:  # a thread is working: give it real time before the timer fires
            ready = super().select(timeout)
            if ready:
                return ready
        if not loop._advance(timeout):  # e.g. sleep(inf): block for real, the wall clock ends it
            return super().select(None)
        return []


class VirtualClockPolicy(asyncio.DefaultEventLoopPolicy):
    """The default policy, making VirtualClockEventLoop for new loops in every thread."""

    _loop_factory = VirtualClockEventLoop


def install():
    """Make asyncio.run, asyncio.Runner, asyncio.new_event_loop and asyncio.get_event_loop use
    VirtualClockEventLoop (all of them create loops through the event loop policy)."""
    asyncio.set_event_loop_policy(VirtualClockPolicy())
