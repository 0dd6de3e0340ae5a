"""Commands the command line prints for a person to run (rotate's "To finish" / "To undo"), and
the commands a person typed in the wrong order. Each printed command runs as printed, against the
same server, in an environment without any ``SUPEROFFICE_*`` variable the user did not name.

The rule, written once: a printed command carries every connection option the user gave —
``--url`` (its password, if any, masked), ``--services``, ``--soap-version`` (from the flag or
``SUPEROFFICE_SOAP_VERSION``), ``--timeout`` — and names each secret by the option that supplies
it, never by its value: ``--ticket-env NAME`` / ``--application-token-env NAME`` for a secret read
from a variable (``SUPEROFFICE_TICKET`` and ``SUPEROFFICE_APPLICATION_TOKEN`` included), and for
one given as a flag's value, the ``SUPEROFFICE_…`` variable to put it in, with a note saying so.
"""

from __future__ import annotations

import argparse
import os
import shlex
from collections.abc import Sequence
from typing import Optional

from ._mask import mask_url, url_password

__all__ = ["DEFAULT_TIMEOUT", "connection_words", "misplaced_options", "printed_command"]

DEFAULT_TIMEOUT = 30.0


def connection_words(
    args: argparse.Namespace, url: str, soap_version: str
) -> tuple[list[str], list[str]]:
    """The options that reach the same server as ``args`` did, and the notes a person needs
    before running a command with them (what to export; never a value)."""
    words = ["--url", mask_url(url)]
    notes: list[str] = []
    if url_password(url) is not None:
        notes.append("put the URL's password back in place of ***")
    if getattr(args, "services", None):
        words += ["--services", args.services]
    if soap_version != "auto":
        words += ["--soap-version", soap_version]
    timeout = getattr(args, "timeout", DEFAULT_TIMEOUT)
    if timeout is not None and timeout != DEFAULT_TIMEOUT:
        words += ["--timeout", f"{timeout:g}"]
    for name, variable in (
        ("application_token", "SUPEROFFICE_APPLICATION_TOKEN"),
        ("ticket", "SUPEROFFICE_TICKET"),
    ):
        flag = "--" + name.replace("_", "-")
        source = _source(args, name, variable)
        if source is None:
            continue
        words += [f"{flag}-env", source]
        if getattr(args, name, None):
            what = name.replace("_", " ")
            notes.append(f"export {variable}=<the {what} given with {flag}>")
    if not _given(args, "ticket", "SUPEROFFICE_TICKET") and os.environ.get("SUPEROFFICE_USERNAME"):
        notes.append("with SUPEROFFICE_USERNAME and SUPEROFFICE_PASSWORD set, as now")
    return words, notes


def printed_command(words: Sequence[str]) -> str:
    """A command line a POSIX shell runs as it reads."""
    return shlex.join(words)


def _source(args: argparse.Namespace, name: str, variable: str) -> Optional[str]:
    """The variable that supplies secret ``name``: the one named by ``--<name>-env``, else the
    ``SUPEROFFICE_…`` one (where a flag's value must go for the printed command)."""
    named: Optional[str] = getattr(args, f"{name}_env", None)
    if named:
        return named
    return variable if _given(args, name, variable) else None


def _given(args: argparse.Namespace, name: str, variable: str) -> bool:
    return bool(
        getattr(args, name, None) or getattr(args, f"{name}_env", None) or os.environ.get(variable)
    )


def misplaced_options(
    parser: argparse.ArgumentParser, arguments: Sequence[str], prog: str
) -> Optional[tuple[str, str]]:
    """Options given before the command (``--url X system-info``): the usage error to give (its
    message, and the command whose ``--help`` helps), naming the option, never its value."""
    if not arguments or not arguments[0].startswith("-"):
        return None
    option = arguments[0].split("=", 1)[0]
    if option in ("-h", "--help", "--version"):
        return None
    commands = next(
        action.choices
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
    )
    command = next((word for word in arguments if word in commands), None)
    if command is None:
        return (
            f"{option} comes before any command: options go after the command, as in "
            f"'{prog} system-info {option} …' ('{prog} --help' lists the commands)",
            prog,
        )
    return (
        f"{option} comes before the command: options go after it, as in "
        f"'{prog} {command} {option} …'",
        f"{prog} {command}",
    )
