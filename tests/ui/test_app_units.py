"""The app's handlers without a browser: escaping, verdict marks, scopes, upload safety."""

from __future__ import annotations

from pathlib import Path

import pytest

import app
from index.ingest import Library
from index.settings import Settings
from rag.models import Answer, Citation, Claim, ClaimEvidence


def _claim(text: str, answer: str, verdict: str, **extra) -> Claim:
    start = answer.index(text)
    return Claim(
        text=text,
        value=text.rstrip("万元%"),
        unit="万元",
        start=start,
        end=start + len(text),
        verdict=verdict,
        **extra,
    )


def test_marked_answer_escapes_report_text_and_marks_each_verdict() -> None:
    text = "<script>alert(1)</script>接待费4.55万元，用车10.16万元，出国3万元[1]。"
    claims = [
        _claim(
            "4.55万元", text, "supported", how="stated", evidence=ClaimEvidence(quote='"<b>"', section="七、")
        ),
        _claim("10.16万元", text, "contradicted", expected="10.61万元", how="stated"),
        _claim("3万元", text, "unsupported"),
    ]
    html = app.render_marked(text, claims)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<span class="claim ok"' in html and "4.55万元 ✓</span>" in html
    assert '<span class="claim bad"' in html and "✗[报告为 10.61万元]" in html
    assert '<span class="claim unk"' in html and "?[未核实]" in html
    assert "&lt;b&gt;" in html  # the evidence in the tooltip is escaped too


def test_answer_html_escapes_citations_and_names_the_model() -> None:
    answer = Answer(
        question="q",
        answer="见[1]。",
        provider="openai",
        citations=[
            Citation(
                n=1,
                report_id="r1",
                section="七、<img src=x onerror=alert(1)>",
                page=3,
                quote="</details><script>x</script>\n\n\n# not a heading",
            ),
        ],
    )
    html = app.answer_html(answer, "openai（deepseek-chat）", {"r1": "米易县 2023"})
    assert "<script>" not in html and "<img" not in html
    assert '<details class="js-cite"><summary>[1] 米易县 2023 · 七、&lt;img' in html and "第 3 页" in html
    assert "回答模型：openai（deepseek-chat）" in html
    assert "\n" not in html  # one HTML block on one line: Markdown does not touch it


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("2023年度报告.pdf", "2023年度报告.pdf"),
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\x\\报告.docx", "报告.docx"),
        ("a\x00b\n.md", "ab.md"),
        ("", "未命名文件"),
    ],
)
def test_an_uploaded_name_is_only_a_display_name(given: str, shown: str) -> None:
    assert app._display_name(given) == shown


def test_private_uploads_are_visible_only_to_their_session(tmp_path: Path) -> None:
    visibility = app.Visibility(tmp_path)
    visibility.mark("mine", shared=False)
    everything = {"sample", "mine"}
    assert visibility.visible(everything, []) == {"sample"}
    assert visibility.visible(everything, ["mine"]) == {"sample", "mine"}
    assert app.Visibility(tmp_path).private == {"mine"}  # a restart keeps it private
    visibility.mark("mine", shared=True)
    assert visibility.visible(everything, []) == everything


@pytest.fixture
def ui(tmp_path: Path) -> app.JuesuanApp:
    settings = Settings(data_dir=tmp_path / "data", max_upload_mb=0.001)  # about 1 kB
    library = Library(settings)
    yield app.JuesuanApp(library)
    library.close()


def test_uploads_are_size_checked_and_never_stored_under_their_own_name(
    ui: app.JuesuanApp, tmp_path: Path
) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 5000)
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"not a zip")
    exe = tmp_path / "run.exe"
    exe.write_bytes(b"MZ")
    session = app.new_session()
    out = ui.upload(
        [str(big), str(broken), str(exe)], False, session, "all", None, progress=lambda *a, **k: None
    )
    new_session, status = out[0], out[1]
    assert "big.txt: 文件过大" in status
    assert "broken.docx" in status and "js-error" in status
    assert "run.exe: 不支持的文件类型" in status
    assert new_session["uploads"] == [] and ui.library.store.report_ids() == set()


def test_scope_never_reaches_outside_what_the_session_may_read(ui: app.JuesuanApp) -> None:
    rows = [
        {"id": "shared", "department": "甲", "year": 2023},
        {"id": "private", "department": "甲", "year": 2023},
    ]
    ui.visible_reports = lambda session: [
        r
        for r in rows
        if r["id"]
        in ui.visibility.visible(  # type: ignore[method-assign]
            {x["id"] for x in rows}, session["uploads"]
        )
    ]
    ui.visibility.mark("private", shared=False)
    someone = app.new_session()
    assert ui.scope_ids(someone, "all") == ["shared"]
    assert ui.scope_ids(someone, "report:private") == []
    assert ui.scope_ids(someone, "dept:甲") == ["shared"]
    owner = {**someone, "uploads": ["private"]}
    assert ui.scope_ids(owner, "year:2023") == ["shared", "private"]
