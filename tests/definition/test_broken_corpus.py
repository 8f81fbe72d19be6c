"""Every broken document under broken/ is refused with exactly the problems its '# expect:' lines name.

Each file ends with comment lines ``# expect: LINE:COL KIND``; the loader must report exactly
that set, each formatted as ``FILE:LINE:COL: message``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pathways.definition.loader import load_file
from pathways.definition.problems import DefinitionError

CORPUS = sorted((Path(__file__).parent / "broken").glob("*.yaml"))
EXPECT = re.compile(rb"^# expect: (\d+):(\d+) ([a-z-]+)$", re.M)


def test_the_corpus_is_large_enough():
    assert len(CORPUS) >= 30


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_broken_document_is_refused_with_its_problems(path: Path):
    expected = {(int(line), int(col), kind.decode()) for line, col, kind in EXPECT.findall(path.read_bytes())}
    assert expected, f"{path.name} has no '# expect:' lines"
    with pytest.raises(DefinitionError) as caught:
        load_file(path)
    problems = caught.value.problems
    assert {(p.line, p.column, p.kind) for p in problems} == expected
    for problem in problems:
        assert str(problem).startswith(f"{path}:{problem.line}:{problem.column}: ")
        assert len(problem.message) > 10


def test_a_file_over_the_size_limit_is_refused_before_parsing(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"id: x\n" + b"# padding\n" * 150_000)
    with pytest.raises(DefinitionError) as caught:
        load_file(big)
    assert [p.kind for p in caught.value.problems] == ["too-large"]


def test_a_missing_file_is_a_problem_not_a_traceback(tmp_path):
    with pytest.raises(DefinitionError) as caught:
        load_file(tmp_path / "nope.yaml")
    assert caught.value.problems[0].kind == "io"
