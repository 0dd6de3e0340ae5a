"""From a WSDL's plain data (``_wsdl``) to the text of a Python module of declarations.

The module a careful person would write by hand with this library's public API: one frozen,
keyword-only attrs model and one ``types.Struct`` per complex type (``_codegen_types``), an
``Operation`` constant per operation, typed by a ``signature`` that mypy reads, and
``OPERATIONS``. The same WSDL and options always give the same bytes. Nothing here does I/O.
"""

from __future__ import annotations

import textwrap
from typing import Optional

from ._codegen_types import (
    PY_IMPORTS,
    READ_ONLY_PREFIXES,
    Builder,
    Choices,
    GenerationError,
    Options,
    constant_name,
    is_read_only,
    ref,
    snake_case,
)
from ._pyformat import (
    LINE,
    Code,
    assign,
    call,
    docstring,
    from_import,
    isort_key,
    py_str,
    sorted_imports,
    tuple_of,
)
from ._wsdl import QN, ComplexDecl, OperationDecl, Wsdl

__all__ = [
    "READ_ONLY_PREFIXES",
    "Choices",
    "GenerationError",
    "Options",
    "constant_name",
    "is_read_only",
    "render_module",
    "snake_case",
]


def render_module(wsdl: Wsdl, options: Options) -> str:
    """The module's text for ``options.operations`` (all when empty) of ``wsdl``."""
    names = list(options.operations) or list(wsdl.operations)
    for name in [*names, *options.safe, *options.unsafe]:
        if name not in wsdl.operations:
            raise GenerationError(_unknown_operation(name, wsdl))
    names = list(dict.fromkeys(names))
    builder = Builder(wsdl, options)
    op_constants = {name: constant_name(name) for name in names}
    builder.operation_constants.update(op_constants.values())
    operation_blocks = [
        _operation_block(builder, wsdl.operations[name], op_constants[name], options)
        for name in names
    ]
    return _module_text(wsdl, options, names, builder, operation_blocks, op_constants)


def _unknown_operation(name: str, wsdl: Wsdl) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(wsdl.operations), n=1)
    hint = f"; did you mean {close[0]}?" if close else ""
    return f"the {wsdl.service} service has no operation {name!r}{hint}"


def _operation_block(builder: Builder, op: OperationDecl, constant: str, options: Options) -> str:
    wsdl = builder.wsdl
    builder.operation = op.name
    request = _wrapper(wsdl, op.request, op.name)
    params: list[Code] = []
    signature: list[str] = []
    for element in (
        builder.all_elements(request, op.request[1]) if request.base else request.elements
    ):
        param_type = builder.element_type(element, f"parameter {element.name}")
        python_name = builder.python_name(op.name, element.name)
        params.append(call("Param", [py_str(python_name), py_str(element.name), param_type.expr]))
        signature.append(f"{python_name}: {param_type.python}")
    response = _wrapper(wsdl, op.response, op.name)
    result_expr = "None"
    result_python = "None"
    extra: list[str] = []
    if op.response[1] != f"{op.name}Response":
        extra.append(f"response_element={py_str(op.response[1])}")
    children = (
        builder.all_elements(response, op.response[1]) if response.base else list(response.elements)
    )
    if len(children) == 1:
        child = children[0]
        result = builder.element_type(child, f"answer {child.name}")
        result_expr = ref(result)
        result_python = result.python
        if child.name != "Response":
            extra.append(f"result_element={py_str(child.name)}")
        # What the WSDL lets be nil may be nil: a struct or a string ("not found"), and a .NET
        # Nullable value (int?, an enum?); an array reads an empty list instead.
        required = op.name in builder.choices.required_results
        if child.nillable and result.kind != "array" and not required:
            result_python = f"Optional[{result_python}]"
            extra.append("result_nillable=True")
    elif children:
        wrapper_type = builder.wrapper_type(op.response, children)
        result_expr = wrapper_type.expr
        result_python = wrapper_type.python
        extra.append("unwrapped=True")
    safe = op.name in options.safe or (is_read_only(op.name) and op.name not in options.unsafe)
    if "Credentials" not in op.request_headers:
        builder.sends_ticket = False
    function = f"_{snake_case(op.name).rstrip('_')}"
    stub = _signature_block(function, signature, result_python, op.doc)
    service = builder.choices.service[0] if builder.choices.service else "SERVICE"
    arguments: list[Code] = [
        service,
        py_str(op.name),
        tuple_of(params),
        result_expr,
        f"retry_safe={safe}",
        *extra,
        *builder.choices.operation_options.get(op.name, ()),
        f"signature={function}",
    ]
    return stub + "\n\n\n" + assign(constant, call("Operation", arguments))


def _wrapper(wsdl: Wsdl, qname: QN, operation: str) -> ComplexDecl:
    element = wsdl.elements.get(qname)
    if element is None:
        raise GenerationError(f"{operation}: its body element {qname[1]} is not declared")
    if element.inline is not None:
        if element.inline.problem is not None:
            raise GenerationError(
                f"{operation}: its body element {qname[1]} has {element.inline.problem}"
            )
        return element.inline
    if element.type is not None and element.type in wsdl.complex_types:
        return wsdl.complex_types[element.type]
    raise GenerationError(f"{operation}: its body element {qname[1]} is not a sequence")


def _signature_block(function: str, params: list[str], result: str, doc: Optional[str]) -> str:
    header = (
        f"def {function}(*, {', '.join(params)}) -> {result}:"
        if params
        else f"def {function}() -> {result}:"
    )
    if len(header) > LINE:
        header = "\n".join(
            [f"def {function}(", "    *,", *[f"    {p}," for p in params], f") -> {result}:"]
        )
    body = docstring(doc, "    ") if doc else []
    return "\n".join([header, *body, "    raise NotImplementedError  # a signature, never called"])


def _module_text(
    wsdl: Wsdl,
    options: Options,
    names: list[str],
    builder: Builder,
    operation_blocks: list[str],
    op_constants: dict[str, str],
) -> str:
    sends_ticket = builder.sends_ticket
    summary = (
        f"NetServer's {wsdl.service} service ({_services(wsdl)}): "
        f"{len(names)} operation{'s' if len(names) != 1 else ''}, generated by superoffice-soap."
    )
    doc = [summary, ""]
    if wsdl.doc:
        doc += [wsdl.doc, ""]
    doc += [
        f"Generated from {options.source}; do not edit by hand, generate again:",
        "",
        f"    {options.command}" if options.command else "    superoffice-soap generate …",
        "",
        "Call an operation with any agent: ``agent.call(OPERATION, keyword=value, …)``.",
    ]
    lines: list[str] = []
    for line in doc:
        if line.startswith("    "):
            lines.append(line)  # the command, as it is
        else:
            lines += textwrap.wrap(line, 96, break_long_words=False, break_on_hyphens=False) or [""]
    body = "\n".join(lines).replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    head = '"""' + body + '\n"""'  # a Windows path's backslashes, the WSDL's own quotes

    choices = builder.choices
    imports = ["from __future__ import annotations", ""]
    std = []
    if builder.uses_enum:
        std.append("import enum")
    if builder.uses_mapping:
        std.append("from collections.abc import Mapping")
    modules: dict[str, list[str]] = {}
    for python in sorted(builder.py_imports):
        modules.setdefault(PY_IMPORTS[python], []).append(python)
    for module, names_ in modules.items():
        std.append(f"from {module} import {', '.join(names_)}")
    std.append("from typing import Any, Optional")
    imports += sorted_imports(std)
    imports += ["", "import attrs", ""]  # the library is a section of its own, as in this project
    type_names = builder.imports | ({"secret_repr"} if builder.uses_secret else set())
    library: dict[str, set[str]] = {}
    if choices.package:
        library["._operation"] = {"Operation", "Param"} | (
            set() if choices.service else {"Service"}
        )
        library[".types"] = set(type_names)
    else:
        library["superoffice_soap"] = {"Operation", "Param", "Service"}
        library["superoffice_soap.types"] = set(type_names)
    for module, imported in builder.external_imports.items():
        library.setdefault(module, set()).update(imported)
    for line in choices.imports:
        module, _, names_text = line.partition(" import ")
        library.setdefault(module.removeprefix("from "), set()).update(
            name.strip() for name in names_text.split(",")
        )
    absolute = sorted(module for module in library if not module.startswith("."))
    relative = sorted(module for module in library if module.startswith("."))
    imports += [from_import(module, library[module]) for module in absolute]
    imports += [from_import(module, library[module]) for module in relative]
    service_constant = choices.service[0] if choices.service else "SERVICE"
    exports = sorted(
        {"OPERATIONS", service_constant, *op_constants.values(), *builder.exports},
        key=isort_key,
    )
    service: Optional[str]
    if choices.service:
        service = choices.service[1]
    else:
        service = (
            f"Service({py_str(wsdl.service)})"
            if sends_ticket
            else f"Service({py_str(wsdl.service)}, sends_ticket=False)"
        )
    all_block = "__all__ = [\n" + "".join(f"    {py_str(name)},\n" for name in exports) + "]"
    mapping = (
        "OPERATIONS: dict[str, Operation[..., Any]] = {\n"
        + "".join(f"    {py_str(name)}: {op_constants[name]},\n" for name in names)
        + "}"
    )
    sections = [
        head,
        "\n".join(imports),
        all_block,
        f"#: The endpoint: <base>/{wsdl.service}.svc\n{service_constant} = {service}"
        if service
        else "",
        *builder.blocks,
        *operation_blocks,
        "#: Every operation of this module by its wire name.\n" + mapping,
    ]
    text = "\n\n\n".join(section.strip("\n") for section in sections if section) + "\n"
    import_block = "\n".join(imports)
    return text.replace(f"\n\n\n{import_block}\n\n\n", f"\n\n{import_block}\n\n", 1)


def _services(wsdl: Wsdl) -> str:
    return wsdl.target_namespace.rstrip("/").rpartition("/")[2] or wsdl.target_namespace
