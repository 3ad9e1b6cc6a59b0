"""The rule catalogue, one module per family (sums spans four: sums, sums_classes, sums_funding,
sums_addition; completion two: completion, completion_budget; nine_tables is a package: cells,
which reads the tables, and one module per relation). Importing this package registers every rule."""

from importlib import import_module

_FAMILIES = (
    "sums", "sums_classes", "sums_funding", "sums_addition", "shares", "yoy", "completion", "completion_budget",
    "hygiene", "repeated", "counts", "performance", "nine_tables", "across",
)

for _name in _FAMILIES:
    try:
        import_module(f"evals.audit.rules.{_name}")
    except ModuleNotFoundError as exc:  # a family not written yet
        if exc.name != f"evals.audit.rules.{_name}":
            raise
