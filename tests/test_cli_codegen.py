"""``generate``, ``describe`` and ``call`` on the command line, in process through ``cli.main``
(test_cli_codegen_process.py runs them as processes), against the reference WSDLs and the
stand-in over loopback. Each failure ends with its documented exit code and one line (plus the
--help pointer for a usage error)."""

from __future__ import annotations

import http.server
import io
import json
import os
import socket
import stat
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Optional

import pytest

from superoffice_soap.cli import main
from superoffice_soap.generate import describe, generate
from superoffice_soap.testing import DEMO_TICKET, FakeNetServer, RunningServer
from tests.conftest import reference_file

PREFIX = "superoffice-soap: error: "
USER_WSDL = str(reference_file("wsdl", "Services86", "User.wsdl"))
CREDENTIALS_WSDL = str(reference_file("user-credentials.wsdl"))
READS = ["GetUntrustedCredentialsForAssociate", "GetCredentialTypes"]
SECRETS = ("demo-imap-password", "demo-old-imap-password")


def run(args: list[str], stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(args, stdout=out, stderr=err, stdin=io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


def one_line(err: str, *named: str) -> str:
    """The single error line (a usage error's --help pointer aside), naming each of ``named``."""
    lines = [line for line in err.splitlines() if not line.startswith("Run 'superoffice-soap")]
    assert len(lines) == 1, err
    assert lines[0].startswith(PREFIX), err
    for name in named:
        assert name in lines[0], err
    assert "Traceback" not in err
    return lines[0]


def usage_error(result: tuple[int, str, str], *named: str) -> str:
    code, out, err = result
    assert code == 2, err
    assert out == ""
    assert err.splitlines()[-1].startswith("Run 'superoffice-soap "), err
    assert len(err.splitlines()) == 2, err
    return one_line(err, *named)


@pytest.fixture
def fake() -> FakeNetServer:
    return FakeNetServer.with_demo_data()


@pytest.fixture
def running(fake: FakeNetServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningServer]:
    for name in list(os.environ):
        if name.startswith("SUPEROFFICE_"):
            monkeypatch.delenv(name)
    with fake.serve() as running:
        yield running


@pytest.fixture
def user_ops(tmp_path: Path) -> Path:
    """A generated module of the User operations the stand-in serves."""
    path = tmp_path / "user_ops.py"
    operations = [
        *READS,
        "GetCredentialTypesForUserType",
        "CreateDefaultUntrustedCredentials",
        "SaveUntrustedCredentialsForAssociate",
        "GetUserInfo",
    ]
    path.write_text(generate(USER_WSDL, operations), encoding="utf-8")
    return path


def connection(running: RunningServer) -> list[str]:
    return ["--url", running.base_url, "--ticket", DEMO_TICKET]


# ------------------------------------------------------------------------------------------------
# generate


def test_generate_prints_the_module_the_function_writes_byte_for_byte_every_time() -> None:
    args = ["generate", USER_WSDL, *(f"--operation={name}" for name in READS)]
    first, second = run(args), run(args)
    assert first == second
    code, out, err = first
    assert (code, err) == (0, "")
    assert out == generate(USER_WSDL, READS)
    assert "GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE = Operation(" in out
    assert "def _get_user_info" not in out  # only the operations named


def test_generate_writes_the_same_bytes_to_output(tmp_path: Path) -> None:
    target = tmp_path / "ops.py"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    code, out, err = run(["generate", USER_WSDL, "--operation", READS[0], "--output", str(target)])
    assert (code, err) == (0, "")
    assert out == f"Wrote {target}.\n"
    assert target.read_bytes() == generate(USER_WSDL, [READS[0]]).encode("utf-8")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # the mode of the file it replaced
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ops.py"]  # no temporary file left
    again = tmp_path / "again.py"
    assert run(["generate", USER_WSDL, "--operation", READS[0], "--output", str(again)])[0] == 0
    assert again.read_bytes() == target.read_bytes()


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "ops.py"
    target.write_text("old", encoding="utf-8")

    def full_disk(source: str, destination: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    code, out, err = run(["generate", CREDENTIALS_WSDL, "--output", str(target)])
    assert code == 1
    assert out == ""
    one_line(err, f"--output {target}", "No space left on device")
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ops.py"]


@pytest.mark.parametrize("where", ["missing-folder/ops.py", "."])
def test_an_output_that_cannot_be_written_is_one_line(tmp_path: Path, where: str) -> None:
    target = str(tmp_path / where)
    code, out, err = run(["generate", CREDENTIALS_WSDL, "--output", target])
    assert (code, out) == (1, "")
    one_line(err, "--output")


def test_an_unknown_operation_is_a_usage_error_with_a_hint() -> None:
    line = usage_error(
        run(["generate", USER_WSDL, "--operation", "GetUserInf"]),
        "--operation GetUserInf",
        "did you mean GetUserInfo?",
    )
    assert "User service" in line
    usage_error(run(["generate", USER_WSDL, "--safe", "SaveUserInf"]), "--safe SaveUserInf")
    usage_error(
        run(["generate", USER_WSDL, "--safe", "GetUserInfo", "--unsafe", "GetUserInfo"]),
        "--safe and --unsafe both name GetUserInfo",
    )


def test_safe_and_unsafe_mark_what_may_be_repeated() -> None:
    code, out, _ = run(["generate", CREDENTIALS_WSDL, "--operation", "SaveUntrustedCredentials"])
    assert code == 0
    assert "retry_safe=False" in out
    code, out, _ = run(
        [
            "generate",
            CREDENTIALS_WSDL,
            "--operation",
            "SaveUntrustedCredentials",
            "--safe",
            "SaveUntrustedCredentials",
        ]
    )
    assert code == 0
    assert "retry_safe=True" in out
    code, out, _ = run(["generate", CREDENTIALS_WSDL, "--unsafe", "GetCredentialTypes"])
    assert code == 0
    assert out.count("retry_safe=True") == 4  # the five reads but the one named


@pytest.mark.parametrize(
    ("content", "named"),
    [
        (None, "No such file"),
        ("not xml at all", "is not XML"),
        ("<html><body>a login page</body></html>", "is not a WSDL"),
    ],
)
def test_a_source_that_is_not_a_wsdl_is_one_line(
    tmp_path: Path, content: Optional[str], named: str
) -> None:
    source = tmp_path / "service.wsdl"
    if content is not None:
        source.write_text(content, encoding="utf-8")
    for command in ("generate", "describe"):
        code, out, err = run([command, str(source)])
        assert (code, out) == (1, ""), err
        one_line(err, "service.wsdl", named)


def test_a_type_that_cannot_be_generated_names_the_type_and_the_operation(
    tmp_path: Path,
) -> None:
    text = Path(CREDENTIALS_WSDL).read_text(encoding="utf-8")
    source = tmp_path / "odd.wsdl"
    element = 'name="PublicValue" nillable="true" type="xs:'
    source.write_text(text.replace(element + 'string"', element + 'gYear"'), encoding="utf-8")
    code, out, err = run(["generate", str(source), "--operation", "RemoveUntrustedCredentials"])
    assert (code, out) == (1, "")
    one_line(err, "xs:gYear", "RemoveUntrustedCredentials", "PublicValue")
    assert run(["generate", str(source), "--operation", "GetCredentialTypes"])[0] == 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def wsdl_url() -> Iterator[str]:
    """A loopback server publishing the credentials WSDL as NetServer does (…/User.svc?wsdl)."""
    body = Path(CREDENTIALS_WSDL).read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = self.path.endswith("/User.svc?wsdl")
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "text/xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body) if found else 0))
            self.end_headers()
            if found:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/Cust1/Remote/Services86/User.svc?wsdl"
    finally:
        server.shutdown()
        server.server_close()


def test_a_url_source_is_fetched(wsdl_url: str) -> None:
    code, out, err = run(["generate", wsdl_url, "--operation", READS[0]])
    assert (code, err) == (0, "")
    assert out == generate(wsdl_url, [READS[0]])
    from_file = generate(CREDENTIALS_WSDL, [READS[0]])
    start = "from __future__"  # all but the docstring, which names the source
    assert out[out.index(start) :] == from_file[from_file.index(start) :]
    code, out, _ = run(["describe", wsdl_url, "--json"])
    assert code == 0
    assert len(json.loads(out)["operations"]) == 9


def test_a_url_that_cannot_be_fetched_is_a_transport_error(wsdl_url: str) -> None:
    unreachable = f"http://127.0.0.1:{free_port()}/Cust1/Remote/Services86/User.svc?wsdl"
    for command in ("generate", "describe"):
        code, out, err = run([command, unreachable, "--timeout", "5"])
        assert (code, out) == (5, ""), err
        line = one_line(err, "fetching the WSDL", "127.0.0.1")
        assert "--url" not in line  # these commands have no --url to check
        code, out, err = run([command, wsdl_url.replace("User.svc", "Nothing.svc")])
        assert (code, out) == (5, "")
        one_line(err, "HTTP 404")


# ------------------------------------------------------------------------------------------------
# describe


def test_describe_lists_every_operation_on_a_line() -> None:
    code, out, err = run(["describe", CREDENTIALS_WSDL])
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == ["OPERATION", "PARAMETERS", "ANSWER", "RETRY", "SAFE"]
    assert len(lines) == 1 + 9
    row = next(line for line in lines if line.startswith("GetUntrustedCredentialsForAssociate "))
    assert "AssociateId: int, Type: string" in row
    assert row.split()[-2:] == ["ArrayOfUntrustedCredentials", "yes"]
    save = next(line for line in lines if line.startswith("SaveUntrustedCredentials "))
    assert save.split()[-2:] == ["nothing", "no"]


def test_describe_json_is_the_function_summary() -> None:
    code, out, _ = run(["describe", USER_WSDL, "--json"])
    assert code == 0
    data = json.loads(out)
    service, summaries = describe(USER_WSDL)
    assert data["service"] == service == "User"
    assert [op["name"] for op in data["operations"]] == [s.name for s in summaries]
    info = next(op for op in data["operations"] if op["name"] == "GetUserInfo")
    assert info["parameters"] == [{"name": "UserInfoId", "keyword": "user_info_id", "type": "int"}]
    assert (info["answer"], info["retry_safe"], info["constant"]) == (
        "UserInfo",
        True,
        "GET_USER_INFO",
    )


def test_describe_one_operation() -> None:
    code, out, err = run(["describe", CREDENTIALS_WSDL, "SaveUntrustedCredentialsForAssociate"])
    assert (code, err) == (0, "")
    assert "constant    SAVE_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE" in out
    assert "answer      nothing" in out
    assert "retry safe  no: never resent" in out
    table = out.split("\n\n")[1].splitlines()
    assert table[0].split() == ["PARAMETER", "KEYWORD", "TYPE"]
    assert table[1].split() == ["AssociateId", "associate_id", "int"]
    assert table[3].split() == ["Credentials", "credentials", "UntrustedCredentials"]
    assert out.endswith("\n\nSave credentials for a specified user.\n")  # the documentation
    code, out, _ = run(["describe", CREDENTIALS_WSDL, "GetCredentialTypes", "--json"])
    data = json.loads(out)
    assert (data["service"], data["name"], data["parameters"]) == (
        "User",
        "GetCredentialTypes",
        [],
    )
    code, out, _ = run(["describe", CREDENTIALS_WSDL, "GetCredentialTypes"])
    assert "No parameters." in out


def test_describe_an_unknown_operation_is_a_usage_error() -> None:
    usage_error(
        run(["describe", CREDENTIALS_WSDL, "GetCredentialType"]),
        "'GetCredentialType'",
        "did you mean GetCredentialTypes?",
    )


# ------------------------------------------------------------------------------------------------
# call


def test_call_prints_a_table_with_secrets_masked(running: RunningServer, user_ops: Path) -> None:
    code, out, err = run(
        [
            "call",
            str(user_ops),
            "GetUntrustedCredentialsForAssociate",
            *connection(running),
            "--arg",
            "AssociateId=5",
            "--arg",
            "Type=imap",
        ]
    )
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["VALID", "FROM", "VALID", "TO"]
    assert "TABLE RIGHT.MASK" in lines[0]  # a nested model as dotted columns
    assert "FIELD PROPERTIES" not in lines[0]  # a dictionary of models: --json and --csv only
    assert len(lines) == 3
    assert "jane.doe@example.com" in lines[1]
    assert "********" in lines[1]
    assert "never" in lines[1]  # .NET's MaxValue, as the other commands show it
    assert "Select, Update" in lines[1]  # flags as their wire tokens
    assert not any(secret in out for secret in SECRETS)


def test_call_json_by_keyword_and_constant(running: RunningServer, user_ops: Path) -> None:
    args = ["call", str(user_ops), "GET_UNTRUSTED_CREDENTIALS_FOR_ASSOCIATE", *connection(running)]
    args += ["--arg", "associate_id=5", "--arg", "type=imap", "--json"]
    code, out, err = run(args)
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert [row["public_value"] for row in data] == [
        "jane.doe@example.com",
        "jane.doe@old.example.com",
    ]
    assert {row["secret_value"] for row in data} == {"********"}
    assert data[0]["table_right"]["mask"] == ["Select", "Update"]
    assert data[0]["valid_from"] == "2021-03-25T21:36:23+02:00"
    code, out, _ = run([*args, "--show-secrets"])
    assert code == 0
    assert {row["secret_value"] for row in json.loads(out)} == set(SECRETS)


def test_call_an_importable_module_name(
    running: RunningServer, user_ops: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(user_ops.parent)
    path = list(sys.path)
    code, out, err = run(["call", "user_ops", "GetCredentialTypes", *connection(running), "--csv"])
    assert (code, err) == (0, "")
    assert out.splitlines()[0].startswith("display_type,type,description,value_control,")
    assert [line.split(",")[1] for line in out.splitlines()[1:]] == [
        "imap",
        "smtp",
        "ldap",
        "openid",
    ]
    assert sys.path == path
    assert sys.modules["user_ops"].__file__ == str(user_ops)
    del sys.modules["user_ops"]


def test_call_a_record_an_enum_argument_and_nothing_found(
    running: RunningServer, user_ops: Path
) -> None:
    base = ["call", str(user_ops)]
    code, out, _ = run([*base, "CreateDefaultUntrustedCredentials", *connection(running)])
    assert code == 0
    record = {}
    for line in out.splitlines():
        key, _, value = line.partition(" ")
        record[key] = value.strip()
    assert record["secret_value"] == "********"
    assert record["table_right.mask"] == "Select, Update, Insert, Delete"
    assert record["is_active"] == "yes"
    code, out, _ = run(
        [
            *base,
            "GetCredentialTypesForUserType",
            *connection(running),
            "--arg",
            "UserType=InternalAssociate",
        ]
    )
    assert code == 0
    assert [line.split()[-1] for line in out.splitlines()[1:]] == ["yes", "yes", "no"]
    code, out, _ = run(
        [
            *base,
            "GetUntrustedCredentialsForAssociate",
            *connection(running),
            "--arg",
            "AssociateId=5",
            "--arg",
            "Type=ldap",
        ]
    )
    assert (code, out) == (
        0,
        "Nothing found: GetUntrustedCredentialsForAssociate answered an empty list.\n",
    )
    code, out, _ = run(
        [
            *base,
            "GetUntrustedCredentialsForAssociate",
            *connection(running),
            "--json",
            "--arg",
            "AssociateId=5",
            "--arg",
            "Type=ldap",
        ]
    )
    assert (code, out) == (0, "[]\n")


def test_call_with_arguments_json(
    fake: FakeNetServer, running: RunningServer, user_ops: Path
) -> None:
    arguments = {
        "AssociateId": 5,
        "type": "imap",
        "Credentials": {
            "public_value": "bob@example.com",
            "secret_value": "bobs-secret",
            "valid_from": "2025-01-01",
            "valid_to": "2030-01-01T00:00:00Z",
            "is_active": True,
            "comment": "Bob",
        },
    }
    code, out, err = run(
        [
            "call",
            str(user_ops),
            "SaveUntrustedCredentialsForAssociate",
            *connection(running),
            "--arguments-json",
            "-",
        ],
        stdin=json.dumps(arguments),
    )
    assert (code, err) == (0, "")
    assert out == "Done: SaveUntrustedCredentialsForAssociate answers nothing.\n"
    bob = next(c for c in fake.stored_credentials(5, "imap") if c.public_value == "bob@example.com")
    assert (bob.secret_value, bob.comment, bob.is_active) == ("bobs-secret", "Bob", True)
    assert bob.valid_from is not None
    assert bob.valid_from.isoformat() == "2025-01-01T00:00:00+00:00"


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--arg", "AssociateId=five", "--arg", "Type=imap"], ["--arg AssociateId", "int"]),
        (["--arg", "AssociateId=2147483648", "--arg", "Type=imap"], ["--arg AssociateId", "int"]),
        (["--arg", "AssociateId=5"], ["missing --arg Type=<string>"]),
        ([], ["missing --arg AssociateId=<int>, --arg Type=<string>"]),
        (["--arg", "AssociateId=5", "--arg", "Typ=imap"], ["'Typ'", "did you mean Type?"]),
        (["--arg", "AssociateId", "--arg", "Type=imap"], ["--arg AssociateId", "NAME=VALUE"]),
        (["--arg", "AssociateId=5", "--arg", "type=a", "--arg", "Type=b"], ["given twice"]),
    ],
)
def test_bad_arguments_are_usage_errors_and_nothing_is_sent(
    fake: FakeNetServer, running: RunningServer, user_ops: Path, args: list[str], named: list[str]
) -> None:
    usage_error(
        run(
            [
                "call",
                str(user_ops),
                "GetUntrustedCredentialsForAssociate",
                *connection(running),
                *args,
            ]
        ),
        *named,
    )
    assert fake.requests == []


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--arg", "UserType=Internal"], ["--arg UserType", "UserType (one of Unknown,"]),
        (
            ["--arg", "UserType=InternalAssociate", "--arg", "Extra=1"],
            ["GetCredentialTypesForUserType has no parameter 'Extra'; it takes UserType"],
        ),
    ],
)
def test_bad_enumeration_values(
    running: RunningServer, user_ops: Path, args: list[str], named: list[str]
) -> None:
    usage_error(
        run(["call", str(user_ops), "GetCredentialTypesForUserType", *connection(running), *args]),
        *named,
    )


def test_a_secret_is_never_taken_from_the_command_line(
    running: RunningServer, user_ops: Path
) -> None:
    line = usage_error(
        run(
            [
                "call",
                str(user_ops),
                "SaveUntrustedCredentialsForAssociate",
                *connection(running),
                "--arg",
                "AssociateId=5",
                "--arg",
                "Type=imap",
                "--arg",
                'Credentials={"public_value": "x", "secret_value": "hunter2-secret"}',
            ]
        ),
        "--arg Credentials",
        "--arguments-json",
    )
    assert "hunter2-secret" not in line


def test_trace_masks_the_secrets_of_a_generated_operation(
    fake: FakeNetServer, running: RunningServer, user_ops: Path
) -> None:
    arguments = {
        "AssociateId": 5,
        "Type": "imap",
        "Credentials": {"public_value": "eve@example.com", "secret_value": "eves-secret"},
    }
    code, out, err = run(
        [
            "call",
            str(user_ops),
            "SaveUntrustedCredentialsForAssociate",
            *connection(running),
            "--arguments-json",
            "-",
            "--trace",
        ],
        stdin=json.dumps(arguments),
    )
    assert code == 0, err
    assert "<SecretValue>***</SecretValue>" in err.replace("User:", "")  # the request, traced
    assert "eves-secret" not in out + err
    assert DEMO_TICKET not in out + err
    eve = [c for c in fake.stored_credentials(5, "imap") if c.public_value == "eve@example.com"]
    assert [c.secret_value for c in eve] == ["eves-secret"]


def test_a_module_that_cannot_be_used_is_one_line(
    running: RunningServer, user_ops: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.py"
    broken.write_text("import enum\nraise RuntimeError('half written')\n", encoding="utf-8")
    plain = tmp_path / "plain.py"
    plain.write_text("OPERATIONS = {'X': 1}\n", encoding="utf-8")
    cases = [
        (str(broken), "cannot import", "RuntimeError: half written"),
        (str(tmp_path / "absent.py"), "cannot read", "no such file"),
        (str(plain), "no OPERATIONS mapping", "generate"),
        ("no_such_module_here", "cannot import", "ModuleNotFoundError"),
        ("not a module!", "neither a Python file nor an importable module name", ""),
    ]
    for module, *named in cases:
        code, out, err = run(["call", module, "X", *connection(running)])
        assert (code, out) == (1, ""), err
        one_line(err, *named)
    usage_error(
        run(["call", str(user_ops), "GetCredentialType", *connection(running)]),
        "has no operation 'GetCredentialType'",
        "did you mean GetCredentialTypes?",
    )


def test_call_a_service_without_ticket(running: RunningServer, tmp_path: Path) -> None:
    module = tmp_path / "principal_ops.py"
    module.write_text(generate(str(reference_file("soprincipal.wsdl"))), encoding="utf-8")
    url = ["--url", running.base_url]  # no ticket: SoPrincipal's requests carry none
    code, out, err = run(["call", str(module), "GetSystemInfo", *url, "--json"])
    assert (code, err) == (0, "")
    assert json.loads(out)["license"]["company_name"] == "Example Company AS"
    code, out, err = run(
        ["call", str(module), "AuthenticateUsernamePassword", *url, "--arguments-json", "-"],
        stdin=json.dumps({"UserName": "jane.doe", "Password": "demo-password"}),
    )
    assert (code, err) == (0, "")
    assert "credentials.ticket                    ********\n" in out
    assert "authentication_succeeded              yes\n" in out
    assert "demo-password" not in out


def test_server_errors_keep_their_exit_codes(running: RunningServer, user_ops: Path) -> None:
    code, out, err = run(
        [
            "call",
            str(user_ops),
            "GetCredentialTypes",
            "--url",
            running.base_url,
            "--ticket",
            "7T:not-a-ticket",
        ]
    )
    assert (code, out) == (3, "")
    one_line(err, "--ticket")
    code, out, err = run(
        ["call", str(user_ops), "GetUserInfo", *connection(running), "--arg", "UserInfoId=1"]
    )
    assert (code, out) == (4, "")  # the demo stand-in does not serve it: a SOAP fault
    one_line(err, "ActionNotSupported")
