"""All rules, one module per family.

The families register their rules when imported. That happens the first time
the registry is read (:func:`_load_families`), not on ``import planctl.rules``:
a run served from the result cache needs no rule.
"""

from planctl.rules.base import Context, Options, Problem, Rule, registry

#: the rule families (modules of this package), imported on first use of the registry
FAMILIES = (
    "activation", "aftermath", "command", "contacts", "crossplan", "document", "duties",
    "internal", "legal", "links", "maintenance", "messages", "monitoring", "mutual_aid",
    "notification", "parties", "prevention", "public_info", "references", "resources",
    "rotation", "structure", "syntax", "targets", "text", "validity",
)  # fmt: skip


def _load_families() -> None:
    """Import every family (each registers its rules), then the installed rule packs."""
    import importlib

    for name in FAMILIES:
        importlib.import_module(f"planctl.rules.{name}")

    # Listed by code (``planctl rules``, SARIF's rule list), whichever family was imported
    # first: the renderer imports a few families' helpers before the registry is read.
    registry.reorder(sorted(registry, key=lambda r: r.code))  # read while loading: no re-entry

    # text hygiene looks at the words themselves, markers included
    for code in ("TXT001", "TXT002"):
        registry.get(code).sees_placeholders = True

    # rule packs installed beside planctl (entry point group planctl.rules)
    from planctl import plugins

    plugins.load()


registry.loader = _load_families

__all__ = ["Context", "Options", "Problem", "Rule", "registry"]
