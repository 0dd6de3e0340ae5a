"""The command line's commands for any operation: ``generate`` (a typed module from a WSDL),
``describe`` (a WSDL's operations) and ``call`` (any operation of a generated module).

They follow the rules of ``cli``, which registers them and passes what they share with the other
commands (a ``Shell``): one line per failure, usage errors through the command's own parser
(``Run '… --help' for usage.``), tables, ``--json`` and ``--csv`` as everywhere, secrets masked
unless ``--show-secrets``. A WSDL or module that cannot be read is exit code 1, an unknown
operation or parameter and a value that does not fit its type are usage errors (2), a WSDL URL
that cannot be fetched is a transport error (5) and a call's errors have their usual codes.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import os
import re
import stat
import sys
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, Callable, Optional, TextIO, Union

import attrs

from ._cli_values import (
    ArgumentError,
    cells,
    columns,
    from_json,
    from_text,
    is_secret,
    load_json,
    plain,
    suggestion,
    type_label,
)
from .errors import HTTPStatusError, InvalidRequestError, SuperOfficeSoapError, TransportError
from .operations import DEFAULT_SERVICES, Operation, Param, secret_arguments
from .types import ArrayOf, DictionaryOf, Struct, resolve

if TYPE_CHECKING:
    from .client import SoPrincipal, UserAgent
    from .generate import OperationSummary

__all__ = ["Shell", "add_commands"]

PROG = "superoffice-soap"
_PARAMETERS_WIDTH = 60  # describe's list cuts parameters here; describe SOURCE OPERATION shows all
_MODULE_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*\Z")


@attrs.frozen
class Shell:
    """What these commands share with the rest of the command line (``cli`` passes its own):
    the exit codes' epilog, how an error line is said and which code an error has, the option
    types and groups, the agents built from the connection options, and the output writers."""

    epilog: str
    say: Callable[[TextIO, str], None]
    exit_code: Callable[[BaseException], int]
    seconds: Callable[[str], float]
    connection_options: Callable[..., None]
    output_options: Callable[..., None]
    user_agent: Callable[[argparse.Namespace, Any], UserAgent]
    principal: Callable[[argparse.Namespace], SoPrincipal]
    flatten: Callable[[Any], Iterator[tuple[str, Any]]]
    table: Callable[[Sequence[Mapping[str, Any]], Sequence[str]], str]
    key_values: Callable[[Mapping[str, Any]], str]
    write_json: Callable[[Any, TextIO], None]
    write_csv: Callable[[Sequence[Mapping[str, Any]], Sequence[str], TextIO], None]


_Handler = Callable[["Shell", argparse.ArgumentParser, argparse.Namespace, TextIO], int]


class _UnusableFile(SuperOfficeSoapError):
    """A file or module that cannot be used (exit code 1)."""


def add_commands(commands: argparse._SubParsersAction[Any], shell: Shell) -> None:
    """Add ``generate``, ``describe`` and ``call`` to the command line's subparsers."""

    def command(
        name: str, handler: _Handler, summary: str, example: str
    ) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = commands.add_parser(
            name,
            help=summary,
            description=textwrap.fill(summary + ".", 79),
            epilog=f"example:\n  {example}\n\n{shell.epilog}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.set_defaults(handler=lambda args, out: handler(shell, sub, args, out))
        return sub

    source_help = "a WSDL file, or a NetServer URL (…/Remote/Services86/Person.svc?wsdl)"
    generate = command(
        "generate",
        _generate,
        "Write a typed Python module for operations of a NetServer WSDL (every one when none "
        "is named) and the types they use",
        f"{PROG} generate Person.wsdl --operation GetPersonEntity --output person_ops.py",
    )
    generate.add_argument("source", metavar="SOURCE", help=source_help)
    for flag, what in (
        ("--operation", "an operation to generate (repeatable; default: all)"),
        ("--safe", "an operation to repeat when in doubt though its name does not say it reads"),
        ("--unsafe", "a read never to repeat once it may have arrived"),
    ):
        generate.add_argument(flag, action="append", default=[], metavar="NAME", help=what)
    generate.add_argument(
        "--output", metavar="FILE", help="write the module to FILE (replaced whole); default stdout"
    )
    _timeout_option(generate, shell)

    describe = command(
        "describe",
        _describe,
        "List a NetServer WSDL's operations with their parameters and answers, or show one",
        f"{PROG} describe Person.wsdl GetPersonEntity",
    )
    describe.add_argument("source", metavar="SOURCE", help=source_help)
    describe.add_argument("operation", metavar="OPERATION", nargs="?", help="show this one")
    _timeout_option(describe, shell)
    shell.output_options(describe, table=False)

    call = command(
        "call",
        _call,
        "Call any operation of a module written by 'generate'",
        f"{PROG} call person_ops.py GetPersonEntity --arg PersonId=5 --json",
    )
    call.add_argument(
        "module",
        metavar="MODULE",
        help="a generated module: a file (person_ops.py) or an importable name (myapp.person_ops)",
    )
    call.add_argument(
        "operation", metavar="OPERATION", help="its wire name (GetPersonEntity) or constant"
    )
    call.add_argument(
        "--arg",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter by wire name or keyword, converted by its type (repeatable); a model, "
        "list or dictionary as JSON; a secret only in --arguments-json",
    )
    call.add_argument(
        "--arguments-json",
        metavar="FILE",
        help="a JSON object of parameters (models as objects keyed by attribute names); "
        "- for stdin",
    )
    shell.connection_options(call, user=True)
    shell.output_options(call, secrets=True)


def _timeout_option(parser: argparse.ArgumentParser, shell: Shell) -> None:
    parser.add_argument(
        "--timeout",
        type=shell.seconds,
        default=30.0,
        metavar="SECONDS",
        help="for a URL: seconds > 0 (default 30)",
    )


# ------------------------------------------------------------------------------------------------
# generate and describe


def _generate(
    shell: Shell, parser: argparse.ArgumentParser, args: argparse.Namespace, out: TextIO
) -> int:
    from .generate import GenerationError, generate

    both = [name for name in args.safe if name in args.unsafe]
    if both:
        parser.error(f"--safe and --unsafe both name {both[0]}")
    if args.output is not None and os.path.isdir(args.output):
        raise _UnusableFile(f"--output {args.output}: is a directory; name a file")
    try:
        text = generate(
            args.source, args.operation, safe=args.safe, unsafe=args.unsafe, timeout=args.timeout
        )
    except (TransportError, HTTPStatusError) as exc:
        return _unreachable(shell, args, exc)
    except GenerationError:
        _check_names(parser, args)
        raise
    if args.output is None:
        out.write(text)
    else:
        _write_atomically(args.output, text)
        out.write(f"Wrote {args.output}.\n")
    return 0


def _check_names(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """After a generation error: a usage error if it was a name the WSDL does not have."""
    from .generate import load_wsdl

    given = [("--operation", args.operation), ("--safe", args.safe), ("--unsafe", args.unsafe)]
    if not any(names for _, names in given):
        return
    try:
        wsdl = load_wsdl(args.source, timeout=args.timeout)
    except SuperOfficeSoapError:
        return  # the first error says what is wrong
    for flag, names in given:
        for name in names:
            if name not in wsdl.operations:
                hint = suggestion(name, list(wsdl.operations))
                parser.error(
                    f"{flag} {name}: the {wsdl.service} service has no such operation{hint}"
                )


def _unreachable(shell: Shell, args: argparse.Namespace, exc: SuperOfficeSoapError) -> int:
    """A WSDL URL that could not be fetched: one line (not the hint about --url)."""
    shell.say(args.err, " ".join(str(exc).split()))
    return shell.exit_code(exc)


def _write_atomically(path: str, text: str) -> None:
    """``text`` in ``path``, all or nothing: a new file beside it, then renamed over it (keeping
    the mode of the file it replaces)."""
    folder = os.path.dirname(os.path.abspath(path))
    base = os.path.basename(path)
    temporary = ""
    try:
        for attempt in range(100):
            temporary = os.path.join(folder, f".{base}.{os.getpid()}.{attempt}.tmp")
            try:
                handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
                break
            except FileExistsError:
                continue
        else:
            raise FileExistsError(f"too many temporary files beside {base}")
        with os.fdopen(handle, "wb") as file:
            file.write(text.encode("utf-8"))
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(temporary, stat.S_IMODE(os.stat(path).st_mode))
        os.replace(temporary, path)
        temporary = ""
    except OSError as exc:
        raise _UnusableFile(
            f"--output {path}: cannot write it: {exc.strerror or exc}".rstrip()
        ) from None
    finally:
        if temporary:
            with contextlib.suppress(OSError):
                os.remove(temporary)


def _describe(
    shell: Shell, parser: argparse.ArgumentParser, args: argparse.Namespace, out: TextIO
) -> int:
    from .generate import describe

    try:
        service, summaries = describe(args.source, timeout=args.timeout)
    except (TransportError, HTTPStatusError) as exc:
        return _unreachable(shell, args, exc)
    if args.operation is None:
        if args.json:
            shell.write_json({"service": service, "operations": [_json(s) for s in summaries]}, out)
        elif summaries:
            rows = [
                {
                    "operation": s.name,
                    "parameters": _parameters(s.parameters),
                    "answer": s.answer,
                    "retry_safe": s.retry_safe,
                }
                for s in summaries
            ]
            out.write(shell.table(rows, ["operation", "parameters", "answer", "retry_safe"]))
        else:
            out.write(f"The {service} service has no operations.\n")
        return 0
    found = next((s for s in summaries if s.name == args.operation), None)
    if found is None:
        hint = suggestion(args.operation, [s.name for s in summaries])
        parser.error(f"the {service} service has no operation {args.operation!r}{hint}")
    if args.json:
        shell.write_json({"service": service, **_json(found)}, out)
        return 0
    retry = (
        "yes: it only reads, so it is repeated even when the request may have arrived"
        if found.retry_safe
        else "no: never resent once the request may have arrived (generate --safe changes that)"
    )
    out.write(
        shell.key_values(
            {
                "operation": found.name,
                "service": service,
                "constant": found.constant,
                "answer": found.answer,
                "retry safe": retry,
            }
        )
    )
    out.write("\n")
    if found.parameters:
        rows = [{"parameter": n, "keyword": _keyword(n), "type": k} for n, k in found.parameters]
        out.write(shell.table(rows, ["parameter", "keyword", "type"]))
    else:
        out.write("No parameters.\n")
    doc = found.doc or "The WSDL does not document it."
    out.write("\n" + "\n".join(textwrap.wrap(" ".join(doc.split()), 79)) + "\n")
    return 0


def _parameters(parameters: Sequence[tuple[str, str]], width: int = _PARAMETERS_WIDTH) -> str:
    """``Name: type, …`` cut to ``width`` at a parameter, saying how many more there are."""
    shown: list[str] = []
    for index, (name, kind) in enumerate(parameters):
        item = f"{name}: {kind}"
        rest = len(parameters) - index
        if (
            shown
            and len(", ".join([*shown, item])) + (len(f", … {rest} more") if rest > 1 else 0)
            > width
        ):
            return ", ".join(shown) + f", … {rest} more"
        shown.append(item)
    return ", ".join(shown)


def _keyword(name: str) -> str:
    from ._codegen import snake_case

    return snake_case(name)


def _json(summary: OperationSummary) -> dict[str, Any]:
    return {
        "name": summary.name,
        "constant": summary.constant,
        "parameters": [
            {"name": name, "keyword": _keyword(name), "type": kind}
            for name, kind in summary.parameters
        ],
        "answer": summary.answer,
        "retry_safe": summary.retry_safe,
        "doc": summary.doc,
    }


# ------------------------------------------------------------------------------------------------
# call


def _call(
    shell: Shell, parser: argparse.ArgumentParser, args: argparse.Namespace, out: TextIO
) -> int:
    module = _load_module(args.module)
    operation = _operation(parser, module, args.module, args.operation)
    arguments = _arguments(parser, operation, args)
    agent: Union[UserAgent, SoPrincipal]
    if operation.service.sends_ticket:
        agent = shell.user_agent(args, (operation, arguments))
    else:  # SoPrincipal's operations: no ticket, nor a login to get one
        agent = shell.principal(args)
    with agent:
        result = agent.call(operation, **arguments)
    _print_answer(shell, operation, result, args, out)
    return 0


def _load_module(given: str) -> ModuleType:
    """A generated module from a file or by its importable name (the current directory
    first, as ``python -m`` does); anything that goes wrong while importing it is one line."""
    is_path = given.endswith(".py") or os.sep in given or "/" in given or os.path.isfile(given)
    if not is_path and not _MODULE_NAME.match(given):
        raise _UnusableFile(f"{given!r} is neither a Python file nor an importable module name")
    try:
        if is_path:
            return _module_from_file(given)
        sys.path.insert(0, os.getcwd())
        try:
            return importlib.import_module(given)
        finally:
            sys.path.remove(os.getcwd())
    except _UnusableFile:
        raise
    except (Exception, SystemExit) as exc:
        reason = " ".join(str(exc).split()) or "no details"
        raise _UnusableFile(f"cannot import {given}: {type(exc).__name__}: {reason}") from None


def _module_from_file(path: str) -> ModuleType:
    if not os.path.isfile(path):
        why = "is a directory" if os.path.isdir(path) else "no such file"
        raise _UnusableFile(f"cannot read {path}: {why}")
    name = "_superoffice_soap_call_" + re.sub(r"\W", "_", os.path.abspath(path))
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise _UnusableFile(f"cannot import {path}: not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # while it runs, as an import would
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(name, None)
    return module


def _operation(
    parser: argparse.ArgumentParser, module: ModuleType, given: str, name: str
) -> Operation[..., Any]:
    """OPERATION by wire name, or by the name of its constant in the module."""
    operations = getattr(module, "OPERATIONS", None)
    if not isinstance(operations, Mapping) or not all(
        isinstance(op, Operation) for op in operations.values()
    ):
        raise _UnusableFile(
            f"{given} has no OPERATIONS mapping of operations; write one with '{PROG} generate'"
        )
    found = operations.get(name)
    if isinstance(found, Operation):
        return found
    constant = getattr(module, name, None)
    if isinstance(constant, Operation) and any(constant is op for op in operations.values()):
        return constant
    names = list(operations)
    constants = [n for n, v in vars(module).items() if any(v is op for op in operations.values())]
    hint = suggestion(name, [*names, *constants])
    parser.error(f"{given} has no operation {name!r}{hint}")


def _arguments(
    parser: argparse.ArgumentParser, operation: Operation[..., Any], args: argparse.Namespace
) -> dict[str, object]:
    """The call's arguments, by the operation's keywords, from --arguments-json and --arg."""
    params: dict[str, Param] = {}
    for param in operation.params:
        params[param.element] = param
        params.setdefault(param.name, param)
    given: dict[str, object] = {}

    def param_of(name: str, where: str) -> Param:
        param = params.get(name)
        if param is None:
            known = [p.element for p in operation.params]
            takes = f"; it takes {', '.join(known)}" if known else "; it takes none"
            hint = suggestion(name, [*known, *(p.name for p in operation.params)])
            parser.error(f"{where}: {operation.name} has no parameter {name!r}{hint or takes}")
        if param.name in given:
            parser.error(f"{where}: {param.element} is given twice")
        return param

    try:
        if args.arguments_json is not None:
            data = _read_json(args.arguments_json, args.stdin)
            if not isinstance(data, dict):
                parser.error("--arguments-json: expects a JSON object of parameters by name")
            for name, value in data.items():
                param = param_of(name, "--arguments-json")
                given[param.name] = from_json(param.type, value, f"--arguments-json: {name}")
        for item in args.arg:
            name, equals, text = item.partition("=")
            if not equals:
                parser.error(f"--arg {item}: expects NAME=VALUE")
            param = param_of(name, f"--arg {name}")
            if is_secret(param.type):
                parser.error(
                    f"--arg {name}: a secret is never given on the command line; put it in "
                    "--arguments-json FILE (or - for stdin)"
                )
            value = from_text(param.type, text, f"--arg {name}")
            if secret_arguments(operation, {param.name: value}):
                parser.error(
                    f"--arg {name}: holds a secret; give it in --arguments-json FILE (or - for "
                    "stdin), never on the command line"
                )
            given[param.name] = value
    except ArgumentError as exc:
        parser.error(str(exc))
    missing = [p for p in operation.params if p.name not in given and not p.optional]
    if missing:
        wanted = ", ".join(f"--arg {p.element}=<{type_label(p.type)}>" for p in missing)
        takes = ", ".join(f"{p.element}: {type_label(p.type)}" for p in operation.params)
        parser.error(f"missing {wanted}; {operation.name} takes {takes}")
    _check(parser, operation, given, args)
    return given


def _read_json(source: str, stdin: Optional[TextIO]) -> Any:
    try:
        if source == "-":
            if stdin is None or stdin.closed:
                raise ArgumentError("--arguments-json -: standard input is closed")
            text = stdin.read()
            where = "standard input"
        else:
            with open(source, encoding="utf-8") as file:
                text = file.read()
            where = source
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise _UnusableFile(f"--arguments-json: cannot read {source}: {reason}") from None
    try:
        return load_json(text)
    except ValueError as exc:
        raise ArgumentError(f"--arguments-json: {where} is not JSON ({exc})") from None


def _check(
    parser: argparse.ArgumentParser,
    operation: Operation[..., Any],
    arguments: Mapping[str, object],
    args: argparse.Namespace,
) -> None:
    """Write the request once, before anything is sent: a value the writers refuse is a usage
    error naming the parameter as it was given."""
    from .envelope import build_envelope

    services = args.services or DEFAULT_SERVICES
    try:
        build_envelope(operation, arguments, soap_version="1.1", services=services, ticket=None)
    except InvalidRequestError as exc:
        keyword = re.split(r"[\[.]", exc.argument, maxsplit=1)[0]
        element = next((p.element for p in operation.params if p.name == keyword), keyword)
        parser.error(f"{element}{exc.argument[len(keyword) :]}: {exc.problem}")


# ------------------------------------------------------------------------------------------------
# The answer, as the other commands print theirs


def _print_answer(
    shell: Shell,
    operation: Operation[..., Any],
    result: Any,
    args: argparse.Namespace,
    out: TextIO,
) -> None:
    declaration = None if operation.result is None else resolve(operation.result)
    data = plain(declaration, result, show_secrets=args.show_secrets)
    if declaration is None:
        if args.json:
            out.write('{"ok": true}\n')
        elif not args.csv:
            out.write(f"Done: {operation.name} answers nothing.\n")
        return
    if args.json:
        shell.write_json(data, out)
        return
    item = resolve(declaration.type) if isinstance(declaration, ArrayOf) else declaration
    names = columns(item, of_models=args.csv)  # a table leaves lists of models to --json
    if isinstance(declaration, ArrayOf):
        rows = [
            cells(row, names) if isinstance(item, Struct) else {"value": row} for row in data or ()
        ]
    elif isinstance(declaration, DictionaryOf):
        names = ["key", "value"]
        rows = [{"key": key, "value": value} for key, value in (data or {}).items()]
    else:
        rows = (
            [] if data is None else [cells(data, names) if names != ["value"] else {"value": data}]
        )
    if args.csv:
        shell.write_csv(rows, names, out)
    elif not rows:
        empty = {"[]": "an empty list", "{}": "an empty dictionary"}.get(str(data), "nil")
        out.write(f"Nothing found: {operation.name} answered {empty}.\n")
    elif isinstance(declaration, (Struct, DictionaryOf)):
        out.write(shell.key_values(dict(shell.flatten(data))))
    elif isinstance(item, Struct):
        out.write(shell.table(rows, names))
    else:
        out.write("".join(f"{_text(row['value'])}\n" for row in rows))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(_text(v) for v in value)
    return "" if value is None else str(value)
