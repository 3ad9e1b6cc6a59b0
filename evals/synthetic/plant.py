"""Planted errors: `plant` edits one figure or phrase of a generated report so that it breaks
one relation of a rule family, and records what it planted; `perturb_number` gives the edited
number. `parse_text` reads a report text the way an uploaded .txt is read.
"""

from __future__ import annotations

import itertools
import random
import re
import tempfile
from decimal import Decimal
from pathlib import Path

from evals.synthetic.truth import GroundTruth, Planted

FAMILIES = ("sums", "shares", "yoy", "completion", "counts", "performance", "repeated", "hygiene")


def parse_text(text: str, name: str = "synthetic.txt"):
    """Parse a report text the way an uploaded .txt file is parsed (via a temporary file)."""
    from index.parse import parse_file

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_text(text, encoding="utf-8")
        return parse_file(path)


def _edit(text: str, start: int, end: int, new: str) -> str:
    return text[:start] + new + text[end:]


def perturb_number(printed: str, kind: str) -> str | None:
    """A different plausible number for a printed one, or None when `kind` does not apply.

    kinds: 'last' (±1 in the last digit), 'tens' (±1 in the next-to-last digit), 'swap'
    (two adjacent different digits swapped), 'x10' (decimal point moved one place right).
    """
    digits = [i for i, ch in enumerate(printed) if ch.isdigit()]
    if not digits:
        return None
    if kind in ("last", "tens"):
        if kind == "tens" and len(digits) < 2:
            return None
        pos = digits[-1] if kind == "last" else digits[-2]
        d = int(printed[pos])
        # prefer +1 unless that carries; never create a leading zero
        nd = d + 1 if d < 9 else d - 1
        out = printed[:pos] + str(nd) + printed[pos + 1:]
        if out.lstrip("0") == "" and printed.strip("0.") != "":
            return None
        if len(out) > 1 and out[0] == "0" and out[1] != ".":
            return None
        return out if out != printed else None
    if kind == "swap":
        for a, b in itertools.pairwise(digits):
            if printed[a] != printed[b]:
                out = list(printed)
                out[a], out[b] = out[b], out[a]
                s = "".join(out)
                if len(s) > 1 and s[0] == "0" and s[1] != ".":
                    continue
                return s
        return None
    if kind == "x10":
        if Decimal(printed.replace(",", "")) == 0:
            return None
        if "." in printed:
            whole, frac = printed.split(".", 1)
            whole = (whole + frac[0]).lstrip("0") or "0"
            frac = frac[1:]
            return whole + ("." + frac if frac else "")
        return printed + "0"
    raise ValueError(kind)


def plant(text: str, family: str, rng: random.Random, truth: GroundTruth | None = None) -> tuple[str, Planted]:
    """Plant one error of `family` in a generated report; returns the new text and what was planted.

    With `truth` the edited figure is one the ground truth says takes part in a relation of
    that family; without it, the text is parsed and a figure of a fitting role is chosen.
    """
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; one of {FAMILIES}")
    if family == "hygiene":
        return _plant_hygiene(text, rng)
    candidates: list[tuple[int, int, str, str | None, list[str]]] = []  # start, end, printed, fact key, relations
    roles = {"sums": {"amount"}, "shares": {"share"}, "yoy": {"change_amount", "change_rate"},
             "completion": {"completion_rate"}, "counts": {"count"}, "performance": {"weight", "score"},
             "repeated": {"amount"}}[family]
    if truth is not None:
        rel_ids = {r.id for r in truth.relations if r.family == family}
        strict = {r.id for r in truth.relations if r.strict}
        for f in truth.facts:
            mine = [r for r in f.relations if r in rel_ids]
            if any(r in strict for r in mine) and f.role in roles:
                candidates.append((f.start, f.end, f.text, f.key, mine))
    else:
        parsed = parse_text(text)
        for f in parsed.figures:
            if f.role in roles and (family != "performance" or f.placed == "table"):
                candidates.append((f.start, f.end, f.text, None, []))
    if not candidates:
        raise ValueError(f"no figure of family {family} to perturb")
    rng.shuffle(candidates)
    for start, end, printed, key, rels in candidates:
        # clearly outside rounding: a change of the last decimal digit may be absorbed by it
        kinds = ["tens", "swap", "x10"] if "." in printed else ["last", "x10", "swap"]
        rng.shuffle(kinds)
        for kind in kinds:
            new = perturb_number(printed, kind)
            if new is None:
                continue
            if family in ("shares", "completion") and Decimal(new) > 100 and Decimal(printed) <= 100 and kind == "x10":
                continue
            out = _edit(text, start, end, new)
            return out, Planted(family, f"{kind}: {printed} → {new}", start, start + len(new), printed, new, key, rels)
    raise ValueError(f"could not perturb any figure of family {family}")


def _plant_hygiene(text: str, rng: random.Random) -> tuple[str, Planted]:
    """A template slip: a direction word left as the template's alternative, a placeholder,
    or a wrong fiscal year in a sentence head."""
    options = []
    for m in re.finditer(r"(增加|减少)(?=\d)", text):
        other = "减少" if m.group(1) == "增加" else "增加"
        options.append((m.start(), m.end(), m.group(1), f"{m.group(1)}（{other}）", "模板选项未删除"))
    for m in re.finditer(r"(?<=支出决算为)\d+(?:\.\d+)?(?=万元)", text):
        options.append((m.start(), m.end(), m.group(0), "XX", "数字占位符未填写"))
    for m in re.finditer(r"(?<=完成预算)(\d+)(?=%)", text):
        options.append((m.start(), m.end(), m.group(0), "X", "百分比占位符未填写"))
    start, end, before, after, why = rng.choice(options)
    return _edit(text, start, end, after), Planted("hygiene", f"{why}: {before} → {after}", start, start + len(after), before, after)
