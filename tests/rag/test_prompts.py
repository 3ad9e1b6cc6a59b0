"""Prompt templates are files that declare their variables and are checked when loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

import prompts
from prompts import PromptError, load_prompt, load_prompts


def test_project_prompts_load_with_their_declared_variables() -> None:
    templates = load_prompts()
    assert templates["answer_system"].variables == ("cannot_answer",)
    assert set(templates["answer_user"].variables) == {"passages", "figures", "question"}
    text = templates["answer_user"].format(passages="P", figures="F", question="Q")
    assert "P" in text and "Q" in text and "# variables" not in text


def test_package_api() -> None:
    assert set(prompts.__all__) == {"PROMPTS_DIR", "PromptError", "PromptTemplate", "load_prompt", "load_prompts"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("# variables: question\n问题：{question}，资料：{passages}\n", "unknown variable passages"),
        ("# variables: question, figures\n问题：{question}\n", "missing variable figures"),
        ("问题：{question}\n", "first line must declare"),
        ("# variables: question\n问题：{question!r}\n", "not a plain variable name"),
        ("# variables: question\n问题：{question} {\n", "literal brace"),
        ("# variables: 问题\n{问题}\n", "not a plain name"),
    ],
)
def test_a_bad_template_fails_at_load_naming_the_file(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "broken_prompt.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PromptError, match=message) as info:
        load_prompt(path)
    assert "broken_prompt.txt" in str(info.value)


def test_a_bad_file_in_a_folder_fails_the_whole_load(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("# variables: question\n{question}\n", encoding="utf-8")
    (tmp_path / "bad.txt").write_text("# variables:\n{question}\n", encoding="utf-8")
    with pytest.raises(PromptError, match="bad.txt: unknown variable question"):
        load_prompts(tmp_path)


def test_comments_and_literal_braces(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_text("# variables: question\n# why: a comment line\n格式 {{\"a\": 1}}：{question}\n", encoding="utf-8")
    template = load_prompt(path)
    assert template.format(question="Q") == '格式 {"a": 1}：Q\n'
    with pytest.raises(PromptError, match="t.txt: missing value for question"):
        template.format()
    with pytest.raises(PromptError, match="unknown variable other"):
        template.format(question="Q", other=1)
