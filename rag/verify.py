"""Deterministic verification of the numbers in an answer (no LLM).

`verify(answer_text, figures, passages, report_year)` finds every number an answer states,
binds it to what it measures (metric, year, role: amount / change / share / completion rate /
count / score) and judges it against the report's stated figures:

- supported: the report states it (within display rounding), or it follows from stated
  figures (a sum, a difference, a share, a prior-year value) — `Claim.how` says how;
- contradicted: the report states a different value for the metric, role and year bound —
  `Claim.expected` is the report's value, `Claim.evidence` where it stands;
- unsupported: the number cannot be bound, or nothing in the report states or implies it.

See docs/verification.md for the rules (rounding, derivations, display policy) and the
measured catch / false-flag rates (`python -m evals.verify_eval`).
"""

from __future__ import annotations

import re

from index.models import Figure, ParsedReport
from index.numbers import normalize_unit, parse_decimal
from rag.claims_bind import _ROLES_FOR, _bind, _Binding, _lcs, _sentence_span, _subsequence, _year_of
from rag.claims_derive import (
    _WORD_FOR,
    MAX_PAIR_POOL,  # noqa: F401  (re-exported)
    MAX_TRIPLE_POOL,  # noqa: F401  (re-exported)
    _derivations,
    _derived_ok,
    _prior_year,
)
from rag.claims_find import _ARABIC_RE, _CITATION_RE, FoundNumber, find_numbers
from rag.claims_rounding import (
    _MONEY_FACTOR,
    MIN_SIGNIFICANT,  # noqa: F401  (re-exported)
    _dimension,
    _fmt,
    _in_unit,
    _to_base,
    _trailing_zeros,
    rounds_to,
)
from rag.claims_vocabulary import _mentions, _split_subject, _vocabulary, clean_metric_text
from rag.marks import (
    MARKS,
    mark_for,  # noqa: F401  (re-exported)
    render_marked,
)
from rag.models import Claim, ClaimEvidence

__all__ = ["MARKS", "FoundNumber", "find_numbers", "render_marked", "verify", "verify_against_report"]

# The verifier's steps live in modules of their own: rag/claims_find.py (finding numbers),
# rag/claims_rounding.py (units, rounding), rag/claims_vocabulary.py (the report's names),
# rag/claims_bind.py (what a number measures), rag/claims_derive.py (derived numbers) and
# rag/marks.py (showing the verdicts). This module judges.


def _aspect_matches(figure: Figure, aspect: str) -> bool:
    _, part = _split_subject(figure)
    names = [clean_metric_text(part), clean_metric_text(figure.column or "")]
    aspect = aspect.removesuffix("数")
    if any(aspect and (aspect in name or (name and name.removesuffix("数") in aspect)) for name in names):
        return True
    combined = "".join(names)
    return _subsequence(aspect, combined)


def _direction_ok(n: FoundNumber, figure: Figure) -> bool:
    return n.direction is None or figure.direction is None or n.direction == figure.direction


def _value_matches(n: FoundNumber, figure: Figure) -> bool:
    if _dimension(n.unit) != "bare" and _dimension(n.unit) != _dimension(figure.unit):
        return False
    cv, cd = _to_base(n.value, n.decimals, n.unit if _dimension(n.unit) != "bare" else figure.unit)
    fv, fd = _to_base(figure.value, figure.decimals, figure.unit)
    return rounds_to(cv, cd, fv, fd, 0 if n.chinese else _trailing_zeros(n.value_text))


def _candidates(figures: list[Figure], binding: _Binding, n: FoundNumber, metrics: set[str] | None,
                report_year: int | None, any_year: bool = False) -> list[Figure]:
    roles = _ROLES_FOR.get(binding.role, _ROLES_FOR[None])
    dim = _dimension(n.unit)
    out = []
    for f in figures:
        if dim != "bare" and _dimension(f.unit) != dim:
            continue
        if f.role not in roles:
            continue
        if not any_year and binding.year is not None and _year_of(f, report_year) != binding.year:
            continue
        if metrics is None:  # project binding
            subject, _ = _split_subject(f)
            if subject != binding.subject or (binding.aspect and not _aspect_matches(f, binding.aspect)):
                continue
        elif f.metric not in metrics:
            continue
        if binding.role == "share" and binding.base_metrics and f.base and f.base not in binding.base_metrics:
            continue
        out.append(f)
    return out


def _evidence(figure: Figure) -> ClaimEvidence:
    return ClaimEvidence(quote=figure.quote, section=figure.section, page=figure.page)


def _expected(figure: Figure, n: FoundNumber) -> str:
    word = _WORD_FOR.get((figure.role, figure.direction or ""), "")
    text = f"{word}{figure.text}{figure.unit}"
    if n.unit in _MONEY_FACTOR and figure.unit in _MONEY_FACTOR and n.unit != figure.unit:
        value, _ = _to_base(figure.value, 0, figure.unit)
        converted = value.scaleb(-_MONEY_FACTOR[n.unit]).normalize()
        text += f"（即 {converted:f}{n.unit}）"
    return text


def _normspace(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _passage_figures(figures: list[Figure], passages: list[str]) -> list[Figure]:
    joined = [_normspace(p) for p in passages]
    return [f for f in figures if any(_normspace(f.quote) in p for p in joined)]


def _cited(text: str, n: FoundNumber, passages: list[str]) -> list[str]:
    """The passages cited ([n]) in the number's sentence, else all passages."""
    s_start, s_end = _sentence_span(text, n.num_start)
    numbers = {int(x) for m in _CITATION_RE.finditer(text[s_start:s_end]) for x in re.findall(r"\d+", m.group(0))}
    chosen = [passages[i - 1] for i in sorted(numbers) if 1 <= i <= len(passages)]
    return chosen or passages


def _passage_states(n: FoundNumber, binding: _Binding, passages: list[str]) -> str | None:
    """A sentence of a cited passage stating the same number and unit after words that
    resemble the answer's (for numbers the figures do not cover)."""
    if not binding.named:
        return None
    for passage in passages:
        for sentence in re.split(r"(?<=[。；;！？\n])", passage):
            for m in _ARABIC_RE.finditer(sentence):
                unit = normalize_unit(m.group("unit") or "")
                unit = "万元" if unit == "万" else unit
                if not unit or _dimension(unit) != _dimension(n.unit):
                    continue
                value, decimals = parse_decimal(m.group("num"))
                cv, cd = _to_base(n.value, n.decimals, n.unit)
                fv, fd = _to_base(value, decimals, unit)
                if rounds_to(cv, cd, fv, fd, _trailing_zeros(n.value_text)) and _lcs(binding.named, clean_metric_text(sentence[: m.start()])) >= 2:
                    return sentence.strip()
    return None


def verify(
    answer_text: str,
    figures: list[Figure],
    passages: list[str] | None = None,
    report_year: int | None = None,
) -> list[Claim]:
    """Find, bind and judge every number of an answer against a report's stated figures."""
    if report_year is None:
        years = [f.year for f in figures if f.year is not None]
        report_year = max(set(years), key=years.count) if years else None
    vocab = _vocabulary(figures)
    mentions = _mentions(answer_text, vocab)
    numbers = find_numbers(answer_text)
    passages = passages or []
    claims: list[Claim] = []
    used: list[Figure] = []  # figures that supported earlier claims: operands for later derivations
    bindings: list[_Binding] = []
    previous: _Binding | None = None
    for n in numbers:
        binding = _bind(answer_text, n, mentions, vocab, report_year, previous)
        bindings.append(binding)
        if binding.strong or binding.fuzzy:
            previous = binding
        claims.append(_judge(answer_text, n, binding, figures, passages, report_year, used, bindings, numbers))
    return claims


def _judge(text: str, n: FoundNumber, binding: _Binding, figures: list[Figure], passages: list[str],
           report_year: int | None, used: list[Figure], bindings: list[_Binding], numbers: list[FoundNumber]) -> Claim:
    def claim(verdict: str, figure: Figure | None = None, how: str = "", expected: str | None = None,
              evidence: ClaimEvidence | None = None, metric: str | None = None) -> Claim:
        if figure is not None and verdict == "supported":
            used.append(figure)
        return Claim(
            text=n.text, value=n.value_text, unit=n.unit, start=n.text_start, end=n.end, verdict=verdict,
            metric=metric or (figure.metric if figure is not None else (binding.named or None)),
            evidence=evidence or (_evidence(figure) if figure is not None else None), expected=expected, how=how,
        )

    strong_metrics: set[str] | None = binding.metrics if binding.metrics else (None if binding.subject else set())
    strong: list[Figure] = []
    if binding.subject is not None or binding.metrics:
        strong = _candidates(figures, binding, n, strong_metrics, report_year)
        if binding.subject is not None and not binding.aspect:
            strong_ok = [f for f in strong if _value_matches(n, f) and _direction_ok(n, f)]
            if strong_ok:
                return claim("supported", strong_ok[0], how=f"stated: {strong_ok[0].metric}")
            strong = []  # a project named without the aspect: not bound well enough to contradict
    for f in strong:
        if _value_matches(n, f) and _direction_ok(n, f):
            return claim("supported", f, how=f"stated: {f.metric}")
    if strong:
        wrong_direction = [f for f in strong if _value_matches(n, f)]
        best = wrong_direction[0] if wrong_direction else _best(strong, n)
        how = "direction differs" if wrong_direction else f"stated: {best.metric}"
        return claim("contradicted", best, how=how, expected=_expected(best, n))
    # weakly bound: names resembling a metric
    if binding.fuzzy:
        for f in _candidates(figures, binding, n, binding.fuzzy, report_year):
            if _value_matches(n, f) and _direction_ok(n, f):
                return claim("supported", f, how=f"stated: {f.metric}（按相近指标名匹配）")
    cited = _cited(text, n, passages)
    if binding.metrics or binding.fuzzy or binding.subject:
        for f in _passage_figures(figures, cited):
            if _value_matches(n, f) and _direction_ok(n, f) and binding.role in (None, "amount", "count", "rate") \
                    and f.role in _ROLES_FOR.get(binding.role, _ROLES_FOR[None]) \
                    and (binding.year is None or _year_of(f, report_year) == binding.year) \
                    and _lcs(binding.named, clean_metric_text(f.label + f.metric)) >= 2:
                return claim("supported", f, how=f"stated in cited passage: {f.metric}")
    # derived numbers
    named = binding.metrics | binding.fuzzy
    if binding.year is not None and report_year is not None and binding.year < report_year and binding.role in ("amount", None) \
            and _dimension(n.unit) == "money":
        priors = _prior_year(figures, binding.metrics or binding.fuzzy, binding.year, report_year)
        for d in priors:
            if _derived_ok(n, d):
                return claim("supported", d.figures[1], how=d.how)
        if priors and binding.metrics:
            d = priors[0]
            return claim("contradicted", d.figures[1], how=d.how,
                         expected=f"{_fmt(_in_unit(d.mid, d.figures[0].unit), d.figures[0].decimals)}{d.figures[0].unit}（由报告推算）")
    pool = _pool(text, n, binding, figures, cited, passages, report_year, used, bindings, numbers)
    for d in _derivations(n, binding, pool, report_year):
        if _derived_ok(n, d):
            return claim("supported", d.figures[0], how=d.how, metric=binding.named or None)
    if binding.role == "share" and binding.base_metrics and named:
        parts = [f for f in figures if f.metric in named and f.role == "amount" and f.unit in _MONEY_FACTOR
                 and _year_of(f, report_year) == binding.year]
        wholes = [f for f in figures if f.metric in binding.base_metrics and f.role == "amount"
                  and f.unit in _MONEY_FACTOR and _year_of(f, report_year) == binding.year and f.value]
        if parts and wholes and binding.metrics:
            part, whole = parts[0], wholes[0]
            share = part.value.scaleb(_MONEY_FACTOR[part.unit]) / whole.value.scaleb(_MONEY_FACTOR[whole.unit]) * 100
            return claim("contradicted", part, how=f"{part.text} / {whole.text} = {share:.2f}%",
                         expected=f"{share:.2f}%（由报告推算）")
    if sentence := _passage_states(n, binding, cited):
        return claim("supported", how="stated in cited passage", evidence=ClaimEvidence(quote=sentence))
    return claim("unsupported", how="no stated or derivable figure for " + (binding.named or "this number"))


def _best(candidates: list[Figure], n: FoundNumber) -> Figure:
    """The report's value to show for a contradicted number: its narrative statement first."""
    return min(candidates, key=lambda f: (f.source != "text", f.role not in ("amount", "count", "share"), f.start))


def _pool(text: str, n: FoundNumber, binding: _Binding, figures: list[Figure], cited: list[str], passages: list[str],
          report_year: int | None, used: list[Figure], bindings: list[_Binding], numbers: list[FoundNumber]) -> list[Figure]:
    """Operands a derived number may use: figures of the metrics its sentence names, figures
    that supported the answer's other numbers, and figures of the cited passages."""
    s_start, s_end = _sentence_span(text, n.num_start)
    metrics: set[str] = set()
    subjects: set[str] = set()
    for other, b in zip(numbers, bindings):
        if s_start <= other.num_start < s_end:
            metrics |= b.metrics | b.base_metrics
            if b.subject:
                subjects.add(b.subject)
    metrics |= binding.metrics | binding.fuzzy | binding.base_metrics
    pool: list[Figure] = []
    seen: set[tuple] = set()

    def add(f: Figure) -> None:
        key = (f.metric, f.value, f.role, f.year, f.unit)
        if key not in seen:
            seen.add(key)
            pool.append(f)

    for f in used:
        add(f)
    for f in figures:
        if f.metric in metrics or (f.subject in subjects and _split_subject(f)[0] == f.subject):
            add(f)
    if passages:
        for f in _passage_figures(figures, cited):
            add(f)
    return pool


def verify_against_report(answer_text: str, parsed_report: ParsedReport, passages: list[str] | None = None) -> list[Claim]:
    """`verify` with a parsed report's figures and year."""
    return verify(answer_text, parsed_report.figures, passages, parsed_report.report.year)
