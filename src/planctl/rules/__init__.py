"""All rules, one module per family. Importing this package registers them."""

from planctl.rules import (  # noqa: F401  (imported for registration)
    command,
    contacts,
    duties,
    internal,
    maintenance,
    mutual_aid,
    notification,
    references,
    structure,
    syntax,
    text,
)
from planctl.rules.base import Context, Options, Problem, Rule, registry

__all__ = ["Context", "Options", "Problem", "Rule", "registry"]
