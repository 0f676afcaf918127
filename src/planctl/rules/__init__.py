"""All rules, one module per family. Importing this package registers them."""

from planctl.rules import (  # noqa: F401  (imported for registration)
    activation,
    aftermath,
    command,
    contacts,
    crossplan,
    document,
    duties,
    internal,
    legal,
    links,
    maintenance,
    messages,
    monitoring,
    mutual_aid,
    notification,
    parties,
    prevention,
    public_info,
    references,
    resources,
    rotation,
    structure,
    syntax,
    targets,
    text,
    validity,
)
from planctl.rules.base import Context, Options, Problem, Rule, registry

# text hygiene looks at the words themselves, markers included
for _code in ("TXT001", "TXT002"):
    registry.get(_code).sees_placeholders = True

# rule packs installed beside planctl (entry point group planctl.rules)
from planctl import plugins as _plugins  # noqa: E402

_plugins.load()

__all__ = ["Context", "Options", "Problem", "Rule", "registry"]
