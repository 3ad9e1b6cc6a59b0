"""The verdict of each number of an answer (the last step of rag.verify).

`verify(answer_text, figures, passages, report_year)` finds every number an answer states,
binds it to what it measures (metric, year, role: amount / change / share / completion rate /
count / score) and judges it against the report's stated figures:

- supported: the report states it (within display rounding), or it follows from stated
  figures (a sum, a difference, a share, a prior-year value) — `Claim.how` says how;
- contradicted: the report states a different value for the metric, role and year bound —
  `Claim.expected` is the report's value, `Claim.evidence` where it stands;
- unsupported: the number cannot be bound, or nothing in the report states or implies it.

See docs/verification.md for the rules (rounding, derivations, display policy) and the
measured catch / false-flag rates (`python -m evals.quality.verify_eval`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from index.figures.keys import is_budget, split_metric
from index.figures.words import after_org_names
from index.models import Figure, ParsedReport
from index.numbers import normalize_unit, parse_decimal
from index.reading import clean as reading_clean
from rag.models import Claim, ClaimEvidence
from rag.verify.bind import _ROLES_FOR, _bind, _Binding, _lcs, _sentence_span, _subsequence, _year_of
from rag.verify.derive import (
    _WORD_FOR,
    MAX_PAIR_POOL,  # noqa: F401  (re-exported)
    MAX_TRIPLE_POOL,  # noqa: F401  (re-exported)
    _derivations,
    _derived_ok,
    _prior_year,
)
from rag.verify.find import _ARABIC_RE, _CITATION_RE, FoundNumber, find_numbers
from rag.verify.grammar import answer_figures
from rag.verify.rounding import (
    _MONEY_FACTOR,
    MIN_SIGNIFICANT,  # noqa: F401  (re-exported)
    _dimension,
    _fmt,
    _in_unit,
    _to_base,
    _trailing_zeros,
    rounds_to,
)
from rag.verify.vocabulary import _mentions, _split_subject, _vocabulary, clean_metric_text

__all__ = ["verify", "verify_against_report"]

# The verifier's steps live in the modules of this package (see rag/verify/__init__.py);
# rag/marks.py shows the verdicts. This module judges.


def _aspect_matches(figure: Figure, aspect: str) -> bool:
    _, part = _split_subject(figure)
    names = [clean_metric_text(part), clean_metric_text(figure.column or "")]
    aspect = aspect.removesuffix("数")
    if any(aspect and (aspect in name or (name and name.removesuffix("数") in aspect)) for name in names):
        return True
    combined = "".join(names)
    return _subsequence(aspect, combined)


def _direction_ok(n: FoundNumber, figure: Figure) -> bool:
    direction = figure.direction
    if direction is None and figure.role in ("change_amount", "change_rate") and figure.value:
        direction = "decrease" if figure.value < 0 else "increase"  # a table's signed 增减 column
    return n.direction is None or direction is None or n.direction == direction


def _value_matches(n: FoundNumber, figure: Figure) -> bool:
    if _dimension(n.unit) != "bare" and _dimension(n.unit) != _dimension(figure.unit):
        return False
    cv, cd = _to_base(n.value, n.decimals, n.unit if _dimension(n.unit) != "bare" else figure.unit)
    fv, fd = _to_base(figure.value, figure.decimals, figure.unit)
    if figure.role in ("change_amount", "change_rate") and n.direction is not None:
        # A table prints a change signed ("-204.61"); an answer writes it with a word ("减少204.61").
        fv = abs(fv)
    return rounds_to(cv, cd, fv, fd, 0 if n.chinese else _trailing_zeros(n.value_text))


# The columns beside the final account, and the words that name them.
_BUDGET_WORD = re.compile("(?<!公共|基金|经营)预算")  # not the funds' names (一般公共预算…)
_OTHER_BASES = {"budget": _BUDGET_WORD, "initial_budget": _BUDGET_WORD, "adjusted_budget": _BUDGET_WORD,
                "executed": re.compile("执行")}


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
        if f.basis in _OTHER_BASES and not _OTHER_BASES[f.basis].search(binding.named):
            continue  # a budget or execution column answers only a number named as such
        if binding.role == "share" and binding.base_metrics and f.base and f.base not in binding.base_metrics:
            continue
        out.append(f)
    return out


def _evidence(figure: Figure) -> ClaimEvidence:
    return ClaimEvidence(quote=figure.quote, section=figure.section, page=figure.page, ocr=figure.source == "ocr")


def _expected(figure: Figure, n: FoundNumber) -> str:
    word = _WORD_FOR.get((figure.role, figure.direction or ""), "")
    printed = figure.text.lstrip("-－—−+＋") if word else figure.text  # "减少204.61", not "减少-204.61"
    text = f"{word}{printed}{figure.unit}"
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
    texts: list[str] | None = None,
    department: str | None = None,
) -> list[Claim]:
    """Find, bind and judge every number of an answer against a report's stated figures.

    The verdict depends on the report, never on which passages a retriever happened to pick
    (`passages` only serve the callers; they are not evidence), so `ask` and `verify` give one
    sentence one verdict: by the report's figures, and — for a number the figures do not hold —
    by `texts`, the reports' own texts, when the number stands inside a clause the answer copies
    from them word for word (a reason quoted as printed). Figures stated inside instruction-like
    sentences (a prompt injection planted in a report) never support anything.
    """
    from rag.context import trusted_figures

    figures = trusted_figures(figures)
    if report_year is None:
        years = [f.year for f in figures if f.year is not None]
        report_year = max(set(years), key=years.count) if years else None
    vocab = _vocabulary(figures)
    mentions = _mentions(answer_text, vocab)
    numbers = find_numbers(answer_text)
    stated = answer_figures(answer_text, report_year, department)
    # Verdicts rest on the report's figures alone: a passage a retriever picked (or the whole
    # text) is no evidence by itself, so `ask` and `verify` judge a sentence alike.
    passages, cite = [], False
    claims: list[Claim] = []
    used: list[Figure] = []  # figures that supported earlier claims: operands for later derivations
    bindings: list[_Binding] = []
    previous: _Binding | None = None
    for n in numbers:
        binding = _bind(answer_text, n, mentions, vocab, report_year, previous)
        bindings.append(binding)
        if binding.strong or binding.fuzzy:
            previous = binding
        by_grammar = _judge_by_key(n, stated.get(n.num_start), figures, report_year, used)
        claim = by_grammar or _judge(answer_text, n, binding, figures, passages, report_year, used, bindings,
                                     numbers, cite)
        if claim.verdict == "unsupported" and (quote := _quoted(answer_text, texts or [], n)) is not None:
            claim = claim.model_copy(update={
                "verdict": "supported", "how": "quoted from the report", "evidence": ClaimEvidence(quote=quote),
            })
        claims.append(claim)
    return claims


# A quotation of the report: the answer's sentence, from its start through the number and its
# unit, copied from a report's text (punctuation width, 繁體 and inline readings aside), at least
# this long — so its words, not just the digits, are the report's, and nothing the answer put
# before the number (another metric, another department) is left out of the comparison.
_QUOTE_MIN = 16
_MARKERS = re.compile(r"\[\d+(?:[,，、\-–]\d+)*\]|[✓✗?]")
_SENTENCE_STOP = re.compile(r"[。！？!?；;\n]")


def _quote_form(text: str) -> str:
    """Text as quotes are compared: simplified, no inline readings, half-width, no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", reading_clean(text)))


@lru_cache(maxsize=16)
def _report_quote_form(text: str) -> str:
    return _quote_form(text)


def _quoted(text: str, texts: list[str], n: FoundNumber) -> str | None:
    """The answer's words from its sentence's start through the number, when a report prints
    them word for word; else None."""
    if not texts:
        return None
    begin = 0
    for stop in _SENTENCE_STOP.finditer(text, 0, n.num_start):
        begin = stop.end()
    said = text[begin:n.end].strip()
    words = _quote_form(_MARKERS.sub("", said))
    if len(words) < _QUOTE_MIN:
        return None
    return said if any(words in _report_quote_form(t) for t in texts) else None


_ROLE_MATCH = {
    "amount": ("amount", "actual", "target"), "count": ("count", "actual", "target"),
    "change_amount": ("change_amount",), "change_rate": ("change_rate",), "share": ("share",),
    "completion_rate": ("completion_rate",), "score": ("score",), "weight": ("weight",), "rate": ("rate",),
}


# Totals the template prints as one: 收支总计 is both 收入总计 and 支出总计 (domain.md).
_SAME_TOTAL = {"收支总计": ("收入总计", "支出总计"), "收入总计": ("收支总计",), "支出总计": ("收支总计",),
               "财政拨款收支总计": ("财政拨款收入总计", "财政拨款支出总计"),
               "财政拨款收入总计": ("财政拨款收支总计",), "财政拨款支出总计": ("财政拨款收支总计",)}
_FUNDS = ("一般公共预算", "政府性基金预算", "政府性基金", "国有资本经营预算", "国有资本经营")
_TOTAL_TAIL = re.compile(r"(?:总计|合计|总额)$")


# "A和B各…", "A、B均…": one number said of every metric joined.
_EACH = re.compile(r"(?:和|与|及|、)[^，,。；;]{0,30}?(?:各|均|都)")
_JOINED = re.compile(r"和|与|及|、")


def _same_quantity(metric: str) -> Callable[[str], bool]:
    """A test of a report's metric name: the metric itself, or a total the template prints as one."""
    same = {metric, *_SAME_TOTAL.get(metric, ())}
    return same.__contains__


def near_key(metric: str) -> tuple[str, str]:
    """(funds, core) of a metric name: "一般公共预算财政拨款收入总计" → (一般公共预算, 财政拨款收入).
    Names that differ only in their total words are one quantity when their funds agree."""
    funds = next((f for f in _FUNDS if metric.startswith(f)), "")
    core = metric[len(funds):]
    return funds.removesuffix("预算"), _TOTAL_TAIL.sub("", core) or core


def funds_of(metric: str) -> str:
    """The funds a metric's name narrows it to (一般公共预算, 政府性基金, 国有资本经营), or ""."""
    return near_key(metric)[0]


def _same_funds(named: str, figure: Figure) -> bool:
    """False when the answer names funds (一般公共预算, 政府性基金, 国有资本经营) the figure is not of."""
    funds = next((f.removesuffix("预算") for f in _FUNDS if f in named), "")
    return not funds or funds in figure.metric or (figure.scope or "") == funds


def _basis_kind(basis: str) -> str:
    """budget, executed (the execution reported before the final account) or actual."""
    return "budget" if is_budget(basis) else ("executed" if basis == "executed" else "actual")


def _keyed(stated: Figure, figures: list[Figure], report_year: int | None, n: FoundNumber,
           same_metric: Callable[[str], bool]) -> list[Figure]:
    """The report's figures of a stated figure's key, with the metric compared by `same_metric`."""
    _, basis = split_metric(stated)
    year = stated.year if stated.year is not None else report_year
    roles = _ROLE_MATCH.get(stated.role, (stated.role,))
    out = []
    for f in figures:
        f_metric, f_basis = split_metric(f)
        if not same_metric(f_metric) or f.role not in roles or _basis_kind(f_basis) != _basis_kind(basis):
            continue
        if _year_of(f, report_year) != year or _dimension(f.unit) != _dimension(n.unit or f.unit):
            continue
        if stated.role in ("change_amount", "change_rate") and (f.against or "prior_year") != (stated.against or "prior_year"):
            continue
        if stated.role == "share" and stated.base and f.base and stated.base != f.base:
            continue
        if f.subject is not None:
            continue  # a project's figure is bound by its name (the name-based steps)
        out.append(f)
    return out


def _judge_by_key(n: FoundNumber, stated: Figure | None, figures: list[Figure], report_year: int | None,
                  used: list[Figure]) -> Claim | None:
    """The verdict of a number the figure grammar bound (None: leave it to the name-based steps).

    The report's figures of the same key — metric, role, year, basis (final account or budget),
    comparison and direction — decide: one of them with the value is support, none with it is
    a contradiction showing the report's value. A key the report does not state at all is not
    judged here (the number may be derived, or named differently)."""
    if stated is None or n.chinese:
        return None
    metric, _ = split_metric(stated)
    if _EACH.search(stated.quote) and (parts := _JOINED.split(metric)) and len(parts) > 1 and all(
            len(p) >= 2 for p in parts):
        # "收入总计和支出总计各减少144.43万元": the number is claimed of each metric joined.
        claims = [_judge_by_key(n, stated.model_copy(update={"metric": p}), figures, report_year, used)
                  for p in parts]
        if all(c is not None and c.verdict == "supported" for c in claims):
            return claims[-1]
        return next((c for c in claims if c is not None and c.verdict == "contradicted"), None)
    candidates = _keyed(stated, figures, report_year, n, _same_quantity(metric))
    if not candidates:
        # Named with other total words or with its funds ("一般公共预算财政拨款收入总计" for the
        # report's "一般公共预算财政拨款收入"): the same quantity when the core and the funds agree.
        near = near_key(metric)
        candidates = _keyed(stated, figures, report_year, n, lambda m: near_key(m) == near)
    for rest in after_org_names(metric) if not candidates else []:
        # "泉港区一般公共预算总收入": the place named before a metric of the report.
        candidates = _keyed(stated, figures, report_year, n, _same_quantity(rest))
        if candidates:
            break
    if not candidates:
        return None
    ok = [f for f in candidates if _value_matches(n, f) and _direction_ok(n, f)]
    if not ok and len({f.report_id for f in candidates}) > 1:
        return None  # several reports in scope state the key: which one the answer is about is not known
    figure = ok[0] if ok else (next((f for f in candidates if _value_matches(n, f)), None) or _best(candidates, n))
    verdict = "supported" if ok else "contradicted"
    if verdict == "supported":
        used.append(figure)
    how = f"stated: {figure.metric}" if ok else ("direction differs" if _value_matches(n, figure) else f"stated: {figure.metric}")
    return Claim(
        text=n.text, value=n.value_text, unit=n.unit, start=n.text_start, end=n.end, verdict=verdict,
        metric=figure.metric, evidence=_evidence(figure), expected=None if ok else _expected(figure, n), how=how,
    )


def _judge(text: str, n: FoundNumber, binding: _Binding, figures: list[Figure], passages: list[str],
           report_year: int | None, used: list[Figure], bindings: list[_Binding], numbers: list[FoundNumber],
           cite: bool = True) -> Claim:
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
            if not _same_funds(binding.named, f):
                continue  # "一般公共预算财政拨款收入" is not resembled by the 财政拨款收入 of all funds
            if _value_matches(n, f) and _direction_ok(n, f):
                return claim("supported", f, how=f"stated: {f.metric}（按相近指标名匹配）")
    cited = _cited(text, n, passages) if cite else passages
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
    return min(candidates, key=lambda f: (f.placed != "text", f.role not in ("amount", "count", "share"), f.start))


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
    """`verify` with a parsed report's figures, year, department and text."""
    report = parsed_report.report
    return verify(answer_text, parsed_report.figures, passages, report.year, texts=[report.text],
                  department=report.department)
