"""The reference WSDLs, the modules the generator writes from them, and those modules imported.

Every generated module is imported from its text (``exec`` into a fresh module registered in
``sys.modules``, as an import would), once per WSDL and set of operations per test session.
"""

from __future__ import annotations

import functools
import sys
import types
from pathlib import Path

from superoffice_soap.generate import generate

from .conftest import REFERENCE, reference_file

#: Every reference WSDL, by a short key: ``Services86/User`` … and the two cut-down ones.
WSDLS: dict[str, Path] = {
    **{
        f"{path.parent.name}/{path.stem}": path
        for path in sorted((REFERENCE / "wsdl").glob("Services*/*.wsdl"))
    },
    "soprincipal": reference_file("soprincipal.wsdl"),
    "user-credentials": reference_file("user-credentials.wsdl"),
}


def services_of(key: str) -> str:
    """The Services version a reference WSDL describes (its namespace and action URIs)."""
    return "Services88" if key.startswith("Services88") else "Services86"


def module_name(key: str, operations: tuple[str, ...] = ()) -> str:
    """A Python module name for a WSDL key (and a set of operations)."""
    name = "generated_" + key.lower().replace("/", "_").replace("-", "_")
    return name + ("_" + "_".join(op.lower() for op in operations) if operations else "")


@functools.cache
def source(key: str, operations: tuple[str, ...] = ()) -> str:
    """The module the generator writes for a reference WSDL (all operations when none named)."""
    return generate(WSDLS[key], operations)


@functools.cache
def module(key: str, operations: tuple[str, ...] = ()) -> types.ModuleType:
    """The generated module, imported."""
    return load(source(key, operations), module_name(key, operations))


def load(text: str, name: str) -> types.ModuleType:
    """Import a module from its text under ``name`` (registered in ``sys.modules``)."""
    loaded = types.ModuleType(name)
    loaded.__file__ = f"<{name}>"
    sys.modules[name] = loaded
    try:
        exec(compile(text, f"<{name}>", "exec"), loaded.__dict__)
    except BaseException:
        del sys.modules[name]
        raise
    return loaded
