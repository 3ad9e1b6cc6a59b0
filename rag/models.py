"""What an answer is made of: citations, checked numeric claims, and the answer itself."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Verdict = Literal["supported", "contradicted", "unsupported"]

# The one phrase an answer uses when the report does not answer the question. Defined once,
# imported wherever it is produced or tested.
CANNOT_ANSWER = "报告中没有找到能回答这个问题的内容。"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Citation(_Model):
    """A passage an answer cites as [n]."""

    n: int
    report_id: str
    section: str
    page: int | None = None
    quote: str
    start: int | None = Field(default=None, description="span of the cited passage in Report.text")
    end: int | None = None
    ocr: bool = Field(default=False, description="printed on a scanned page: its text was read by OCR")


class ClaimEvidence(_Model):
    """Where the report states the value a claim was checked against."""

    quote: str
    section: str = ""
    page: int | None = None
    ocr: bool = Field(default=False, description="the report's number was read by OCR from a scanned page")


class Claim(_Model):
    """One number in an answer, and the verifier's verdict on it."""

    text: str = Field(description="the number with its unit as written in the answer, e.g. '减少1.05万元'")
    value: str = Field(description="the number as written, e.g. '1.05'")
    unit: str = Field(description="万元, 元, 亿元, %, 辆, 人次… or '' for a bare number")
    start: int = Field(description="span of `text` in the answer")
    end: int
    verdict: Verdict
    metric: str | None = Field(default=None, description="the metric the number was bound to")
    evidence: ClaimEvidence | None = None
    expected: str | None = Field(default=None, description="for a contradicted number: the report's value")
    how: str = Field(default="", description="how it was checked, e.g. 'stated', '4.24 + 0.31 = 4.55'")


class Answer(_Model):
    """A verified answer, ready to show."""

    question: str
    answer: str = Field(description="the answer text as shown to the user (after verification)")
    raw_answer: str = Field(default="", description="what the model wrote, before verification")
    provider: str = Field(description="which provider answered: extractive, llamacpp, openai, ollama…")
    citations: list[Citation] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)
