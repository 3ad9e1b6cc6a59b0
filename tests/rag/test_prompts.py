"""Prompt templates are files that declare their variables, are checked when loaded, and load
as LangChain chat prompts."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.prompts import ChatPromptTemplate

import prompts
from prompts import PromptError, load_prompt, load_prompts


def test_project_prompts_load_as_chat_prompts_with_their_declared_variables() -> None:
    templates = load_prompts()
    assert all(isinstance(t, ChatPromptTemplate) for t in templates.values())
    assert templates["answer_system"].input_variables == ["cannot_answer"]
    assert set(templates["answer_user"].input_variables) == {"passages", "figures", "question"}
    [system] = templates["answer_system"].format_messages(cannot_answer="C")
    [user] = templates["answer_user"].format_messages(passages="P", figures="F", question="Q")
    assert (system.type, user.type) == ("system", "human")  # by the file name: *_system is the system turn
    assert "P" in user.text and "Q" in user.text and "# variables" not in user.text + system.text
    with pytest.raises(KeyError, match="figures"):
        templates["answer_user"].format_messages(passages="P", question="Q")


def test_package_api() -> None:
    assert set(prompts.__all__) == {"PROMPTS_DIR", "PromptError", "load_prompt", "load_prompts"}


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
    assert template.input_variables == ["question"]
    assert template.format_messages(question="Q")[0].text == '格式 {"a": 1}：Q\n'
