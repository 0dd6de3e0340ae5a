"""What the command line does when its output cannot be written: a stream closed before the
start, a full disk, an I/O error. Each is something the environment did, so it gets one line
(when stderr is there) and a documented exit code, never "please report this"; a reader that
went away (``| head``, EPIPE) is not an error at all (the caller ends quietly)."""

from __future__ import annotations

import errno
import io
from typing import TextIO

__all__ = ["closed_output", "unwritable"]

#: The errors of writing that mean "this output cannot be written" (not a bug of ours).
_UNWRITABLE = frozenset({errno.EBADF, errno.ENOSPC, errno.EIO, errno.EDQUOT, errno.EFBIG})


class _Closed(io.TextIOBase):
    """A text stream that was closed before the program started: every write fails as the
    operating system would say it (EBADF)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, f"{self.name} is closed")

    def isatty(self) -> bool:
        return False


def closed_output(name: str) -> TextIO:
    """A stand-in for a stream closed before the start (``>&-``)."""
    return _Closed(name)  # type: ignore[return-value]


def unwritable(error: OSError, out: object) -> bool:
    """Whether ``error`` means the output cannot be written (not a failure of a request)."""
    return error.errno in _UNWRITABLE or isinstance(out, _Closed)
