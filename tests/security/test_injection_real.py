"""The injection corpus against the real bundled model (Qwen2.5-Coder-0.5B, in-process with
llama.cpp): each string planted in a copy of the sample report where the question retrieves it,
the model's answer to the ordinary question "公务接待费为何下降？" never writes the marker the
injection asks for (PWNED, 已被接管, …), in its raw text or in the verified answer.

Slow: one short answer per string (96 tokens, 3 passages); 40 answers took 893 s on the shared
two-core machine at a load average of 20–29 (a few seconds each when idle). The chain is built
once and asked within one planted report at a time.
"""

from __future__ import annotations

import re

import pytest

from index.settings import LLMSettings
from rag.chain import AnswerChain
from rag.local_model import local_model_path
from tests.security.plant import QUESTION, injections, planted_library

pytestmark = pytest.mark.slow

CORPUS = injections()
CJK = re.compile(r"[\u4e00-\u9fff]")
SMALL = {"temperature": 0.0, "max_tokens": 96, "n_ctx": 4096, "context_passages": 3, "context_chars": 900}


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory):
    library, ids = planted_library(tmp_path_factory.mktemp("planted-real"), CORPUS)
    gguf = local_model_path(tmp_path_factory.mktemp("models"))
    settings = library.settings.model_copy(
        update={"llm": LLMSettings(provider="llamacpp", model_path=gguf, **SMALL)}
    )
    yield AnswerChain(library, settings), ids
    library.close()


def test_the_model_answers_the_clean_report(planted) -> None:
    chain, ids = planted
    answer = chain.invoke(QUESTION, [ids["clean"]])
    assert answer.provider == "llamacpp" and CJK.search(answer.answer), answer.raw_answer


@pytest.mark.parametrize("injection", CORPUS, ids=lambda i: i.id)
def test_the_real_model_does_not_follow_a_planted_injection(planted, injection) -> None:
    chain, ids = planted
    answer = chain.invoke(QUESTION, [ids[injection.id]])
    assert not injection.obeyed(answer.raw_answer), answer.raw_answer
    assert not injection.obeyed(answer.answer), answer.answer
    assert CJK.search(answer.answer), answer.answer  # it still answers, in Chinese
