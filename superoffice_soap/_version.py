"""The library's version: a constant, so that a vendored copy needs no distribution metadata."""

__version__ = "0.1.0"
