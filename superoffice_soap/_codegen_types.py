"""The types of a generated module: each XSD type the operations reach, written once (the
generator's first half; ``_codegen`` writes the operations and the module around them).

From a WSDL's plain data (``_wsdl``) to the text of a Python module of declarations.

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
from collections.abc import Mapping
from typing import Optional

import attrs

from ._namespaces import MS_ARRAYS, MS_SERIALIZATION, XSD
from ._pyformat import (
    LINE,
    Code,
    assign,
    call,
    docstring,
    py_str,
    tuple_of,
)
from ._wsdl import QN, ComplexDecl, ElementDecl, SimpleDecl, Wsdl
from ._xml import is_secret_name

__all__ = [
    "PY_IMPORTS",
    "READ_ONLY_PREFIXES",
    "Builder",
    "Choices",
    "GenerationError",
    "Options",
    "TypeInfo",
    "constant_name",
    "is_read_only",
    "ref",
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


class GenerationError(ValueError):
    """What a WSDL asks for that cannot be generated (the message names it and the operation)."""


@attrs.frozen
class Choices:
    """Where a module departs from what the WSDL alone says (the library's own built-ins use
    this; a user's module needs none). Keys name a type or an operation and an element.

    ``names``: (type or operation, element) → Python name. ``classes`` / ``constants``: type →
    class name / declaration constant. ``defaults``: (type, element) → a default for writing
    (code). ``docs``: type → docstring. ``external``: type → module whose class and constant
    are imported instead of written. ``unwrap``: type → the one element it is read as.
    ``read_only_base``: the fields a type has from this base are read, never written (and
    come last in the class).
    ``flags_as_sets``: .NET flags as frozensets of tokens. ``arrays_as_tuples``: arrays inside
    models as tuples. ``mappings_read_only``: dictionaries as read-only mappings.
    ``required_results``: operations whose answer must be there. ``operation_options``:
    operation → extra ``Operation`` keywords (code). ``service``: the service's constant and
    expression (None: imported, through ``imports``). ``imports``: extra import lines. ``package``: import the library relatively
    (a module inside superoffice_soap).
    """

    names: Mapping[tuple[str, str], str] = attrs.field(factory=dict)
    classes: Mapping[str, str] = attrs.field(factory=dict)
    constants: Mapping[str, str] = attrs.field(factory=dict)
    defaults: Mapping[tuple[str, str], str] = attrs.field(factory=dict)
    docs: Mapping[str, str] = attrs.field(factory=dict)
    external: Mapping[str, str] = attrs.field(factory=dict)
    unwrap: Mapping[str, str] = attrs.field(factory=dict)
    read_only_base: Optional[str] = None
    flags_as_sets: bool = False
    arrays_as_tuples: bool = False
    mappings_read_only: bool = False
    required_results: frozenset[str] = frozenset()
    operation_options: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    service: Optional[tuple[str, Optional[str]]] = None
    imports: tuple[str, ...] = ()
    package: bool = False


@attrs.frozen
class Options:
    """Generation options: ``operations`` to generate (all when empty), those to mark
    ``safe`` or ``unsafe`` to repeat whatever their name says, the ``source`` and ``command``
    named in the module's docstring, and the ``choices`` of a module that departs from the
    WSDL."""

    operations: tuple[str, ...] = ()
    safe: tuple[str, ...] = ()
    unsafe: tuple[str, ...] = ()
    source: str = "the WSDL"
    command: Optional[str] = None
    choices: Choices = Choices()


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
PY_IMPORTS = {
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


def attribute_name(element: str) -> str:
    """The Python name of an element, as a model attribute and as a keyword argument: its
    ``snake_case``, with a trailing underscore more where it would hide a name the module's
    annotations use (``Float`` → ``float_``, ``Str`` → ``str_``)."""
    name = snake_case(element)
    while name in _SHADOWING:
        name += "_"
    return name


@attrs.define
class TypeInfo:
    """A type of the module: its declaration expression, its Python annotation, what it is."""

    kind: str  # scalar, enum, flags, struct, array, dict
    expr: str  # the declaration as code (a constant's name, or STRING)
    python: str  # the annotation
    qname: Optional[QN] = None
    defined: bool = False  # its constant is already written (else refer to it lazily)
    lazy: bool = False  # referred to before it was written: its constant is annotated
    secret: bool = False  # a secret string (or a type read as one): masked in repr


@attrs.define
class _Model:
    name: str
    constant: str
    decl: ComplexDecl
    fields: list[tuple[ElementDecl, TypeInfo]] = attrs.field(factory=list)


class Builder:
    """Walks the operations' types, depth first, and writes each type once, after what it uses."""

    def __init__(self, wsdl: Wsdl, options: Options) -> None:
        self.wsdl = wsdl
        self.options = options
        self.choices = options.choices
        self.types: dict[QN, TypeInfo] = {}
        self.blocks: list[str] = []
        self.imports: set[str] = set()  # names from superoffice_soap.types
        self.py_imports: set[str] = set()
        self.external_imports: dict[str, set[str]] = {}
        self.uses_enum = False
        self.uses_secret = False
        self.uses_mapping = False
        self.constants: set[str] = set(_MODULE_CONSTANTS)
        self.exports: list[str] = []
        self.operation: str = ""
        #: Operation constants, which type constants must not take.
        self.operation_constants: set[str] = set()
        self.sends_ticket = True
        self.wrappers: dict[QN, TypeInfo] = {}

    # -- types

    def type_of(self, qname: QN, where: str) -> TypeInfo:
        known = self.types.get(qname)
        if known is not None:
            return known
        scalar = _SCALARS.get(qname)
        if scalar is not None:
            expr, python = scalar
            self.imports.add(expr)
            if python in PY_IMPORTS:
                self.py_imports.add(python)
            return TypeInfo("scalar", expr, python, qname, defined=True)
        if qname[1] in self.choices.external:
            return self._external(qname)
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

    def _external(self, qname: QN) -> TypeInfo:
        """A type another module declares: its class (for annotations) and constant imported."""
        module = self.choices.external[qname[1]]
        constant = self.choices.constants.get(qname[1]) or constant_name(qname[1])
        python = self._python(qname)
        names = self.external_imports.setdefault(module, set())
        names.add(constant)
        found = TypeInfo("external", constant, python, qname, defined=True)
        self.types[qname] = found
        return found

    def _simple(self, simple: SimpleDecl, where: str) -> TypeInfo:
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
        constant = self._new_constant(name)
        if simple.is_list and self.choices.flags_as_sets:
            found = TypeInfo("flags", constant, "frozenset[str]", simple.name, defined=True)
            self.types[simple.name] = found
            tokens = tuple_of([py_str(token) for token in simple.tokens])
            self.blocks.append(assign(constant, call("Flags", [py_str(name), tokens])))
            self.imports.add("Flags")
            self.exports.append(constant)
            return found
        class_name = self._new_class(name)
        kind = "flags" if simple.is_list else "enum"
        found = TypeInfo(kind, constant, class_name, simple.name, defined=True)
        self.types[simple.name] = found
        self.uses_enum = True
        doc = self.choices.docs.get(name, simple.doc)
        self.blocks.append(_enum_block(class_name, constant, simple, doc))
        self.imports.add("Flags" if simple.is_list else "Enumeration")
        self.exports += [class_name, constant]
        return found

    def _complex(self, decl: ComplexDecl, qname: QN, where: str) -> TypeInfo:
        name = qname[1]
        if decl.problem is not None:
            raise GenerationError(
                f"{self.operation}: the type {name} ({where}) has {decl.problem}, not supported"
            )
        if decl.is_dictionary:
            return self._dictionary(decl, qname, where)
        if _is_array(decl):
            return self._array(decl, qname, where)
        return self._struct(decl, qname, where)

    def _array(self, decl: ComplexDecl, qname: QN, where: str) -> TypeInfo:
        item = decl.elements[0]
        constant = self._new_constant(qname[1])
        found = TypeInfo("array", constant, self._python(qname), qname)
        self.types[qname] = found
        item_type = self._element_type(item, f"{qname[1]}.{item.name}", item=True)
        args = [py_str(item.name), ref(item_type)]
        if item.namespace == MS_ARRAYS:
            args.append("namespace=ARRAYS")
            self.imports.add("ARRAYS")
        elif item.namespace != self.wsdl.target_namespace:
            args.append(f"namespace={py_str(item.namespace)}")
        if self.choices.arrays_as_tuples:
            args.append("into=tuple")
        self.imports.add("ArrayOf")
        self.blocks.append(assign(_target(found, "ArrayOf"), call("ArrayOf", args)))
        found.defined = True
        self.exports.append(constant)
        return found

    def _dictionary(self, decl: ComplexDecl, qname: QN, where: str) -> TypeInfo:
        pair = decl.elements[0] if len(decl.elements) == 1 else None
        inline = None if pair is None else pair.inline
        entries = {} if inline is None else {e.name: e for e in inline.elements}
        if pair is None or set(entries) != {"Key", "Value"}:
            raise GenerationError(
                f"{self.operation}: the dictionary {qname[1]} ({where}) is not Key/Value pairs"
            )
        constant = self._new_constant(qname[1])
        found = TypeInfo("dict", constant, self._python(qname), qname)
        self.types[qname] = found
        key = self._element_type(entries["Key"], f"{qname[1]}.Key")
        if key.kind != "scalar":
            raise GenerationError(
                f"{self.operation}: the dictionary {qname[1]} ({where}) has keys that are "
                "not simple values"
            )
        value = self._element_type(entries["Value"], f"{qname[1]}.Value")
        args = [py_str(pair.name), ref(value)]
        if key.expr != "STRING":
            args.append(f"key={key.expr}")
        self.imports.add("DictionaryOf")
        self.blocks.append(assign(_target(found, "DictionaryOf"), call("DictionaryOf", args)))
        found.defined = True
        self.exports.append(constant)
        return found

    def _struct(self, decl: ComplexDecl, qname: QN, where: str) -> TypeInfo:
        class_name = self._new_class(qname[1])
        constant = self._new_constant(qname[1])
        unwrapped = self.choices.unwrap.get(qname[1])
        found = TypeInfo("struct", constant, self._python(qname), qname)
        self.types[qname] = found
        model = _Model(class_name, constant, decl)
        for element in self.all_elements(decl, qname[1]):
            field_type = self._element_type(element, f"{qname[1]}.{element.name}")
            model.fields.append((element, field_type))
        self.imports.update({"Field", "Struct"})
        if unwrapped is not None:
            self.blocks.append(self._unwrapped_block(model, unwrapped, _target(found, "Struct")))
            found.secret = any(
                t.expr == "SECRET_STRING" for e, t in model.fields if e.name == unwrapped
            )
            self.exports.append(constant)
        else:
            self.blocks.append(self._model_block(model, _target(found, "Struct")))
            self.exports += [class_name, constant]
        found.defined = True
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
        external = self.choices.external.get(qname[1])
        simple = self.wsdl.simple_types.get(qname)
        if simple is not None:
            if not simple.tokens and simple.base in _SCALARS:
                return self._python(simple.base)
            if simple.is_list and self.choices.flags_as_sets:
                return "frozenset[str]"
            return self._class_reference(qname[1], external)
        decl = self.wsdl.complex_types.get(qname)
        if decl is not None and decl.is_dictionary and len(decl.elements) == 1:
            inline = decl.elements[0].inline
            entries = {} if inline is None else {e.name: e.type for e in inline.elements}
            key, value = self._python(entries.get("Key")), self._python(entries.get("Value"))
            if self.choices.mappings_read_only:
                self.uses_mapping = True
                return f"Mapping[{key}, {value}]"
            return f"dict[{key}, {value}]"
        if decl is not None and _is_array(decl):
            item = self._python(decl.elements[0].type)
            return f"tuple[{item}, ...]" if self.choices.arrays_as_tuples else f"list[{item}]"
        unwrapped = self.choices.unwrap.get(qname[1])
        if decl is not None and unwrapped is not None:
            inner = next(e for e in decl.elements if e.name == unwrapped)
            return self._python(inner.type)
        return self._class_reference(qname[1], external)

    def _class_reference(self, name: str, external: Optional[str]) -> str:
        class_name = self._new_class(name)
        if external is not None:
            self.external_imports.setdefault(external, set()).add(class_name)
        return class_name

    def wrapper_type(self, element: QN, children: list[ElementDecl]) -> TypeInfo:
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

    def all_elements(self, decl: ComplexDecl, name: str) -> list[ElementDecl]:
        """A type's elements, its base's first (complexContent extension)."""
        return [element for _, element in self._owned_elements(decl, name)]

    def _owned_elements(self, decl: ComplexDecl, name: str) -> list[tuple[str, ElementDecl]]:
        """(type that declares it, element) for each element of a type, its bases' first."""
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
        return [
            (part.name[1] if part.name else name, element)
            for part in reversed(chain)
            for element in part.elements
        ]

    def element_type(self, element: ElementDecl, where: str) -> TypeInfo:
        return self._element_type(element, where)

    def _element_type(self, element: ElementDecl, where: str, *, item: bool = False) -> TypeInfo:
        if element.max_occurs != (None if item else 1):
            raise GenerationError(
                f"{self.operation}: {where} repeats outside an array, not supported"
            )
        if element.type is None:
            raise GenerationError(f"{self.operation}: {where} has an inline type, not supported")
        found = self.type_of(element.type, where)
        if found.expr == "STRING" and is_secret_name(element.name):
            self.imports.add("SECRET_STRING")
            return TypeInfo(
                "scalar", "SECRET_STRING", "str", found.qname, defined=True, secret=True
            )
        return found

    # -- names

    def _new_class(self, name: str) -> str:
        return self.choices.classes.get(name) or _class_name(name)

    def _new_constant(self, name: str) -> str:
        constant = self.choices.constants.get(name) or constant_name(name)
        if constant in self.constants or constant in self.operation_constants:
            constant += "_TYPE"
        self.constants.add(constant)
        return constant

    def python_name(self, owner: str, element: str) -> str:
        return self.choices.names.get((owner, element)) or attribute_name(element)

    # -- blocks

    def _model_block(self, model: _Model, target: str) -> str:
        choices = self.choices
        name = model.decl.name[1] if model.decl.name else model.name
        lines = ["@attrs.frozen(kw_only=True)", f"class {model.name}:"]
        doc = choices.docs.get(name) or model.decl.doc or f"NetServer's ``{name}``."
        lines += docstring(doc, "    ")
        if model.fields:
            lines.append("")
        owners = dict(
            (element.name, owner) for owner, element in self._owned_elements(model.decl, name)
        )
        attributes = []
        used: set[str] = set()
        trailing: list[str] = []  # the read-only base's attributes, after the type's own
        for element, field_type in model.fields:
            attr = self.python_name(name, element.name)
            while attr in used or attr in _SHADOWING:
                attr += "_"
            used.add(attr)
            attributes.append(attr)
            annotation = f"Optional[{field_type.python}]"
            default = choices.defaults.get((name, element.name), "None")
            options: list[str] = []
            if field_type.secret:
                self.uses_secret = True
                options.append("repr=secret_repr")
            if field_type.kind == "dict" and choices.mappings_read_only:
                self.imports.add("read_only_mapping")
                options += ["converter=read_only_mapping", "hash=False"]
            joined = ", ".join(options)
            value = f"attrs.field(default={default}, {joined})" if options else default
            line = f"    {attr}: {annotation} = {value}"
            if len(line) > LINE:
                line = "\n".join(
                    [
                        f"    {attr}: {annotation} = attrs.field(",
                        f"        default={default}, {', '.join(options)}",
                        "    )",
                    ]
                )
            if (
                choices.read_only_base is not None
                and owners[element.name] == choices.read_only_base
            ):
                trailing.append(line)
            else:
                lines.append(line)
        lines += trailing
        fields = []
        for (element, field_type), attr in zip(model.fields, attributes):
            args = [py_str(element.name), py_str(attr), ref(field_type)]
            if not element.nillable:
                args.append("nillable=False")
            if (
                choices.read_only_base is not None
                and owners[element.name] == choices.read_only_base
            ):
                args.append("read_only=True")
            fields.append(call("Field", args))
        struct_args: list[Code] = [py_str(name), model.name, tuple_of(fields)]
        namespace = model.decl.name[0] if model.decl.name else self.wsdl.target_namespace
        if namespace != self.wsdl.target_namespace:
            struct_args.append(f"namespace={py_str(namespace)}")
        struct = call("Struct", struct_args)
        return "\n".join(lines) + "\n\n\n" + assign(target, struct)

    def _unwrapped_block(self, model: _Model, element_name: str, target: str) -> str:
        """A type read as one of its elements: a function builds that element's value."""
        name = model.decl.name[1] if model.decl.name else model.name
        function = f"_{snake_case(name)}"
        (element, field_type) = next(f for f in model.fields if f[0].name == element_name)
        attr = self.python_name(name, element.name)
        python = f"Optional[{field_type.python}]"
        lines = [
            f"def {function}(*, {attr}: {python} = None) -> {python}:",
            *docstring(f"``{name}`` read as its ``{element_name}``.", "    "),
            f"    return {attr}",
        ]
        fields = [
            call(
                "Field",
                [
                    py_str(e.name),
                    py_str(self.python_name(name, e.name)) if e.name == element_name else "None",
                    ref(t),
                    *([] if e.nillable else ["nillable=False"]),
                ],
            )
            for e, t in model.fields
        ]
        struct = call("Struct", [py_str(name), function, tuple_of(fields)])
        return "\n".join(lines) + "\n\n\n" + assign(target, struct)


def _is_array(decl: ComplexDecl) -> bool:
    """A WCF collection: no base, one element that repeats without bound, not a dictionary."""
    return (
        not decl.is_dictionary
        and decl.base is None
        and len(decl.elements) == 1
        and decl.elements[0].max_occurs is None
    )


# ------------------------------------------------------------------------------------------------
# Helpers


def ref(found: TypeInfo) -> str:
    """A declaration as a field's type: by name, or lazily while it is being written."""
    if found.defined:
        return found.expr
    found.lazy = True
    return f"lambda: {found.expr}"


def _target(found: TypeInfo, declaration: str) -> str:
    """The left side of a declaration's assignment: annotated when a lambda refers to it (so
    that a type checker knows its type before the assignment)."""
    return f"{found.expr}: {declaration}" if found.lazy else found.expr


def _enum_block(class_name: str, constant: str, simple: SimpleDecl, doc: Optional[str]) -> str:
    base = "enum.Flag" if simple.is_list else "str, enum.Enum"
    lines = [f"class {class_name}({base}):"]
    kind = ".NET flags" if simple.is_list else "enumeration"
    lines += docstring(doc or f"NetServer's ``{simple.name[1]}`` ({kind}).", "    ")
    lines.append("")
    members: set[str] = set()
    for position, token in enumerate(simple.tokens):
        member = constant_name(token) if token else "EMPTY"
        if not member.isidentifier() or keyword.iskeyword(member):
            member = "_" + member
        while member in members:
            member += "_"
        members.add(member)
        value = str(1 << position) if simple.is_list else py_str(token)
        lines.append(f"    {member} = {value}")
    if simple.is_list:
        declaration = call(
            "Flags",
            [py_str(simple.name[1]), tuple_of([py_str(t) for t in simple.tokens]), class_name],
        )
    else:
        declaration = call("Enumeration", [class_name])
    return "\n".join(lines) + "\n\n\n" + assign(constant, declaration)
