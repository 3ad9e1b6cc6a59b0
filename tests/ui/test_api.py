"""The named API endpoint `ask`, through gradio_client: the answer with every number's verdict."""

from __future__ import annotations

from gradio_client import Client


def test_ask_api_returns_verified_figures(server) -> None:
    client = Client(server.url, verbose=False)
    result = client.predict("公务接待费为何下降？", "all", api_name="/ask")
    assert set(result) >= {"question", "answer", "claims", "citations", "provider"}
    assert result["provider"] == "extractive"
    assert "4.55万元" in result["answer"]
    verdicts = {claim["text"]: claim["verdict"] for claim in result["claims"]}
    assert any("4.55" in text and verdict == "supported" for text, verdict in verdicts.items()), verdicts
    assert any("1.05" in text and verdict == "supported" for text, verdict in verdicts.items()), verdicts
    assert "contradicted" not in verdicts.values()
    for claim in result["claims"]:  # each span points at its text in the answer
        assert result["answer"][claim["start"] : claim["end"]] == claim["text"]
    assert result["citations"] and all(c["quote"] and c["section"] for c in result["citations"])


def test_ask_api_reads_only_the_shared_store(server) -> None:
    """The API has no session: it answers from shared reports only, and an unknown scope is empty."""
    client = Client(server.url, verbose=False)
    result = client.predict("公务接待费为何下降？", "report:no-such-report", api_name="/ask")
    assert result["answer"] == "" and result["claims"] == []
