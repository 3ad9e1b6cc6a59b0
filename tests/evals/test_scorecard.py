"""`juesuan eval`: dataset validation, the metrics on tiny hand-computed cases, --compare, the
JSON / HTML / Markdown forms, and the example dataset end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from evals import DATA
from evals.quality.dataset import DatasetError, load_dataset, write_dataset
from evals.quality.metrics import hit_at, mean, reciprocal_rank
from evals.quality.real_corpus import document
from evals.quality.scorecard import Metric, Scorecard, compare, load_scorecard
from evals.quality.scorecard.cli import DOCS_JSON
from evals.quality.scorecard.render import (
    BEGIN,
    END,
    html_page,
    markdown,
    parse_markdown,
    replace_section,
    summary_markdown,
)
from evals.quality.scorecard.suites import Options, SuiteRunner
from evals.quality.verify_real import Outcome, Rates

EXAMPLE = DATA / "example_dataset"
REPO = Path(__file__).resolve().parents[2]
CLEAN = document("012")  # a real report whose hand audit finds no inconsistency
GOOD_QUESTION = {"id": "q1", "question": "公务接待费是多少？", "report": "012.txt",
                 "gold_figures": [{"metric": "公务接待费", "value": "2.05", "unit": "万元", "role": "amount",
                                   "year": 2018}]}


def _juesuan(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "juesuan_cli", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=REPO, check=False)


# --- the dataset format ---------------------------------------------------------------------


def test_the_example_dataset_is_valid():
    dataset = load_dataset(EXAMPLE)
    assert dataset.reports == ["003.txt", "012.txt"]
    assert [q.id for q in dataset.questions or []] == ["real012", "real013", "real032"]
    assert [(f.report, f.family, f.severity) for f in dataset.findings or []] == [
        ("003.txt", "yoy", "error"), ("003.txt", "hygiene", "warning")]


def _lines(*rows: object) -> str:
    return "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows) + "\n"


def test_every_bad_line_is_named_with_its_line_and_field(tmp_path):
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "012.txt").write_text(CLEAN, encoding="utf-8")
    figure = GOOD_QUESTION["gold_figures"][0]
    (tmp_path / "questions.jsonl").write_text(_lines(
        GOOD_QUESTION,                                                                  # 1: fine
        '{"id": "q2", "question": ',                                                    # 2: not JSON
        ["a list"],                                                                     # 3: not an object
        {"id": "q4", "report": "012.txt"},                                              # 4: no question
        {**GOOD_QUESTION, "id": "q5", "gold_figures": [{**figure, "value": 2.05}]},     # 5: a float
        {**GOOD_QUESTION, "id": "q6", "gold_figures": [{**figure, "role": "money"}]},   # 6: unknown role
        {**GOOD_QUESTION, "id": "q7", "report": "999.txt"},                             # 7: no such report
        GOOD_QUESTION,                                                                  # 8: id used twice
        {**GOOD_QUESTION, "id": "q9", "colour": "red"},                                 # 9: unknown field
        "",                                                                             # 10: blank, skipped
        {**GOOD_QUESTION, "id": "q11", "gold_figures": [{**figure, "value": "两万"}]},   # 11: not a number
        {**GOOD_QUESTION, "id": "q12", "answerable": False},                            # 12: gold on a refusal
    ), encoding="utf-8")
    (tmp_path / "findings.jsonl").write_text(_lines(
        {"report": "012.txt", "family": "completion", "numbers": ["差值为[0.9]万元"]},    # 1: fine
        {"report": "012.txt", "family": "sums", "numbers": ["差值为[9.99]万元"]},         # 2: not in the text
        {"report": "012.txt", "family": "arith", "numbers": ["差值为[0.9]万元"]},         # 3: unknown family
        {"report": "012.txt", "family": "sums", "numbers": ["差值为0.9万元"]},            # 4: no [number]
        {"report": "012.txt", "family": "sums", "severity": "info", "numbers": ["差值为[0.9]万元"]},  # 5
        {"report": "012.txt", "family": "sums", "numbers": []},                         # 6: no numbers
    ), encoding="utf-8")
    with pytest.raises(DatasetError) as raised:
        load_dataset(tmp_path)
    problems = raised.value.problems
    assert problems[:2] == ["questions.jsonl:2: not JSON: Expecting value (column 26)",
                            "questions.jsonl:3: a line must be one JSON object"]
    expected = {
        "questions.jsonl:4: question: missing (required)",
        'questions.jsonl:5: gold_figures[0].value: write the number as printed, as a string: "2.05"',
        "questions.jsonl:7: report: no file '999.txt' in reports/",
        "questions.jsonl:8: id: 'q1' is already used on line 1",
        "questions.jsonl:9: colour: unknown field",
        "questions.jsonl:11: gold_figures[0].value: not a number as printed: '两万'",
        "questions.jsonl:12: an unanswerable question has no gold_figures",
        "findings.jsonl:2: numbers[0]: anchor not in the text: '差值为[9.99]万元'",
        "findings.jsonl:4: numbers[0]: anchor needs exactly one [number]: '差值为0.9万元'",
    }
    assert expected <= set(problems)
    by_line = {p.split(": ", 1)[0] for p in problems}
    assert {"questions.jsonl:6", "findings.jsonl:3", "findings.jsonl:5", "findings.jsonl:6"} <= by_line
    assert next(p for p in problems if p.startswith("questions.jsonl:6")).startswith(
        "questions.jsonl:6: gold_figures[0].role: Input should be")
    assert not any(p.startswith(("questions.jsonl:1:", "questions.jsonl:10:", "findings.jsonl:1:")) for p in problems)


def test_a_folder_without_reports_or_labels_is_one_problem(tmp_path):
    with pytest.raises(DatasetError) as raised:
        load_dataset(tmp_path)
    assert raised.value.problems == [(f"{tmp_path}: no reports/ folder (a dataset is reports/ plus questions.jsonl "
                                      "and/or findings.jsonl; see docs/evaluation.md)")]
    (tmp_path / "reports").mkdir()
    with pytest.raises(DatasetError) as raised:
        load_dataset(tmp_path)
    assert raised.value.problems == [f"{tmp_path}: neither questions.jsonl nor findings.jsonl: nothing to score"]


def test_eval_on_a_bad_dataset_exits_2_with_one_line_per_problem(tmp_path):
    write_dataset(tmp_path, {"012.txt": CLEAN}, [GOOD_QUESTION, {**GOOD_QUESTION, "report": "x.txt", "id": "q2"}],
                  [{"report": "012.txt", "family": "sums", "numbers": ["[123456]"]}])
    result = _juesuan("eval", "--dataset", str(tmp_path), timeout=120)
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["questions.jsonl:2: report: no file 'x.txt' in reports/",
                                          "findings.jsonl:1: numbers[0]: anchor not in the text: '[123456]'"]
    assert result.stdout == ""


def test_a_wrong_suite_or_provider_is_one_line_and_exit_2():
    providers = "auto, extractive, llamacpp, openai, ollama"
    for args, message in ((["--suite", "speed"], "--suite: unknown suite speed: one of retrieval, qa, verify, rules or all"),
                          (["--provider", "gpt9"], f"--provider: unknown provider gpt9: one of {providers}")):
        result = _juesuan("eval", *args, timeout=120)
        assert (result.returncode, result.stderr.splitlines(), result.stdout) == (2, [message], "")


# --- the metrics on tiny cases ------------------------------------------------------------


def test_hits_and_mrr_on_three_rankings():
    rankings = [[True, False, False], [False, False, True], [False, False, False, False, True]]
    assert [hit_at(r, 1) for r in rankings] == [True, False, False]
    assert [hit_at(r, 3) for r in rankings] == [True, True, False]
    assert [reciprocal_rank(r) for r in rankings] == [1.0, pytest.approx(1 / 3), 0.2]
    assert mean([reciprocal_rank(r) for r in rankings]) == pytest.approx((1 + 1 / 3 + 0.2) / 3)
    assert reciprocal_rank([False] * 10 + [True]) == 0.0  # below the 10th passage: not found
    assert mean([]) is None


def _outcome(label: str, verdict: str | None) -> Outcome:
    return Outcome(id="x", split="dev", text="1", label=label, kind="", verdict=verdict, expected=None,
                   report_says="", note="")


def test_catch_and_false_flag_on_four_labelled_claims():
    rates = Rates([_outcome("wrong", "contradicted"), _outcome("wrong", "supported"),
                   _outcome("right", "supported"), _outcome("right", "unsupported")])
    assert (len(rates.caught), len(rates.wrong)) == (1, 2)  # catch rate 1/2
    assert (len(rates.flagged), len(rates.right)) == (1, 2)  # false-flag rate 1/2
    assert rates.contradicted_right == []  # the flag was ?, not ✗
    assert Rates([_outcome("wrong", None)]).caught == []  # not taken for a claim: a miss


def _rules(folder: Path) -> dict[str, Metric]:
    runner = SuiteRunner(Options(["rules"], [load_dataset(folder)]))
    return {m.name: m for m in runner.run()}


def test_rule_recall_and_false_errors_on_two_reports(tmp_path):
    """012 is consistent; its copy has 差值 0.7 for 0.9 (2.95 − 2.05), which completion.difference
    reports as one error."""
    broken = CLEAN.replace("差值为0.9万元", "差值为0.7万元")
    assert broken != CLEAN
    listed = {"report": "broken.txt", "family": "completion", "severity": "error", "numbers": ["差值为[0.7]万元"]}
    reports = {"012.txt": CLEAN, "broken.txt": broken}
    found = _rules(write_dataset(tmp_path / "listed", reports, [], [listed]))
    assert (found["inconsistencies found"].part, found["inconsistencies found"].whole) == (1, 1)
    assert found["false error findings"].value == 0
    assert found["false warning findings"].value == 0
    unlisted = _rules(write_dataset(tmp_path / "unlisted", reports, [], []))
    assert "inconsistencies found" not in unlisted  # nothing expected: no share of nothing
    assert unlisted["false error findings"].value == 1
    wrong_place = {**listed, "report": "012.txt", "numbers": ["差值为[0.9]万元"]}
    missed = _rules(write_dataset(tmp_path / "missed", reports, [], [wrong_place]))
    assert (missed["inconsistencies found"].part, missed["inconsistencies found"].whole) == (0, 1)
    assert missed["false error findings"].value == 1


# --- the scorecard's forms and --compare ------------------------------------------------------


def _card(**values: float | None) -> Scorecard:
    metrics = [
        Metric(suite="rules", dataset="real", name="inconsistencies found", value=values.get("found", 0.5),
               part=1, whole=2, better="higher"),
        Metric(suite="rules", dataset="real", name="false error findings", value=values.get("false", 0),
               kind="count", better="lower"),
        Metric(suite="retrieval", dataset="sample", name="MRR", value=values.get("mrr", 0.8), kind="mean",
               better="higher"),
    ]
    if "gone" in values:
        metrics.append(Metric(suite="verify", dataset="sample", name="altered numbers caught",
                              value=values["gone"], part=9, whole=10, better="higher"))
    return Scorecard(date="2026-12-01T10:00:00+00:00", commit="abc1234", suites=["retrieval", "rules", "verify"],
                     datasets=["sample", "real"], providers=["extractive"], cores=2, load_average=[1.0, 1.0, 1.0],
                     seconds={"total": 3.0}, metrics=metrics)


def test_compare_marks_better_worse_same_by_direction(tmp_path):
    old, new = _card(found=0.5, false=0, gone=0.9), _card(found=1.0, false=2, mrr=0.8)
    new.metrics.append(Metric(suite="qa", dataset="real dev", name="gold figures stated", value=0.9, part=9,
                              whole=10, better="higher", provider="extractive"))
    verdicts = {c.name: (c.old, c.new, c.verdict) for c in compare(old, new)}
    assert verdicts["inconsistencies found"] == ("0.500 (1/2)", "1.000 (1/2)", "better")
    assert verdicts["false error findings"] == ("0", "2", "worse")  # more false alarms: worse
    assert verdicts["MRR"] == ("0.800", "0.800", "same")
    assert verdicts["altered numbers caught"][2] == "gone"
    assert verdicts["gold figures stated"][2] == "new"
    fewer_alarms = {c.name: c.verdict for c in compare(new, old)}
    assert fewer_alarms["false error findings"] == "better"
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(old.model_dump_json(), encoding="utf-8")
    b.write_text(new.model_dump_json(), encoding="utf-8")
    result = _juesuan("eval", "--compare", str(a), str(b), "--json", timeout=120)
    assert result.returncode == 0, result.stderr
    assert {c["name"]: c["verdict"] for c in json.loads(result.stdout)}["false error findings"] == "worse"
    shown = _juesuan("eval", "--compare", str(a), str(b), timeout=120)
    assert "▲ better" in shown.stdout and "▼ worse" in shown.stdout and "1 better, 1 worse, 1 same" in shown.stdout


def test_compare_with_a_file_that_is_not_a_scorecard_exits_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"metrics": 3}', encoding="utf-8")
    result = _juesuan("eval", "--compare", str(bad), str(bad), timeout=120)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and str(bad) in result.stderr and "not a scorecard" in result.stderr


def test_json_round_trip(tmp_path):
    card = _card(gone=0.9)
    path = tmp_path / "card.json"
    path.write_text(card.model_dump_json(indent=1), encoding="utf-8")
    assert load_scorecard(path) == card


def test_html_is_self_contained_and_escapes_report_text():
    card = _card()
    card.metrics[0].dataset = '<script>alert("x")</script>&'
    page = html_page(card)
    assert "<script" not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;" in page
    assert "http" not in page and "src=" not in page and "<link" not in page
    assert page.count("<svg") == 2  # a chart per suite with a share or a mean (retrieval, rules)


def test_markdown_section_parses_back_to_its_metrics():
    card = _card(gone=0.9)
    rows = parse_markdown(markdown(card))
    assert [(r["dataset"], r["name"], r["value"], r["better"]) for r in rows] == [
        (m.dataset, m.name, m.shown(), m.better) for m in sorted(card.metrics, key=lambda m: ["retrieval", "qa",
                                                                                              "verify", "rules"].index(m.suite))]
    document = "# Benchmarks\n\nhand-written\n\n" + BEGIN + "\nold\n" + END + "\n\nmore hand-written\n"
    replaced = replace_section(document, markdown(card))
    assert replaced.startswith("# Benchmarks\n\nhand-written\n\n" + BEGIN) and replaced.endswith(
        END + "\n\nmore hand-written\n")
    assert "old" not in replaced and replace_section(replaced, markdown(card)) == replaced


def test_the_docs_show_the_saved_scorecard():
    """docs/benchmarks.md's and the README's generated sections are made from docs/scorecard.json."""
    card = load_scorecard(DOCS_JSON)
    benchmarks = (REPO / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    section = benchmarks.split(BEGIN, 1)[1].split(END, 1)[0]
    assert section.strip() == markdown(card).strip()
    shown = {(r["dataset"], r["provider"], r["name"]): r["value"] for r in parse_markdown(section)}
    assert shown == {(m.dataset, m.provider, m.name): m.shown() for m in card.metrics}
    assert set(card.suites) == {"retrieval", "qa", "verify", "rules"}
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert readme.split(BEGIN, 1)[1].split(END, 1)[0].strip() == summary_markdown(card).strip()
    assert card.commit in readme


# --- end to end ---------------------------------------------------------------------------------


def test_eval_scores_the_example_dataset():
    result = _juesuan("eval", "--dataset", str(EXAMPLE), "--json")
    assert result.returncode == 0, result.stderr
    card = Scorecard.model_validate_json(result.stdout)
    got = {(m.suite, m.name): m for m in card.metrics}
    assert card.datasets == ["example_dataset"] and set(card.suites) == {"retrieval", "qa", "verify", "rules"}
    found = got[("rules", "inconsistencies found")]
    assert (found.part, found.whole) == (2, 2)
    assert got[("rules", "false error findings")].value == 0
    stated = got[("qa", "gold figures stated")]
    assert stated.provider == "extractive" and stated.whole == 6
    assert got[("retrieval", "hit@3")].whole == 3
    assert got[("verify", "altered numbers caught")].whole > 0
