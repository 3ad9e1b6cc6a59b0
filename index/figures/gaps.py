"""Numbers a report leaves blank or prints damaged: "占 %", "比上年减少 万元", "支出总计,867.48万元".

A blank is a cue that always takes a number (占, 增加/减少, 下降/增长, 为) followed by nothing but
spaces and a unit. A damaged number is a thousands group printed with its leading digits lost:
a comma right after a word and then exactly three digits ("支出总计,867.48万元" for 1,867.48);
Chinese text never puts a comma between a metric and its value, so this is never a clause
break. Neither becomes a figure: a gap is reported by the hygiene rules, and no rule is handed
a wrong value.
"""

from __future__ import annotations

import re

from index.models import Gap, Role

_BLANK = re.compile(
    r"(?P<cue>占|增加|减少|增长|下降|降低|上升|为|是)(?P<space>[ \u3000\t]*)(?P<unit>%|％|万元|元|亿元)"
)
_DAMAGED = re.compile(r"(?<=[\u4e00-\u9fff])(?P<comma>[,，])(?P<num>\d{3}(?:,\d{3})*\.\d+)\s*(?P<unit>万元|亿元|元)")
_ROLE_OF_CUE: dict[str, Role] = {"占": "share", "增加": "change_amount", "减少": "change_amount"}


def is_damaged(sentence: str, start: int, number: str) -> bool:
    """True when the number at `start` is a thousands group whose leading digits were lost."""
    if start < 2 or sentence[start - 1] not in ",，" or not ("\u4e00" <= sentence[start - 2] <= "\u9fff"):
        return False
    return bool(re.fullmatch(r"\d{3}(?:,\d{3})*\.\d+", number))


def find_gaps(paragraph: str, offset: int, report_id: str, section: str, page: int | None) -> list[Gap]:
    """The blank and damaged numbers of one paragraph (`offset`: its position in Report.text)."""
    gaps: list[Gap] = []
    for match in _BLANK.finditer(paragraph):
        cue, unit = match.group("cue"), match.group("unit")
        if cue in ("为", "是") and not match.group("space"):
            continue  # "为%"-like runs only count with the space left for the number
        if unit in ("万元", "元", "亿元") and cue == "占":
            continue
        role: Role = "share" if cue == "占" else (
            _ROLE_OF_CUE.get(cue, "change_rate") if unit in ("%", "％") else
            ("change_amount" if cue not in ("为", "是") else "amount")
        )
        gaps.append(_gap(paragraph, offset, report_id, section, page, "blank", role, unit,
                         match.start("space"), match.end("space"), ""))
    for match in _DAMAGED.finditer(paragraph):
        gaps.append(_gap(paragraph, offset, report_id, section, page, "damaged", "amount", match.group("unit"),
                         match.start("comma"), match.end("num"), match.group("comma") + match.group("num")))
    return gaps


def _gap(paragraph: str, offset: int, report_id: str, section: str, page: int | None, kind: str, role: Role,
         unit: str, start: int, end: int, printed: str) -> Gap:
    sentence_start = max(paragraph.rfind(p, 0, start) for p in "。；;\n") + 1
    ends = [i for i in (paragraph.find(p, end) for p in "。；;") if i >= 0]
    sentence_end = min(ends) + 1 if ends else len(paragraph)
    metric = _metric_before(paragraph[sentence_start:start])
    return Gap(
        report_id=report_id, kind=kind, metric=metric, role=role, unit="%" if unit == "％" else unit,  # type: ignore[arg-type]
        printed=printed, section=section, page=page, start=offset + start, end=offset + end,
        quote=paragraph[sentence_start:sentence_end].strip(),
    )


def _metric_before(head: str) -> str | None:
    """The name the clause before a gap gives (for the message), if any."""
    clause = re.split(r"[，,：:；;]", head)[-1] if head else ""
    words = re.sub(r"(?:比上年|较上年|与上年相比)?(?:占|增加|减少|增长|下降|降低|上升|为|是)$", "", clause.strip())
    if len(words) < 2:
        clauses = [c for c in re.split(r"[，,：:；;]", head) if c.strip()]
        words = clauses[-2].strip() if len(clauses) >= 2 else words
    words = re.sub(r"[\d.]+\s*(?:万元|元|%|％|辆|人)?$", "", words).strip()
    return words or None


__all__ = ["find_gaps", "is_damaged"]
