"""The rule catalogue as a document: docs/rules.md is generated from the registry, never edited
by hand, so it cannot drift from the rules that actually run (a test compares the two).

    python -m evals.audit.catalogue            write docs/rules.md
    python -m evals.audit.catalogue --check    exit 1 when docs/rules.md is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

import evals.audit.rules
from evals.audit.registry import RULES, RuleSpec

DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "rules.md"

# Families in the order of evals.audit.rules, with what they check; a family not listed here still
# appears (after these, alphabetically) under its bare name.
FAMILIES: dict[str, tuple[str, str]] = {
    "sums": ("合计与分项", "Parts add up to the stated total (收支总计, 基本 + 项目, 人员 + 公用, 类 = Σ 款/项, 三公, 政府采购…); a part never exceeds its whole."),
    "shares": ("占比", "占X% equals the part divided by the stated base."),
    "yoy": ("同比变动", "Prior = current − change (or the prior printed in the sentence or a table), 增长/下降 X% = change / prior, the direction word agrees with the sign, no growth rate on a zero base, the parts' changes add up to the total's."),
    "completion": ("完成率与执行率", "执行数 / the named denominator (年初预算 or 调整后预算, or one the text implies: 决算数大于预算数X万元); differences from the budget (差值, 与预算相比) equal 决算 − 预算; the finding says which denominator matched."),
    "hygiene": ("报告完整性", "The report as a document: one fiscal year throughout, no template placeholders or instructions left, no number left blank or damaged, the nine tables present, no empty totals."),
    "repeated": ("重复披露", "The same figure stated in two places (narrative, 附件, tables) is the same number."),
    "counts": ("计数", "\"N个项目\" agrees with the items listed; vehicle and staff counts by type add up."),
    "performance": ("绩效自评表", "Indicator weights + budget weight = 100, each 得分 ≤ its 权重, scores add to the 合计, the narrative matches the table."),
    "nine_tables": ("九张表", "The nine standard tables tie together and agree with the narrative; 类 = Σ 款 = Σ 项 in every table."),
    "across": ("跨年对照", "The prior-year figures implied by this year's report equal what last year's report stated (needs last year's report: `--previous`, or an ingested one)."),
}

SEVERITY_LABEL = {"error": "错误 error", "warning": "警告 warning", "info": "提示 info"}

INTRO = """\
# 规则目录 · Rule catalogue

<!-- Generated from the rule registry by `python -m evals.audit.catalogue`; do not edit by hand.
     tests/evals/test_catalogue.py fails when this file and the registry disagree. -->

`juesuan check` runs these rules over a report (a file, a folder of files, or an ingested report
id) and lists what it finds; see the README for the command and its output formats. `--rule ID`
or `--rule FAMILY` runs only some of them. This catalogue holds {rules} in {families}.

**Tolerance.** Figures are printed rounded (two decimals of 万元, two of a percent), so a relation
is checked with interval arithmetic, the XBRL Calculations 1.1 idea: a value shown with *d*
decimals stands for [v − ½·10⁻ᵈ, v + ½·10⁻ᵈ]; the intervals are carried through the sum or
ratio (`evals/audit/intervals.py`, `decimal.Decimal` throughout, never floats) and a relation holds
when the stated and the recomputed intervals overlap. 794.83 against a stated 794.82 over four
parts is consistent; nothing is flagged that rounding alone explains. Two printings of one
quantity one unit of the last digit apart (995 and 996) are a note, not an error: one was
rounded, the other cut off. A bare "0万元" is exactly nothing: a share or rate printed against it
other than 0 is an error, since no rounding makes 1% of nothing.

**Where the inputs come from.** Rules read the figures the parser bound (docs/document-model.md),
not the wording of one sentence: the arithmetic rules join them by key — metric, year, basis
(final account or which budget), project and funds — so a total in one sentence, its parts in
the next, the change in a third and a budget printed in a table are checked together. A key
printed with two different values is not used by any other rule (the disagreement is
`repeated.same_figure`'s finding). Figures of different funds that share a name (一般公共预算's and
政府性基金's 收入总计) are never compared; a 其中 list is summed only when its parts are the whole
(the template's parts, shares adding to 100%, or counts of the total's own kind), never when it
mixes kinds or runs into the end of a cut-off text; a blank or damaged number ("占 %",
",867.48万元") is a `hygiene.blank_value` warning and no rule is handed a value for it.

**One wrong number, one finding.** Errors and warnings about the same printed number are merged
into the most severe one, which names the other relations the number breaks and quotes their
evidence. Each finding's `actual` is the value as printed, `expected` what the relation implies,
and its evidence quotes every number it compares.

**Severity.** Each finding carries one:
- **错误 error** — the printed figures contradict each other beyond rounding (a total that is not
  the sum of its parts, a rate that matches no denominator, a count that disagrees with the list).
  `juesuan check` exits 1 when a report has any.
- **警告 warning** — very likely wrong but not a strict contradiction (an indicator's cost above
  the project's whole budget, a figure that only fits under an unusual reading).
- **提示 info** — off by rounding only (the values differ by at most one unit of the last printed
  digit, which holds only if the author rounded the wrong way), or worth a reader's look.
The severity below is the rule's usual one; a rule may report a lower one for a particular case:
an off-by-rounding difference is reported as 提示 in the family `rounding`, whatever rule found it;
and a finding that compares a number printed on a scanned page (read by OCR, evidence `ocr: true`)
is at most a 警告 whose message says the number may be misread: an OCR misreading is not the
report's mistake.

**Insufficient data.** When a rule cannot find or bind its inputs unambiguously (a figure missing,
two candidates for one total, a base it cannot name), it reports nothing for that case and counts
it as *insufficient data* (`summary.insufficient_data` in the JSON, and by rule in the Markdown and
HTML reports). A false alarm costs an auditor's trust; a gap does not.

**Needs** says what a rule reads: `narrative` (the report's sentences), `tables` (the nine
tables), `performance tables` (the 绩效自评表), `previous` (last year's report, given with
`--previous` or else the ingested report of the same department and the year before:
`evals/audit/pairing.py`), or a combination. A report without what a rule needs (a TXT or DOCX
without the nine tables, a check without last year's report) gets no finding from it, never a
guess.
"""


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def family_order(specs: list[RuleSpec]) -> list[str]:
    """Families in the order of evals.audit.rules (then any others alphabetically)."""
    present = {s.family for s in specs}
    known = [f for f in getattr(evals.audit.rules, "_FAMILIES", tuple(FAMILIES)) if f in present]
    return known + sorted(present - set(known))


def generate() -> str:
    """The text of docs/rules.md for the rules registered now."""
    specs = list(RULES.values())  # registration order: each family module lists its rules in a reading order
    families = family_order(specs)
    lines = [INTRO.format(rules=_plural(len(specs), "rule", "rules"),
                          families=_plural(len(families), "family", "families")).rstrip(), ""]
    if not specs:
        lines += ["*No rules are registered yet.*", ""]
    if families:
        lines += ["| family | 类别 | rules |", "|---|---|---:|"]
        for family in families:
            zh = FAMILIES.get(family, ("", ""))[0]
            count = sum(1 for s in specs if s.family == family)
            lines.append(f"| {family} | {zh} | {count} |")
        lines.append("")
    for family in families:
        zh, en = FAMILIES.get(family, ("", ""))
        lines += [f"## {family}" + (f" · {zh}" if zh else ""), ""]
        if en:
            lines += [en, ""]
        lines += ["| id | severity | 规则 | rule | needs |", "|---|---|---|---|---|"]
        for s in (s for s in specs if s.family == family):
            lines.append(
                f"| `{s.id}` | {SEVERITY_LABEL.get(s.severity, s.severity)} | {_cell(s.statement_zh)} | "
                f"{_cell(s.statement_en)} | {_cell(s.needs)} |"
            )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write docs/rules.md (or, with --check, report whether it is current)."""
    args = sys.argv[1:] if argv is None else argv
    text = generate()
    if "--check" in args:
        current = DOC_PATH.read_text(encoding="utf-8") if DOC_PATH.exists() else ""
        if current != text:
            print(f"{DOC_PATH} is out of date: run python -m evals.audit.catalogue", file=sys.stderr)
            return 1
        return 0
    DOC_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {DOC_PATH} ({len(RULES)} rules)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
