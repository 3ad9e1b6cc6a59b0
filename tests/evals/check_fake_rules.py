"""Fake rules for the `juesuan check` tests: they always find something, whichever real rules
exist. `register()` adds them to the registry, `unregister()` removes them again.

Run the CLI with them from a subprocess through `LAUNCH` (a `python -c` program that imports this
module, registers the rules and then runs the `juesuan` command with the remaining arguments).
"""

from __future__ import annotations

from pathlib import Path

from evals.audit.findings import Evidence, Finding
from evals.audit.registry import RULES, RuleContext, rule

FAMILY = "test-fake"
ERROR_MESSAGE = "测试规则：第一行被当作一个错误。"
WARNING_MESSAGE = "测试规则：第一个数字被当作一个警告。"
INFO_MESSAGE = "测试规则：仅作提示，没有原文。"
IDS = ("test.fake_error", "test.fake_warning", "test.fake_info")

HERE = Path(__file__).resolve().parent
LAUNCH = (
    f"import sys; sys.path.insert(0, {str(HERE)!r}); import check_fake_rules; check_fake_rules.register(); "
    "import juesuan_cli; juesuan_cli.main()"
)


def _first_line(ctx: RuleContext) -> Evidence:
    text = ctx.report.report.text
    end = text.find("\n")
    end = len(text) if end < 0 else end
    return Evidence(quote=text[:end], section="", page=None, start=0, end=end)


def _error(ctx: RuleContext) -> list[Finding]:
    return [Finding(rule=IDS[0], family=FAMILY, severity="error", message=ERROR_MESSAGE, expected="1",
                    actual="2", difference="1", evidence=[_first_line(ctx)])]


def _warning(ctx: RuleContext) -> list[Finding]:
    if not ctx.report.figures:
        ctx.insufficient(IDS[1])
        return []
    figure = ctx.report.figures[0]
    return [Finding(rule=IDS[1], family=FAMILY, severity="warning", message=WARNING_MESSAGE,
                    actual=figure.text, evidence=[Evidence.of(figure), _first_line(ctx)])]


def _info(ctx: RuleContext) -> list[Finding]:
    ctx.insufficient(IDS[2], 2)
    return [Finding(rule=IDS[2], family=FAMILY, severity="info", message=INFO_MESSAGE)]


def register() -> None:
    """Register the fake rules (idempotent)."""
    for rule_id, func, severity in zip(IDS, (_error, _warning, _info), ("error", "warning", "info")):
        if rule_id not in RULES:
            rule(rule_id, family=FAMILY, severity=severity, zh="测试用规则", en="a rule for tests")(func)


def unregister() -> None:
    """Remove the fake rules from the registry."""
    for rule_id in IDS:
        RULES.pop(rule_id, None)
