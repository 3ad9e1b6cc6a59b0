"""A dataset to score juesuan on: a folder of reports, the questions asked of them, the
inconsistencies an auditor found in them (docs/evaluation.md).

    my-dataset/
      reports/           the report files (PDF with a text layer, DOCX, XLSX/XLS, TXT, Markdown)
      questions.jsonl    optional: one labelled question per line (`Question`)
      findings.jsonl     optional: one inconsistency the reports contain per line (`ExpectedFinding`)

Every line is validated by a pydantic model; `load_dataset` raises `DatasetError` listing every
problem as "questions.jsonl:12: gold_figures[0].value: …" (file, line, field, what is wrong).
With a `findings.jsonl`, the reports are audited: each inconsistency in them is listed there, and
any other `error` or `warning` finding `juesuan check` raises on them is a false alarm.

The bundled datasets go through the same code: `sample` (the bundled sample report and the seed
questions), `real` (the 65 real texts of evals/data/corpus with qa_real.jsonl; their findings
are the `inconsistencies` of the hand audits, `audits/NNN.toml`) and `generated` (reports of
evals.synthetic written to a folder, with the questions made from their ground truth; they are
consistent, so their findings file is empty).
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from evals import DATA
from evals.quality.qa_items import QAItem
from evals.quality.real_corpus import AnchorError, Family, Inconsistency, audited, load_audit, resolve
from index.models import ParsedReport, Role

__all__ = ["BUNDLED", "Dataset", "DatasetError", "ExpectedFinding", "GoldFigure", "Question", "bundled",
           "load_dataset", "write_dataset"]

QUESTIONS = "questions.jsonl"
FINDINGS = "findings.jsonl"
REPORTS = "reports"
SUFFIXES = (".pdf", ".docx", ".xlsx", ".xls", ".txt", ".md")
# A gold figure's role: the figure model's roles, and "budget" for a budget amount asked for as such.
GoldRole = Literal[Role, "budget"]
_NUMBER = re.compile(r"^-?[0-9][0-9,]*(\.[0-9]+)?$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GoldFigure(_Strict):
    """A figure the answer must state, as the report prints it."""

    metric: str = Field(min_length=1, description="what it measures, e.g. 公务接待费")
    value: str = Field(description='the number as printed, as a string ("4.55"; a decrease may be "-1.05")')
    unit: str = Field(description="万元, 元, %, 辆, 人, 个, 分 … as printed ('' for none)")
    role: GoldRole = Field(description="amount, budget, change_amount, change_rate, share, completion_rate, count, …")
    year: int | None = Field(default=None, description="the fiscal year it belongs to")

    @field_validator("value", mode="before")
    @classmethod
    def _as_printed(cls, value: object) -> object:
        if isinstance(value, int | float):
            # a ValueError, not a TypeError: pydantic turns only ValueErrors into validation errors
            raise ValueError(f'write the number as printed, as a string: "{value}"')  # noqa: TRY004
        if isinstance(value, str) and not _NUMBER.match(value.strip()):
            raise ValueError(f"not a number as printed: {value!r}")
        return value


class Question(_Strict):
    """One labelled question about one report (the format of evals/data/qa_seed.jsonl)."""

    id: str = Field(min_length=1, description="unique in the file")
    question: str = Field(min_length=1, description="the question, in Chinese, as a reader would ask it")
    report: str = Field(min_length=1, description="the file name of the report under reports/")
    answerable: bool = Field(default=True, description="false when the report does not answer it")
    gold_figures: list[GoldFigure] = Field(default_factory=list, description="the figures a right answer states")
    gold_sections: list[str] = Field(default_factory=list, description="section paths that answer it")
    gold_quotes: list[str] = Field(default_factory=list, description="the report's words that answer it")
    reference_answer: str = Field(default="", description="a right answer, for the verifier's alterations")
    reason: str = Field(default="", description="the report's reason sentence, when the question asks why")
    parts: list[str] = Field(default_factory=list, description="what a compound question asks, one part each")
    split: str = ""
    kind: str = ""
    style: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        if not self.answerable and self.gold_figures:
            raise ValueError("an unanswerable question has no gold_figures")
        return self


class ExpectedFinding(_Strict):
    """An inconsistency a report contains: what `juesuan check` should report (AUDITING.md's
    `[[inconsistencies]]`, with the report it is in)."""

    report: str = Field(min_length=1, description="the file name of the report under reports/")
    family: Family = Field(description="the rule family that should report it (sums, shares, yoy, …)")
    also: list[Family] = Field(default_factory=list, description="other families that may report it instead")
    severity: Literal["error", "warning"] = Field(default="error", description="the least severity expected")
    numbers: list[str] = Field(min_length=1, description="an anchor per printed number it compares: the "
                               "report's words with the number in brackets, '公务接待费[26.4]万元'")
    relation: str = Field(default="", description="what should hold and what is printed, in words")
    note: str = ""

    def as_inconsistency(self) -> Inconsistency:
        """The same, as the corpus audits hold it."""
        return Inconsistency(family=self.family, also=self.also, severity=self.severity, relation=self.relation,
                             numbers=self.numbers, note=self.note)


class DatasetError(ValueError):
    """A dataset that cannot be scored: every problem, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Dataset:
    """A validated dataset: where its reports are, its questions and its expected findings."""

    name: str
    reports_dir: Path
    reports: list[str]  # file names under reports_dir
    questions: list[Question] | None  # None: no questions file
    findings: list[ExpectedFinding] | None  # None: not audited (no findings file)
    source: str = "dataset"  # "sample", "real", "synthetic" (bundled) or "dataset" (a folder given)
    _parsed: dict[str, ParsedReport] = field(default_factory=dict, repr=False)

    def parsed(self, report: str) -> ParsedReport:
        """A report parsed as `juesuan check` parses it (cached)."""
        if report not in self._parsed:
            from index.parse import parse_file
            from index.settings import Settings

            settings = Settings()
            self._parsed[report] = parse_file(self.reports_dir / report, settings.max_upload_bytes,
                                              settings.chunk_chars)
        return self._parsed[report]

    def qa_items(self) -> list[QAItem]:
        """The questions as the QA evaluation asks them (evals.quality.qa)."""
        out = []
        for q in self.questions or []:
            data = q.model_dump()
            data["gold_figures"] = [g.model_dump() for g in q.gold_figures]
            out.append(QAItem(**data, source=self.source, folder=str(self.reports_dir)))
        return out

    def expected(self, report: str) -> list[Inconsistency]:
        """The inconsistencies a report contains (empty for a clean one)."""
        return [f.as_inconsistency() for f in self.findings or [] if f.report == report]


def _error_location(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _message(error: dict) -> str:
    kind, msg = error["type"], error["msg"]
    if kind == "missing":
        return "missing (required)"
    if kind == "extra_forbidden":
        return "unknown field"
    return msg.removeprefix("Value error, ")


def _read_lines(path: Path, model: type[BaseModel], problems: list[str]) -> list[tuple[int, BaseModel]]:
    """(line number, model) of each valid line; a line per problem of the others."""
    out: list[tuple[int, BaseModel]] = []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        problems.append(f"{path.name}: not UTF-8 text")
        return out
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{path.name}:{n}: not JSON: {exc.msg} (column {exc.colno})")
            continue
        if not isinstance(data, dict):
            problems.append(f"{path.name}:{n}: a line must be one JSON object")
            continue
        try:
            out.append((n, model.model_validate(data)))
        except ValidationError as exc:
            for error in exc.errors():
                where = _error_location(error["loc"])
                problems.append(f"{path.name}:{n}: {where + ': ' if where else ''}{_message(error)}")
    return out


def load_dataset(root: Path, name: str | None = None) -> Dataset:
    """Read and validate a dataset folder (reports/, questions.jsonl, findings.jsonl); raises
    `DatasetError` with one line per problem."""
    root = Path(root)
    questions, findings = root / QUESTIONS, root / FINDINGS
    if not (root / REPORTS).is_dir():
        raise DatasetError([(f"{root}: no {REPORTS}/ folder (a dataset is reports/ plus {QUESTIONS} "
                             f"and/or {FINDINGS}; see docs/evaluation.md)")])
    if not questions.is_file() and not findings.is_file():
        raise DatasetError([f"{root}: neither {QUESTIONS} nor {FINDINGS}: nothing to score"])
    return _load(name or root.name, root / REPORTS, questions if questions.is_file() else None,
                 findings if findings.is_file() else None)


def _load(name: str, reports_dir: Path, questions: Path | None, findings: Path | None,
          given_findings: list[ExpectedFinding] | None = None, source: str = "dataset") -> Dataset:
    """Validate every question and finding (from their files, or findings given as models by a
    bundled dataset) against the reports of `reports_dir`."""
    files = sorted(p.name for p in reports_dir.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)
    problems: list[str] = []
    if not files:
        problems.append(f"{reports_dir}: no report files ({', '.join(SUFFIXES)})")
    dataset = Dataset(name, reports_dir, files, None, None, source)
    if questions is not None:
        rows = _read_lines(questions, Question, problems)
        seen: dict[str, int] = {}
        for n, q in rows:
            assert isinstance(q, Question)
            if q.report not in files:
                problems.append(f"{questions.name}:{n}: report: no file {q.report!r} in {REPORTS}/")
            if q.id in seen:
                problems.append(f"{questions.name}:{n}: id: {q.id!r} is already used on line {seen[q.id]}")
            seen.setdefault(q.id, n)
        dataset.questions = [q for _, q in rows]  # type: ignore[misc]
    if findings is not None or given_findings is not None:
        if findings is not None:
            rows = [(f"{findings.name}:{n}", f) for n, f in _read_lines(findings, ExpectedFinding, problems)]
        else:
            rows = [(f"{f.report}: inconsistency {n}", f) for n, f in enumerate(given_findings or [], start=1)]
        for where, f in rows:
            assert isinstance(f, ExpectedFinding)
            if f.report not in files:
                problems.append(f"{where}: report: no file {f.report!r} in {REPORTS}/")
                continue
            problems += _anchor_problems(dataset, f, where)
        dataset.findings = [f for _, f in rows]  # type: ignore[misc]
    if problems:
        raise DatasetError(problems)
    return dataset


def _anchor_problems(dataset: Dataset, finding: ExpectedFinding, where: str) -> list[str]:
    """Each anchor must name exactly one place of the report's text (as parsed)."""
    try:
        text = dataset.parsed(finding.report).report.text
    except Exception as exc:  # noqa: BLE001 - an unreadable report is a problem line, not a crash
        return [f"{where}: report {finding.report!r} cannot be read: {exc}"]
    out = []
    for k, anchor in enumerate(finding.numbers):
        try:
            resolve(text, anchor)
        except AnchorError as exc:
            out.append(f"{where}: numbers[{k}]: {exc}")
    return out


# --- the bundled datasets --------------------------------------------------------------------

BUNDLED = ("sample", "generated", "real")


def _sample() -> Dataset:
    from index import SAMPLE_REPORT

    return _load("sample", Path(SAMPLE_REPORT).parent, DATA / "qa_seed.jsonl", None, source="sample")


def _real() -> Dataset:
    from evals.quality.real_corpus import REPORTS as CORPUS_REPORTS

    expected = [ExpectedFinding(report=f"{doc}.txt", **item.model_dump())
                for doc in audited() for item in load_audit(doc).inconsistencies]
    return _load("real", CORPUS_REPORTS, DATA / "qa_real.jsonl", None, expected, source="real")


def write_dataset(folder: Path, reports: dict[str, str], questions: list[dict],
                  findings: list[dict] | None = None) -> Path:
    """Write a dataset folder (report texts by file name, question and finding rows)."""
    (folder / REPORTS).mkdir(parents=True, exist_ok=True)
    for file, text in reports.items():
        (folder / REPORTS / file).write_text(text, encoding="utf-8")
    with (folder / QUESTIONS).open("w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(q, ensure_ascii=False) + "\n" for q in questions)
    with (folder / FINDINGS).open("w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(f, ensure_ascii=False) + "\n" for f in findings or [])
    return folder


def _generated(folder: Path, reports: int = 5) -> Dataset:
    """`reports` generated reports (seeds 1..K, as evals.quality.qa) written to `folder`."""
    from evals.quality.qa_generated import DEFAULT_SEEDS, items_for, report_name
    from evals.synthetic import generate, parse_text

    seeds = (list(DEFAULT_SEEDS) + list(range(max(DEFAULT_SEEDS) + 1, reports + 1)))[:reports]
    texts, rows = {}, []
    for seed in seeds:
        text, truth = generate(seed)
        texts[report_name(seed)] = text
        keep = set(Question.model_fields)
        rows += [{k: v for k, v in asdict(i).items() if k in keep}
                 for i in items_for(seed, text, truth, parse_text(text, report_name(seed)))]
    write_dataset(folder, texts, rows)
    return _load("generated", folder / REPORTS, folder / QUESTIONS, folder / FINDINGS, source="synthetic")


def bundled(name: str, workdir: Path | None = None) -> Dataset:
    """A bundled dataset by name (the generated one is written under `workdir`, else a new
    temporary folder)."""
    if name == "sample":
        return _sample()
    if name == "real":
        return _real()
    if name == "generated":
        return _generated(workdir or Path(tempfile.mkdtemp(prefix="juesuan-generated-")))
    raise ValueError(f"unknown bundled dataset {name!r}: one of {', '.join(BUNDLED)}")
