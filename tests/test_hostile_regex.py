"""Every regex that reads report text stays linear on long adversarial lines (issue 13, item 2).

A 10 KB one-line file froze the app: the title pattern backtracked cubically on a long line of
years. Here every compiled pattern of `index` is run over 20 KB lines built from the characters
and words it accepts (each repeated, and each pair alternated, ending in a near miss), under a
time limit: a linear pattern takes milliseconds, a backtracking one never ends. The parse as a
whole gets the same lines, and the title search is held to the pattern it replaces.
"""

from __future__ import annotations

import importlib
import pkgutil
import random
import re
from pathlib import Path

import pytest

import index
from index.parse import _title_search, detect_identity, parse_file
from index.sections import Line
from tests.fuzz.budget import OverBudget, time_limit

try:
    import re._constants as C
    import re._parser as sre_parse
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

LINE = 20_000
# Words of the reports that the patterns look for, repeated as hostile lines.
DOMAIN = ["2023年度", "2023年", "万元", "1234.56", "，", "、", "（一）", " ", "\t", "增长", "比上年", "决算",
          "部门决算", "%", "中", "1", ".", "：", "（", "）", "一、", "表", "单位：", "其中", "纳入", "支出", "出支",
          "（类）", "1人", "一"]


# Patterns known to be super-linear, each with why (none today: keep the mechanism visible).
KNOWN_SLOW: dict[str, str] = {}


def _modules() -> list:
    names = sorted(m.name for m in pkgutil.walk_packages(index.__path__, "index."))
    # `juesuan verify` reads any text a user gives it with these.
    names.append("rag.verify.find")
    return [pytest.param(n, marks=pytest.mark.xfail(raises=OverBudget, reason=KNOWN_SLOW[n])) if n in KNOWN_SLOW else n
            for n in names]


def _patterns(module) -> list[re.Pattern[str]]:
    found: dict[int, re.Pattern[str]] = {}

    def walk(value, depth: int = 0) -> None:
        if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
            found[id(value)] = value
        elif depth < 2 and isinstance(value, (list, tuple, set, frozenset)):
            for item in value:
                walk(item, depth + 1)
        elif depth < 2 and isinstance(value, dict):
            for item in value.values():
                walk(item, depth + 1)

    for value in vars(module).values():
        walk(value)
    return list(found.values())


def _accepted(parsed, chars: set[str], runs: set[str]) -> None:
    """The characters each part of a parsed pattern accepts, and its literal runs."""
    run = ""
    for op, av in parsed:
        if op is C.LITERAL:
            chars.add(chr(av))
            run += chr(av)
            continue
        if run:
            runs.add(run)
        run = ""
        if op is C.IN:
            for kind, arg in av:
                if kind is C.NEGATE:
                    chars.update("中a")
                elif kind is C.LITERAL:
                    chars.add(chr(arg))
                elif kind is C.RANGE:
                    chars.update((chr(arg[0]), chr(arg[1])))
                elif kind is C.CATEGORY:
                    chars.update("1 a")
        elif op in (C.NOT_LITERAL, C.ANY):
            chars.add("中")
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            _accepted(av[2], chars, runs)
        elif op is C.SUBPATTERN:
            _accepted(av[-1], chars, runs)
        elif op is C.BRANCH:
            for branch in av[1]:
                _accepted(branch, chars, runs)
        elif op in (C.ASSERT, C.ASSERT_NOT):
            _accepted(av[1], chars, runs)
    if run:
        runs.add(run)


def hostile_lines(pattern: re.Pattern[str], length: int = LINE) -> list[str]:
    """Long lines of what `pattern` accepts: each token repeated, and each pair of its own
    tokens alternated; each ends in a character no pattern wants there (a near miss)."""
    chars: set[str] = set()
    runs: set[str] = set()
    _accepted(sre_parse.parse(pattern.pattern, pattern.flags), chars, runs)
    own = sorted(chars | runs)[:8]
    tokens = [*sorted(set(own) | set(DOMAIN)), *(a + b for a in own for b in own if a != b)]
    return [(token * (length // len(token) + 1))[:length] + "\x00" for token in tokens]


@pytest.mark.parametrize("module_name", _modules())
def test_every_pattern_is_linear_on_long_lines(module_name: str) -> None:
    module = importlib.import_module(module_name)
    for pattern in _patterns(module):
        for line in hostile_lines(pattern):
            with time_limit(5, f"{module_name}: {pattern.pattern[:80]!r} on {line[:12]!r}…"):
                for _ in pattern.finditer(line):
                    pass


# The title pattern this search replaced; fine on short lines, cubic on long ones.
OLD_TITLE = re.compile(r"(?P<pre>[^。；]*?)(?P<year>(?:19|20)\d{2})\s*年度?(?P<post>[^。；]*?)部门决算")


def test_title_search_finds_what_the_old_pattern_found() -> None:
    words = ["2023", "2019", "20", "1", "年", "度", " ", "部门决算", "部门", "决算", "。", "；", "局", "中"]
    rnd = random.Random(13)
    for _ in range(20_000):
        text = "".join(rnd.choice(words) for _ in range(rnd.randint(0, 12)))
        old, new = OLD_TITLE.search(text), _title_search(text)
        if old is None or new is None:
            assert old is None and new is None, text
        else:
            assert (old.group(0), old.group("pre"), old.group("year"), old.group("post")) == (
                new.title, new.pre, new.year, new.post), text


def test_title_of_a_long_first_line_is_found_at_once() -> None:
    # 100 KB of years on the first line, then the title: the old pattern took hours. The
    # lines are joined as before (a long real first line may start with the title).
    lines = [Line(start=0, text="2023年度" * 17_000, page=None), Line(start=1, text="某某局2023年度部门决算", page=None)]
    with time_limit(5, "detect_identity on a 100 KB first line"):
        title, _, year = detect_identity(lines)
    assert year == 2023 and title is not None and title.endswith("2023年度某某局2023年度部门决算")


@pytest.mark.parametrize("token", ["2023年度", "2023年", "纳入中", "中", "\t", "（类）", "出支", "1."])
def test_a_report_with_a_long_line_parses_in_bounded_time(tmp_path: Path, token: str) -> None:
    path = tmp_path / "long.txt"
    line = (token * (LINE // len(token) + 1))[:LINE]
    path.write_text(f"某局2023年度部门决算\n一、收入支出决算总体情况\n{line}\n收入合计100.00万元。\n", encoding="utf-8")
    with time_limit(30, f"parse_file with a 20 KB line of {token!r}"):
        parsed = parse_file(path)
    assert parsed.report.year == 2023
    assert any(f.text == "100.00" for f in parsed.figures)
