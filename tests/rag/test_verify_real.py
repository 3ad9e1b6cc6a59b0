"""The verifier on real reports' wording and on the bundled model's real answers.

The reports are texts of evals/data/corpus/reports/ (published, not written here). The last
test holds the hand-labelled numbers of the bundled model's answers (evals.quality.verify_real): every
wrong-metric number caught, at most 2% of right numbers flagged.
"""

from __future__ import annotations

from functools import cache

import pytest

from evals.quality import verify_real
from evals.quality.qa_items import CORPUS_REPORTS
from index.models import ParsedReport
from index.parse import parse_file
from index.settings import Settings
from rag.verify import verify_against_report


@cache
def _report(name: str) -> ParsedReport:
    settings = Settings()
    return parse_file(CORPUS_REPORTS / name, settings.max_upload_bytes, settings.chunk_chars)


def _verdicts(text: str, report: str) -> list[tuple[str, str, str | None]]:
    return [(c.text, c.verdict, c.expected) for c in verify_against_report(text, _report(report))]


# 002.txt (施甸县, 2016) prints the 三公 change in a 增减 column: -204.61万元, -7.03%.
@pytest.mark.parametrize(("answer", "expected"), [
    ("施甸县2016年“三公”经费比上年增减-204.61万元，增减幅度-7.03%。",
     [("-204.61万元", "supported", None), ("-7.03%", "supported", None)]),
    ("“三公”经费比上年减少204.61万元，下降7.03%。",
     [("减少204.61万元", "supported", None), ("下降7.03%", "supported", None)]),
    # The same size with the wrong direction is wrong, whether written with a word or a sign.
    ("“三公”经费比上年增加204.61万元。", [("增加204.61万元", "contradicted", "减少204.61万元")]),
    ("“三公”经费比上年增减+204.61万元。", [("+204.61万元", "contradicted", "减少204.61万元")]),
    # A change given as the amount is wrong.
    ("“三公”经费合计204.61万元。", [("204.61万元", "contradicted", "2706.86万元")]),
])
def test_a_signed_change_is_judged_by_its_sign(answer: str, expected: list) -> None:
    assert _verdicts(answer, "002.txt") == expected


def test_hand_labelled_model_answers() -> None:
    """Issue 9's bar on real answers: every wrong-metric number caught, ≤ 2% of right ones flagged."""
    rates = verify_real.evaluate()
    outcomes = [o for r in rates.values() for o in r.outcomes]
    right = [o for o in outcomes if o.label == "right"]
    wrong = [o for o in outcomes if o.label == "wrong"]
    assert len(right) + len(wrong) >= 100
    missed_metric = [o for o in wrong if o.kind == "wrong_metric" and o.verdict not in ("contradicted", "unsupported")]
    assert missed_metric == []
    flagged = [o for o in right if o.verdict != "supported"]
    assert len(flagged) <= 0.02 * len(right), [(o.id, o.text, o.verdict) for o in flagged]
