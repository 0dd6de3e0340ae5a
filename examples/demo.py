"""The main job, end to end, with no SuperOffice installation.

Starts the NetServer stand-in (``superoffice-soap fake-server``) on a free loopback port and runs
the command line against it over real HTTP: SOAP version negotiation (the stand-in, like
NetServer, speaks only SOAP 1.1), GetUntrustedCredentialsForAssociate, the credentials as a
table. Every line that starts with ``$`` is a shell command exactly as it ran: paste them into a
shell, in order, and they work the same way.

    make demo          # or: python examples/demo.py
"""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

from superoffice_soap.testing import DEMO_ASSOCIATE_ID, DEMO_TICKET


def command_path() -> str:
    """The installed ``superoffice-soap`` command, as a path a shell here can run."""
    installed = Path(sys.executable).parent / "superoffice-soap"
    try:
        return str(installed.relative_to(Path.cwd()))
    except ValueError:
        return str(installed)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for(port: int, seconds: float = 15.0) -> None:
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"the stand-in did not start on port {port}")


def run() -> int:
    tool = command_path()
    port = free_port()
    url = f"http://127.0.0.1:{port}/Cust12345/Remote/Services86"
    # Only what the printed commands set: no other SUPEROFFICE_* variable of this shell counts.
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPEROFFICE_")}
    env.update({"SUPEROFFICE_URL": url, "SUPEROFFICE_TICKET": DEMO_TICKET})

    print("Every line starting with $ is a command as it ran here; paste them to try it.\n")
    print(f"$ {shlex.quote(tool)} fake-server --port {port} > /dev/null &")
    server = subprocess.Popen(
        [tool, "fake-server", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    status = 0
    try:
        wait_for(port)
        print(f"$ sleep 1   # the stand-in is listening on {url}")
        print(f"$ export SUPEROFFICE_URL={url}")
        print(f"$ export SUPEROFFICE_TICKET={DEMO_TICKET}   # the stand-in's demo ticket")
        for credential_type in ("imap", "smtp", "ldap"):
            arguments = [
                "untrusted-credentials",
                "--associate-id",
                str(DEMO_ASSOCIATE_ID),
                "--type",
                credential_type,
            ]
            print(f"$ {shlex.join([tool, *arguments])}", flush=True)
            status |= subprocess.run([tool, *arguments], env=env, check=False).returncode
            print()
        print(f"$ kill %1   # stops the stand-in (pid {server.pid} here)")
        print(
            "\nEach command negotiated the SOAP version: SOAP 1.2 first, HTTP 415 from the "
            "stand-in, then SOAP 1.1\n(export SUPEROFFICE_SOAP_VERSION=1.1 saves that round trip "
            "against a standard NetServer)."
        )
    finally:
        server.terminate()
        server.wait(timeout=15)
    return status


if __name__ == "__main__":
    raise SystemExit(run())
