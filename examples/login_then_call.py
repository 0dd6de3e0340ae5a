"""Log in with a user name and password, then call: the agent keeps the ticket fresh.

`UserAgent.login` authenticates through SoPrincipal; when NetServer later says the ticket
expired, the agent logs in again once and repeats the call. Against a real server set
SUPEROFFICE_URL, SUPEROFFICE_USERNAME and SUPEROFFICE_PASSWORD (see _target.py).

    python examples/login_then_call.py
"""

from __future__ import annotations

from _target import target

from superoffice_soap import AuthenticationError, SoPrincipal, UserAgent


def main() -> int:
    with target("SUPEROFFICE_USERNAME", "SUPEROFFICE_PASSWORD") as where:
        with SoPrincipal(where.url, application_token=where.application_token) as principal:
            info = principal.get_system_info()
            print(
                f"NetServer {info.assembly_version} ({info.build_type.value if info.build_type else '?'})"
            )
        try:
            agent = UserAgent.login(
                where.url, where.username, where.password, application_token=where.application_token
            )
        except AuthenticationError as exc:
            print(f"login refused: {exc}")
            return 1
        with agent:
            for kind in ("imap", "smtp"):
                mine = agent.get_untrusted_credentials(kind)
                print(f"{kind}: {[cred.public_value for cred in mine]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
