"""How the command line words what it tells a person.

* Hints (``errors.Hint``, data on the library's errors) in the command line's terms: its flags
  and environment variables, never the agents' keywords. The library words the same hints its
  own way; nothing here rewrites the library's text.
* Output that cannot be written: a stream closed before the start, a full disk, an I/O error.
  Each is something the environment did, so it gets one line (when stderr is there) and a
  documented exit code, never "please report this"; a reader that went away (``| head``, EPIPE)
  is not an error at all (the caller ends quietly).
"""

from __future__ import annotations

import errno
import io
from typing import TextIO

from .errors import Hint

__all__ = ["cli_words", "closed_output", "finding", "unwritable"]

#: Each setting a hint may name, as a command-line user changes it.
_FLAGS = {
    "url": "--url (or SUPEROFFICE_URL)",
    "services": "--services (or the ServicesNN part of --url)",
    "soap_version": "--soap-version (or SUPEROFFICE_SOAP_VERSION)",
}
_PINS = {"soap_version": "--soap-version {value} (or SUPEROFFICE_SOAP_VERSION={value})"}


def cli_words(hint: Hint) -> str:
    """A hint in the command line's terms."""
    if hint.value is not None:
        pin = _PINS.get(hint.setting, "--" + hint.setting.replace("_", "-") + " {value}")
        return f"{hint.why}: pin {pin.format(value=hint.value)}"
    name = _FLAGS.get(hint.setting, "--" + hint.setting.replace("_", "-"))
    return f"{hint.why}: check {hint.part + ' of ' if hint.part else ''}{name}"


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


def finding(kind: str, count: int, credential_type: str) -> str:
    """``audit --fail-on``'s finding in words: ``2 expired``, ``9 users without any imap
    credential``."""
    users = f"{count} user{'s' if count != 1 else ''}"
    if kind == "none":
        return f"{users} without any {credential_type} credential"
    if kind == "error":
        return f"{users} whose credentials could not be read"
    return f"{count} {kind}"
