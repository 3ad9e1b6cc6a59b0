"""Helpers for the rule-family tests: tiny reports from a few Chinese sentences or from
hand-built table figures, and running a subset of the registry over them."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from evals.audit.check import run_rules
from evals.audit.findings import Finding
from evals.audit.registry import RULES, RuleContext
from index.models import Cell, Figure, ParsedReport, Report, Table
from index.parse import parse_file


def parse_text(tmp_path: Path, body: str, name: str = "r.txt") -> ParsedReport:
    """Parse a tiny report: a title line, then the given lines."""
    path = tmp_path / name
    path.write_text(
        "2023年度测试局部门决算\n第二部分 2023年度部门决算情况说明\n" + body.strip() + "\n", encoding="utf-8"
    )
    return parse_file(path)


def run(parsed: ParsedReport, *rule_ids: str) -> tuple[list[Finding], dict[str, int]]:
    """Findings and insufficient-data counts of the given rules (or families, e.g. 'sums')."""
    ids = [i for i in RULES if i in rule_ids or i.split(".")[0] in rule_ids]
    result = run_rules(parsed, rule_ids=ids)
    return result.findings, result.insufficient


def table_report(
    kind: str,
    subject: str | None,
    header: list[str],
    rows: list[list[str]],
    unit: str = "万元",
    rates: tuple[str, ...] = ("预算执行率",),
) -> ParsedReport:
    """A report holding one table, with one figure per numeric cell (as table_figures would)."""
    lines = ["\t".join(header)] + ["\t".join(r) for r in rows]
    text = "\n".join(lines)
    figures: list[Figure] = []
    cells: list[list[Cell]] = []
    offset = 0
    for r, line in enumerate(lines):
        row_cells = []
        for c, cell in enumerate(line.split("\t")):
            start = text.index(cell, offset) if cell else offset
            row_cells.append(Cell(text=cell, row=r, col=c, start=start, end=start + len(cell)))
            if r > 0 and c > 0 and cell and cell != "/":
                value = cell.rstrip("%")
                percent = cell.endswith("%") or header[c] in rates
                figures.append(
                    Figure(
                        report_id="t",
                        metric=f"{subject + ' ' if subject else ''}{rows[r - 1][0]}",
                        label=rows[r - 1][0],
                        subject=subject,
                        column=header[c],
                        value=Decimal(value),
                        text=value,
                        decimals=len(value.split(".")[1]) if "." in value else 0,
                        unit="%" if percent else unit,
                        year=2023,
                        role="completion_rate" if percent else "amount",
                        source="table",
                        table_id=0,
                        row=r,
                        col=c,
                        section="第二部分",
                        start=start,
                        end=start + len(value),
                        quote=" | ".join(line.split("\t")),
                    )
                )
            offset = start + len(cell)
        cells.append(row_cells)
    table = Table(
        id=0,
        title=kind,
        kind=kind,
        subject=subject,
        unit=unit,
        section="第二部分",
        header_rows=1,
        rows=cells,
        start=0,
        end=len(text),
    )
    report = Report(id="t", source_name="t.txt", format="txt", year=2023, text=text)
    return ParsedReport(report=report, sections=[], tables=[table], figures=figures, chunks=[])


def severities(findings: list[Finding]) -> list[tuple[str, str, str]]:
    """(rule, family, severity) of each finding, for compact assertions."""
    return [(f.rule, f.family, f.severity) for f in findings]


__all__ = ["RuleContext", "parse_text", "run", "severities", "table_report"]
