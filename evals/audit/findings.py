"""What a rule reports: one shape for every finding, whatever rule produced it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from index.models import Figure

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}
SEVERITY_ZH: dict[str, str] = {"error": "错误", "warning": "警告", "info": "提示"}


class Evidence(BaseModel):
    """A place in the report a finding rests on: the quoted sentence or table row."""

    model_config = ConfigDict(extra="forbid")

    quote: str
    section: str = ""
    page: int | None = None
    start: int | None = None
    end: int | None = None
    ocr: bool = Field(default=False, description="printed on a scanned page: its text was read by OCR")

    @classmethod
    def of(cls, figure: Figure) -> Evidence:
        """Evidence pointing at one stated figure."""
        return cls(quote=figure.quote, section=figure.section, page=figure.page, start=figure.start, end=figure.end,
                   ocr=figure.source == "ocr")


class Finding(BaseModel):
    """One inconsistency, with what was expected, what was printed and where."""

    model_config = ConfigDict(extra="forbid")

    rule: str = Field(description="id of the rule in the registry")
    family: str
    severity: Severity
    message: str = Field(description="one sentence in Chinese")
    expected: str = ""
    actual: str = ""
    difference: str = ""
    evidence: list[Evidence] = Field(default_factory=list)
