"""From a WSDL's plain data (``_wsdl``) to the text of a Python module of declarations.

The module a careful person would write by hand with this library's public API: one frozen,
keyword-only attrs model and one ``types.Struct`` per complex type, an ``enum.Enum`` per
enumeration, an ``enum.Flag`` per .NET flags list, an ``Operation`` constant per operation
(typed by a ``signature`` that mypy reads), and ``OPERATIONS``. The text is formatted as ruff
formats it (one line when it fits in 100 columns, else one item a line with a trailing comma),
and the same WSDL and options always give the same bytes. Nothing here does I/O.
"""

from __future__ import annotations

import keyword
import re
import textwrap
from collections.abc import Iterable, Sequence
from typing import Optional, Union

import attrs

from ._namespaces import MS_ARRAYS, MS_SERIALIZATION, XSD
from ._wsdl import QN, ComplexDecl, ElementDecl, OperationDecl, SimpleDecl, Wsdl

__all__ = [
    "READ_ONLY_PREFIXES",
    "GenerationError",
    "Options",
    "constant_name",
    "is_read_only",
    "render_module",
    "snake_case",
]

#: Operation names that say the call only reads: such calls are repeated after a request may
#: have arrived; any other is not, unless named safe.
READ_ONLY_PREFIXES = (
    "Get",
    "Find",
    "Is",
    "Can",
    "Has",
    "Exists",
    "CreateDefault",
    "Validate",
    "Search",
    "Check",
    "Count",
)
_SECRET_NAME = re.compile(r"Password|Secret|Ticket\Z|Token\Z", re.IGNORECASE)
_LINE = 100


class GenerationError(ValueError):
    """What a WSDL asks for that cannot be generated (the message names it and the operation)."""


@attrs.frozen
class Options:
    """Generation options: ``operations`` to generate (all when empty), those to mark
    ``safe`` or ``unsafe`` to repeat whatever their name says, the ``source`` and ``command``
    named in the module's docstring."""

    operations: tuple[str, ...] = ()
    safe: tuple[str, ...] = ()
    unsafe: tuple[str, ...] = ()
    source: str = "the WSDL"
    command: Optional[str] = None


# ------------------------------------------------------------------------------------------------
# Names


def snake_case(name: str) -> str:
    """``UserInfoId`` → ``user_info_id``, ``EMail`` → ``e_mail``, ``URLAddress`` →
    ``url_address``; a Python keyword gets a trailing underscore (``from_``)."""
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text).lower()
    text = re.sub(r"[^0-9a-z_]", "_", text)
    if not text or text[0].isdigit():
        text = "_" + text
    return text + "_" if keyword.iskeyword(text) or keyword.issoftkeyword(text) else text


def constant_name(name: str) -> str:
    """``GetUserInfo`` → ``GET_USER_INFO``; ``ArrayOfstring`` → ``ARRAY_OF_STRING``."""
    if name.startswith("ArrayOf") and len(name) > 7:
        return "ARRAY_OF_" + constant_name(name[7].upper() + name[8:])
    return snake_case(name).rstrip("_").upper() or "_"


def is_read_only(name: str) -> bool:
    """Whether an operation's name says it only reads (``GetUserInfo``, ``IsActive``)."""
    for prefix in READ_ONLY_PREFIXES:
        rest = name[len(prefix) :]
        if name.startswith(prefix) and (not rest or not rest[0].islower()):
            return True
    return False


def _class_name(name: str) -> str:
    text = re.sub(r"\W", "_", name)
    if text[0].isdigit():
        text = "_" + text
    if keyword.iskeyword(text) or text in _RESERVED:
        text += "_"
    return text


# ------------------------------------------------------------------------------------------------
# The types of the module

#: XSD types (and .NET's serialization types) → (declaration in superoffice_soap.types, Python type).
_SCALARS: dict[QN, tuple[str, str]] = {
    (XSD, "string"): ("STRING", "str"),
    (XSD, "int"): ("INT", "int"),
    (XSD, "short"): ("SHORT", "int"),
    (XSD, "long"): ("LONG", "int"),
    (XSD, "byte"): ("BYTE", "int"),
    (XSD, "unsignedByte"): ("UNSIGNED_BYTE", "int"),
    (XSD, "unsignedShort"): ("UNSIGNED_SHORT", "int"),
    (XSD, "unsignedInt"): ("UNSIGNED_INT", "int"),
    (XSD, "unsignedLong"): ("UNSIGNED_LONG", "int"),
    (XSD, "boolean"): ("BOOLEAN", "bool"),
    (XSD, "double"): ("DOUBLE", "float"),
    (XSD, "float"): ("FLOAT", "float"),
    (XSD, "decimal"): ("DECIMAL", "Decimal"),
    (XSD, "dateTime"): ("DATETIME", "datetime"),
    (XSD, "duration"): ("DURATION", "timedelta"),
    (XSD, "base64Binary"): ("BASE64", "bytes"),
    (XSD, "anyURI"): ("ANY_URI", "str"),
    (XSD, "QName"): ("QNAME", "str"),
    (MS_SERIALIZATION, "guid"): ("GUID", "UUID"),
    (MS_SERIALIZATION, "char"): ("CHAR", "str"),
    (MS_SERIALIZATION, "duration"): ("DURATION", "timedelta"),
}
#: Python types from the standard library, by module.
_PY_IMPORTS = {
    "Decimal": "decimal",
    "datetime": "datetime",
    "timedelta": "datetime",
    "UUID": "uuid",
}
#: Names the module imports: a type of the same name gets a trailing underscore.
_RESERVED = frozenset(
    {
        "Any",
        "ArrayOf",
        "Decimal",
        "DictionaryOf",
        "Enumeration",
        "Field",
        "Flags",
        "Operation",
        "Optional",
        "Param",
        "Service",
        "Struct",
        "UUID",
        "attrs",
        "datetime",
        "enum",
        "secret_repr",
        "timedelta",
    }
)
#: Constants the module defines or imports, which a type's constant must not take (a type named
#: ``Service`` gets ``SERVICE_TYPE``).
_MODULE_CONSTANTS = frozenset(
    {"ARRAYS", "OPERATIONS", "RAW", "SECRET_STRING", "SERVICE", *(e for e, _ in _SCALARS.values())}
)
#: Names a model's attribute must not take: its class body would shadow a type its annotations use.
_SHADOWING = _RESERVED | frozenset({"bool", "bytes", "dict", "float", "int", "list", "str"})


@attrs.define
class _Type:
    """A type of the module: its declaration expression, its Python annotation, what it is."""

    kind: str  # scalar, enum, flags, struct, array, dict
    expr: str  # the declaration as code (a constant's name, or STRING)
    python: str  # the annotation
    qname: Optional[QN] = None
    defined: bool = False  # its constant is already written (else refer to it lazily)
    lazy: bool = False  # referred to before it was written: its constant is annotated


@attrs.define
class _Model:
    name: str
    constant: str
    decl: ComplexDecl
    fields: list[tuple[ElementDecl, _Type]] = attrs.field(factory=list)


class _Builder:
    """Walks the operations' types, depth first, and writes each type once, after what it uses."""

    def __init__(self, wsdl: Wsdl, options: Options) -> None:
        self.wsdl = wsdl
        self.options = options
        self.types: dict[QN, _Type] = {}
        self.blocks: list[str] = []
        self.imports: set[str] = set()  # names from superoffice_soap.types
        self.py_imports: set[str] = set()
        self.uses_enum = False
        self.uses_secret = False
        self.constants: set[str] = set(_MODULE_CONSTANTS)
        self.exports: list[str] = []
        self.operation: str = ""
        #: Operation constants, which type constants must not take.
        self.operation_constants: set[str] = set()
        self.sends_ticket = True
        self.wrappers: dict[QN, _Type] = {}

    # -- types

    def type_of(self, qname: QN, where: str) -> _Type:
        known = self.types.get(qname)
        if known is not None:
            return known
        scalar = _SCALARS.get(qname)
        if scalar is not None:
            expr, python = scalar
            self.imports.add(expr)
            if python in _PY_IMPORTS:
                self.py_imports.add(python)
            return _Type("scalar", expr, python, qname, defined=True)
        simple = self.wsdl.simple_types.get(qname)
        if simple is not None:
            return self._simple(simple, where)
        complex_ = self.wsdl.complex_types.get(qname)
        if complex_ is not None:
            return self._complex(complex_, qname, where)
        namespace, local = qname
        prefix = "xs:" if namespace == XSD else ""
        raise GenerationError(
            f"{self.operation}: the type {prefix}{local} ({where}) is not supported"
            + ("" if namespace == XSD else f" or not declared (namespace {namespace})")
        )

    def _simple(self, simple: SimpleDecl, where: str) -> _Type:
        name = simple.name[1]
        if simple.problem is not None or not simple.tokens:
            if simple.base is not None and not simple.is_list and simple.base in _SCALARS:
                found = self.type_of(simple.base, where)  # a restriction (ser:guid, ser:char)
                self.types[simple.name] = found
                return found
            raise GenerationError(
                f"{self.operation}: the type {name} ({where}) is "
                f"{simple.problem or 'a restriction without enumerations'}, not supported"
            )
        class_name = self._new_class(name)
        constant = self._new_constant(name)
        kind = "flags" if simple.is_list else "enum"
        found = _Type(kind, constant, class_name, simple.name, defined=True)
        self.types[simple.name] = found
        self.uses_enum = True
        self.blocks.append(_enum_block(class_name, constant, simple, self.wsdl.service))
        self.imports.add("Flags" if simple.is_list else "Enumeration")
        self.exports += [class_name, constant]
        return found

    def _complex(self, decl: ComplexDecl, qname: QN, where: str) -> _Type:
        name = qname[1]
        if decl.problem is not None:
            raise GenerationError(
                f"{self.operation}: the type {name} ({where}) has {decl.problem}, not supported"
            )
        if decl.is_dictionary:
            return self._dictionary(decl, qname, where)
        if decl.base is None and len(decl.elements) == 1 and decl.elements[0].max_occurs is None:
            return self._array(decl, qname, where)
        return self._struct(decl, qname, where)

    def _array(self, decl: ComplexDecl, qname: QN, where: str) -> _Type:
        item = decl.elements[0]
        constant = self._new_constant(qname[1])
        found = _Type("array", constant, self._python(qname), qname)
        self.types[qname] = found
        item_type = self._element_type(item, f"{qname[1]}.{item.name}", item=True)
        args = [_str(item.name), _ref(item_type)]
        if item.namespace == MS_ARRAYS:
            args.append("namespace=ARRAYS")
            self.imports.add("ARRAYS")
        elif item.namespace != self.wsdl.target_namespace:
            args.append(f"namespace={_str(item.namespace)}")
        self.imports.add("ArrayOf")
        self.blocks.append(_assign(_target(found, "ArrayOf"), _call("ArrayOf", args)))
        found.defined = True
        self.exports.append(constant)
        return found

    def _dictionary(self, decl: ComplexDecl, qname: QN, where: str) -> _Type:
        pair = decl.elements[0] if len(decl.elements) == 1 else None
        inline = None if pair is None else pair.inline
        entries = {} if inline is None else {e.name: e for e in inline.elements}
        if pair is None or set(entries) != {"Key", "Value"}:
            raise GenerationError(
                f"{self.operation}: the dictionary {qname[1]} ({where}) is not Key/Value pairs"
            )
        constant = self._new_constant(qname[1])
        found = _Type("dict", constant, self._python(qname), qname)
        self.types[qname] = found
        key = self._element_type(entries["Key"], f"{qname[1]}.Key")
        if key.kind != "scalar":
            raise GenerationError(
                f"{self.operation}: the dictionary {qname[1]} ({where}) has keys that are "
                "not simple values"
            )
        value = self._element_type(entries["Value"], f"{qname[1]}.Value")
        args = [_str(pair.name), _ref(value)]
        if key.expr != "STRING":
            args.append(f"key={key.expr}")
        self.imports.add("DictionaryOf")
        self.blocks.append(_assign(_target(found, "DictionaryOf"), _call("DictionaryOf", args)))
        found.defined = True
        self.exports.append(constant)
        return found

    def _struct(self, decl: ComplexDecl, qname: QN, where: str) -> _Type:
        class_name = self._new_class(qname[1])
        constant = self._new_constant(qname[1])
        found = _Type("struct", constant, class_name, qname)
        self.types[qname] = found
        model = _Model(class_name, constant, decl)
        for element in self._all_elements(decl, qname[1]):
            field_type = self._element_type(element, f"{qname[1]}.{element.name}")
            model.fields.append((element, field_type))
        self.imports.update({"Field", "Struct"})
        self.blocks.append(self._model_block(model, _target(found, "Struct")))
        found.defined = True
        self.exports += [class_name, constant]
        return found

    def _python(self, qname: Optional[QN]) -> str:
        """The annotation of a type, before it is written (a type may contain itself)."""
        if qname is None:
            return "Any"
        known = self.types.get(qname)
        if known is not None:
            return known.python
        if qname in _SCALARS:
            return _SCALARS[qname][1]
        simple = self.wsdl.simple_types.get(qname)
        if simple is not None:
            if not simple.tokens and simple.base in _SCALARS:
                return self._python(simple.base)
            return _class_name(qname[1])
        decl = self.wsdl.complex_types.get(qname)
        if decl is not None and decl.is_dictionary and len(decl.elements) == 1:
            inline = decl.elements[0].inline
            entries = {} if inline is None else {e.name: e.type for e in inline.elements}
            return f"dict[{self._python(entries.get('Key'))}, {self._python(entries.get('Value'))}]"
        if (
            decl is not None
            and decl.base is None
            and len(decl.elements) == 1
            and decl.elements[0].max_occurs is None
        ):
            return f"list[{self._python(decl.elements[0].type)}]"
        return _class_name(qname[1])

    def wrapper_type(self, element: QN, children: list[ElementDecl]) -> _Type:
        """The model of an answer wrapper of several elements (read unwrapped), once per
        element however many operations answer with it; named as the element, or
        ``<Element>Answer`` when a type has that name."""
        known = self.wrappers.get(element)
        if known is not None:
            return known
        name = element[1]
        if any(q[1] == name for q in (*self.wsdl.complex_types, *self.wsdl.simple_types)):
            name += "Answer"
        qname = (element[0], name)
        synthetic = ComplexDecl(qname, None, tuple(children), False, None)
        found = self.wrappers[element] = self._struct(synthetic, qname, "answer")
        return found

    def _all_elements(self, decl: ComplexDecl, name: str) -> list[ElementDecl]:
        """A type's elements, its base's first (complexContent extension)."""
        chain: list[ComplexDecl] = [decl]
        seen = {decl.name}
        while chain[-1].base is not None:
            base_name = chain[-1].base
            base = self.wsdl.complex_types.get(base_name) if base_name else None
            if base is None or base.name in seen or base.problem is not None:
                raise GenerationError(
                    f"{self.operation}: the base of {name} is missing or not supported"
                )
            seen.add(base.name)
            chain.append(base)
        return [element for part in reversed(chain) for element in part.elements]

    def _element_type(self, element: ElementDecl, where: str, *, item: bool = False) -> _Type:
        if element.max_occurs != (None if item else 1):
            raise GenerationError(
                f"{self.operation}: {where} repeats outside an array, not supported"
            )
        if element.type is None:
            raise GenerationError(f"{self.operation}: {where} has an inline type, not supported")
        found = self.type_of(element.type, where)
        if found.expr == "STRING" and _SECRET_NAME.search(element.name):
            self.imports.add("SECRET_STRING")
            return _Type("scalar", "SECRET_STRING", "str", found.qname, defined=True)
        return found

    # -- names

    def _new_class(self, name: str) -> str:
        return _class_name(name)

    def _new_constant(self, name: str) -> str:
        constant = constant_name(name)
        if constant in self.constants or constant in self.operation_constants:
            constant += "_TYPE"
        self.constants.add(constant)
        return constant

    # -- blocks

    def _model_block(self, model: _Model, target: str) -> str:
        lines = ["@attrs.frozen(kw_only=True)", f"class {model.name}:"]
        shown = model.decl.name[1] if model.decl.name else model.name
        lines += _docstring(model.decl.doc or f"NetServer's ``{shown}``.", "    ")
        if model.fields:
            lines.append("")
        attributes = []
        used: set[str] = set()
        for element, field_type in model.fields:
            attr = snake_case(element.name)
            while attr in used or attr in _SHADOWING:
                attr += "_"
            used.add(attr)
            attributes.append(attr)
            annotation = f"Optional[{field_type.python}]"
            if field_type.expr == "SECRET_STRING":
                self.uses_secret = True
                lines.append(
                    f"    {attr}: {annotation} = attrs.field(default=None, repr=secret_repr)"
                )
            else:
                lines.append(f"    {attr}: {annotation} = None")
        fields = []
        for (element, field_type), attr in zip(model.fields, attributes):
            args = [_str(element.name), _str(attr), _ref(field_type)]
            if not element.nillable:
                args.append("nillable=False")
            fields.append(_call("Field", args))
        wire_name = model.decl.name[1] if model.decl.name else model.name
        struct_args: list[Code] = [_str(wire_name), model.name, _tuple(fields)]
        namespace = model.decl.name[0] if model.decl.name else self.wsdl.target_namespace
        if namespace != self.wsdl.target_namespace:
            struct_args.append(f"namespace={_str(namespace)}")
        struct = _call("Struct", struct_args)
        return "\n".join(lines) + "\n\n\n" + _assign(target, struct)


# ------------------------------------------------------------------------------------------------
# The module


def render_module(wsdl: Wsdl, options: Options) -> str:
    """The module's text for ``options.operations`` (all when empty) of ``wsdl``."""
    names = list(options.operations) or list(wsdl.operations)
    for name in [*names, *options.safe, *options.unsafe]:
        if name not in wsdl.operations:
            raise GenerationError(_unknown_operation(name, wsdl))
    names = list(dict.fromkeys(names))
    builder = _Builder(wsdl, options)
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


def _operation_block(builder: _Builder, op: OperationDecl, constant: str, options: Options) -> str:
    wsdl = builder.wsdl
    builder.operation = op.name
    request = _wrapper(wsdl, op.request, op.name)
    params: list[Code] = []
    signature: list[str] = []
    for element in (
        builder._all_elements(request, op.request[1]) if request.base else request.elements
    ):
        param_type = builder._element_type(element, f"parameter {element.name}")
        python_name = snake_case(element.name)
        params.append(_call("Param", [_str(python_name), _str(element.name), param_type.expr]))
        signature.append(f"{python_name}: {param_type.python}")
    response = _wrapper(wsdl, op.response, op.name)
    result_expr = "None"
    result_python = "None"
    extra: list[str] = []
    if op.response[1] != f"{op.name}Response":
        extra.append(f"response_element={_str(op.response[1])}")
    children = (
        builder._all_elements(response, op.response[1])
        if response.base
        else list(response.elements)
    )
    if len(children) == 1:
        child = children[0]
        result = builder._element_type(child, f"answer {child.name}")
        result_expr = _ref(result)
        result_python = result.python
        if child.name != "Response":
            extra.append(f"result_element={_str(child.name)}")
        # What the WSDL lets be nil may be nil: a struct or a string ("not found"), and a .NET
        # Nullable value (int?, an enum?); an array reads an empty list instead.
        if child.nillable and result.kind != "array":
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
    arguments: list[Code] = [
        "SERVICE",
        _str(op.name),
        _tuple(params),
        result_expr,
        f"retry_safe={safe}",
        *extra,
        f"signature={function}",
    ]
    return stub + "\n\n\n" + _assign(constant, _call("Operation", arguments))


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
    if len(header) > _LINE:
        header = "\n".join(
            [f"def {function}(", "    *,", *[f"    {p}," for p in params], f") -> {result}:"]
        )
    body = _docstring(doc, "    ") if doc else []
    return "\n".join([header, *body, "    raise NotImplementedError  # a signature, never called"])


def _module_text(
    wsdl: Wsdl,
    options: Options,
    names: list[str],
    builder: _Builder,
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

    imports = ["from __future__ import annotations", ""]
    std = []
    if builder.uses_enum:
        std.append("import enum")
    modules: dict[str, list[str]] = {}
    for python in sorted(builder.py_imports):
        modules.setdefault(_PY_IMPORTS[python], []).append(python)
    for module, names_ in modules.items():
        std.append(f"from {module} import {', '.join(names_)}")
    std.append("from typing import Any, Optional")
    imports += _sorted_imports(std)
    imports += ["", "import attrs", ""]  # the library is a section of its own, as in this project
    imports.append(_from_import("superoffice_soap", ["Operation", "Param", "Service"]))
    type_names = sorted(
        builder.imports | ({"secret_repr"} if builder.uses_secret else set()), key=_isort_key
    )
    imports.append(_from_import("superoffice_soap.types", type_names))
    exports = sorted(
        {"OPERATIONS", "SERVICE", *op_constants.values(), *builder.exports}, key=_isort_key
    )
    service = (
        f"Service({_str(wsdl.service)})"
        if sends_ticket
        else f"Service({_str(wsdl.service)}, sends_ticket=False)"
    )
    all_block = "__all__ = [\n" + "".join(f"    {_str(name)},\n" for name in exports) + "]"
    mapping = (
        "OPERATIONS: dict[str, Operation[..., Any]] = {\n"
        + "".join(f"    {_str(name)}: {op_constants[name]},\n" for name in names)
        + "}"
    )
    sections = [
        head,
        "\n".join(imports),
        all_block,
        f"#: The endpoint: <base>/{wsdl.service}.svc\nSERVICE = {service}",
        *builder.blocks,
        *operation_blocks,
        "#: Every operation of this module by its wire name.\n" + mapping,
    ]
    text = "\n\n\n".join(section.strip("\n") for section in sections) + "\n"
    import_block = "\n".join(imports)
    return text.replace(f"\n\n\n{import_block}\n\n\n", f"\n\n{import_block}\n\n", 1)


def _services(wsdl: Wsdl) -> str:
    return wsdl.target_namespace.rstrip("/").rpartition("/")[2] or wsdl.target_namespace


# ------------------------------------------------------------------------------------------------
# Code, formatted as ruff formats it


def _str(text: str) -> str:
    """A Python string literal, double-quoted as ruff writes it."""
    literal = repr(text)
    if literal.startswith("'") and '"' not in text:
        literal = '"' + literal[1:-1].replace("\\'", "'") + '"'
    return literal


def _ref(found: _Type) -> str:
    """A declaration as a field's type: by name, or lazily while it is being written."""
    if found.defined:
        return found.expr
    found.lazy = True
    return f"lambda: {found.expr}"


def _target(found: _Type, declaration: str) -> str:
    """The left side of a declaration's assignment: annotated when a lambda refers to it (so
    that a type checker knows its type before the assignment)."""
    return f"{found.expr}: {declaration}" if found.lazy else found.expr


Code = Union[str, "_Call", "_Tuple"]


@attrs.frozen
class _Call:
    function: str
    args: tuple[Code, ...]


@attrs.frozen
class _Tuple:
    items: tuple[Code, ...]


def _call(function: str, args: Iterable[Code]) -> _Call:
    return _Call(function, tuple(args))


def _tuple(items: Sequence[Code]) -> _Tuple:
    return _Tuple(tuple(items))


def _flat(code: Code) -> str:
    if isinstance(code, str):
        return code
    if isinstance(code, _Call):
        return f"{code.function}({', '.join(_flat(a) for a in code.args)})"
    if len(code.items) == 1:
        return f"({_flat(code.items[0])},)"
    return f"({', '.join(_flat(i) for i in code.items)})"


def _render(code: Code, indent: int, prefix: str, suffix: str) -> list[str]:
    """Lines of ``prefix + code + suffix`` at ``indent``: one line if it fits, else exploded."""
    pad = " " * indent
    flat = f"{pad}{prefix}{_flat(code)}{suffix}"
    if len(flat) <= _LINE or isinstance(code, str):
        return [flat]
    if isinstance(code, _Call):
        opening, items, closing = f"{code.function}(", code.args, ")"
    else:
        opening, items, closing = "(", code.items, ")"
    lines = [f"{pad}{prefix}{opening}"]
    for item in items:
        lines += _render(item, indent + 4, "", ",")
    lines.append(f"{pad}{closing}{suffix}")
    return lines


def _assign(name: str, code: Code) -> str:
    return "\n".join(_render(code, 0, f"{name} = ", ""))


def _docstring(text: Optional[str], indent: str) -> list[str]:
    if not text:
        return []
    clean = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if clean.endswith('"'):  # a quote next to the closing quotes would end the string early
        clean = clean[:-1] + '\\"'
    width = _LINE - len(indent) - 6
    wrapped = textwrap.wrap(clean, width, break_long_words=False, break_on_hyphens=False)
    if len(wrapped) == 1:
        return [f'{indent}"""{wrapped[0]}"""']
    return [
        f'{indent}"""{wrapped[0]}',
        *[f"{indent}{line}" for line in wrapped[1:]],
        f'{indent}"""',
    ]


def _enum_block(class_name: str, constant: str, simple: SimpleDecl, service: str) -> str:
    base = "enum.Flag" if simple.is_list else "str, enum.Enum"
    lines = [f"class {class_name}({base}):"]
    kind = ".NET flags" if simple.is_list else "enumeration"
    lines += _docstring(simple.doc or f"NetServer's ``{simple.name[1]}`` ({kind}).", "    ")
    lines.append("")
    members: set[str] = set()
    for position, token in enumerate(simple.tokens):
        member = constant_name(token) if token else "EMPTY"
        if not member.isidentifier() or keyword.iskeyword(member):
            member = "_" + member
        while member in members:
            member += "_"
        members.add(member)
        value = str(1 << position) if simple.is_list else _str(token)
        lines.append(f"    {member} = {value}")
    if simple.is_list:
        declaration = _call(
            "Flags", [_str(simple.name[1]), _tuple([_str(t) for t in simple.tokens]), class_name]
        )
    else:
        declaration = _call("Enumeration", [class_name])
    return "\n".join(lines) + "\n\n\n" + _assign(constant, declaration)


def _isort_key(name: str) -> tuple[int, str]:
    """ruff's isort order within one import: CONSTANTS, then Classes, then functions."""
    if name.isupper() or (name.upper() == name and "_" in name):
        return (0, name)
    if name[0].isupper():
        return (1, name)
    return (2, name)


def _from_import(module: str, names: list[str]) -> str:
    line = f"from {module} import {', '.join(names)}"
    if len(line) <= _LINE:
        return line
    return "\n".join([f"from {module} import (", *[f"    {n}," for n in names], ")"])


def _sorted_imports(lines: list[str]) -> list[str]:
    plain = sorted(line for line in lines if line.startswith("import "))
    froms = sorted(line for line in lines if line.startswith("from "))
    return plain + froms
