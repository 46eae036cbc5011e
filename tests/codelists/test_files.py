"""Reading codelist files: every problem collected with file and line; conflicts between
versions; the lock; a study's references."""

from __future__ import annotations

import textwrap

import pytest

from pipeline.codelists.model import CodelistProblems
from pipeline.codelists.parse import read_version
from pipeline.codelists.repository import (
    LOCK_NAME,
    check_problems,
    load_repository,
    study_codelists,
    write_lock,
)
from pipeline.errors import CodelistError, StudyError

from .builders import version_yaml, write

GOOD = """\
    include:
      - {system: readv2, code: 16C.., descendants: true, term: Backache symptom}
      - {system: snomedct, code: "279039007", term: Low back pain}
      - {system: bnf, code: 040702, descendants: true, term: Opioid analgesics}
    exclude:
      - {system: readv2, code: 16C9., term: Chronic low back pain}
    """


def test_a_good_file_reads_with_its_values_as_written(tmp_path):
    v = read_version(write(tmp_path / "test_list" / "1.yaml", version_yaml(body=GOOD)))
    assert (v.name, v.version, v.status) == ("test_list", "1", "draft")
    assert [(e.coding_system, e.code, e.descendants) for e in v.entries] == [
        ("readv2", "16C..", True),
        ("snomedct", "279039007", False),
        ("bnf", "040702", True),  # not the octal number 16834
    ]
    assert [e.line for e in v.entries] == [12, 13, 14]
    assert [e.code for e in v.excludes] == ["16C9."]


# body, line, words in the message
BAD_ENTRIES = [
    ("  - {system: readv2, code: 16C., term: x}", 12, "readv2 code '16C.' is not 5 characters"),
    ("  - {system: readv2, code: N245.00, term: x}", 12, "'N245.00'"),
    ("  - {system: ctv3, code: XaZ8, term: x}", 12, "ctv3 code 'XaZ8'"),
    ('  - {system: snomedct, code: "279039008", term: x}', 12, "fails the Verhoeff check digit"),
    (
        '  - {system: dmd, code: "4201781100000110", term: x}',
        12,
        "dmd code '4201781100000110' fails the Verhoeff",
    ),
    ("  - {system: bnf, code: 040, term: x}", 12, "bnf code '040' is not a BNF code shape"),
    ("  - {system: icd10, code: M545, term: x}", 12, "unknown coding system 'icd10'"),
    (
        '  - {system: snomedct, code: "279039007", descendants: true, term: x}',
        12,
        "has no positional hierarchy",
    ),
    (
        "  - {system: readv2, code: 16C.., descendants: maybe, term: x}",
        12,
        "descendants must be true or false",
    ),
    (
        "  - {system: readv2, code: 16C.., descendents: true, term: x}",
        12,
        "unknown entry key 'descendents'",
    ),
    ("  - {system: readv2, code: 16C..}", 12, "term is missing"),
    (
        "  - {system: readv2, code: 16C.., term: x, category: employed}",
        12,
        "declares no categories",
    ),
]


@pytest.mark.parametrize(("line_text", "line", "words"), BAD_ENTRIES)
def test_a_bad_entry_is_named_with_file_and_line(tmp_path, line_text, line, words):
    path = write(
        tmp_path / "test_list" / "1.yaml", version_yaml(body="include:\n" + line_text + "\n")
    )
    with pytest.raises(CodelistProblems) as caught:
        read_version(path)
    assert caught.value.problems[0].startswith(f"{path}:{line}: ")
    assert words in caught.value.problems[0]


def test_every_problem_is_collected_before_failing(tmp_path):
    body = """\
        include:
          - {system: readv2, code: 16C., term: one}
          - {system: readv2, code: 16C.., term: fine}
          - {system: snomedct, code: "279039008", term: two}
          - {system: bnf, code: 04070, term: three}
        exclude:
          - {system: readv2, code: 16C.., term: four}
        """
    path = write(tmp_path / "test_list" / "1.yaml", version_yaml(body=body))
    with pytest.raises(CodelistProblems) as caught:
        read_version(path)
    problems = caught.value.problems
    assert [p.split(": ")[0] for p in problems] == [f"{path}:{n}" for n in (12, 14, 15)]
    # the entry-level problems stop the version being built; fix them and the next layer shows
    fixed = (
        path.read_text()
        .replace("16C., term: one", "16C2., term: one")
        .replace('"279039008"', '"279039007"')
    )
    write(path, fixed.replace("04070", "040702"))
    with pytest.raises(CodelistProblems) as caught:
        read_version(path)
    assert caught.value.problems == [f"{path}:13: readv2 16C.. is both included and excluded"]
    assert "(and" not in str(caught.value)


def test_code_table_and_hierarchy_problems_name_the_csv_and_its_line(tmp_path):
    body = """\
        code_table: 1.codes.csv
        hierarchy: 1.hierarchy.csv
        include:
          - {system: readv2, code: 16C.., descendants: true, term: Backache symptom}
        """
    path = write(tmp_path / "test_list" / "1.yaml", version_yaml(body=body))
    codes = write(
        tmp_path / "test_list" / "1.codes.csv",
        "coding_system,code,term\nreadv2,16C2.,Backache\nreadv2,16C2,Short\nreadv2,16C2.,Again\n",
    )
    links = write(
        tmp_path / "test_list" / "1.hierarchy.csv",
        "coding_system,parent,child\nsnomedct,279039007,279039008\nreadv2,16C..,16C2.\n",
    )
    with pytest.raises(CodelistProblems) as caught:
        read_version(path)
    assert [p.split(": ")[0] for p in caught.value.problems] == [
        f"{codes}:3",
        f"{codes}:4",
        f"{links}:2",
        f"{links}:3",
    ]
    assert "repeats line 2" in caught.value.problems[1]


def test_a_missing_sidecar_is_named(tmp_path):
    path = write(
        tmp_path / "test_list" / "1.yaml",
        version_yaml(body="code_table: ../elsewhere.csv\n" + textwrap.dedent(GOOD)),
    )
    with pytest.raises(
        CodelistProblems,
        match=r"1\.yaml:11: code_table '../elsewhere.csv' must name a CSV file beside 1.yaml",
    ):
        read_version(path)


def test_broken_yaml_names_its_line(tmp_path):
    path = write(
        tmp_path / "test_list" / "1.yaml",
        version_yaml(body="include:\n  - {system: readv2, code: [\n"),
    )
    with pytest.raises(CodelistProblems, match=r"1\.yaml:1[34]: not valid YAML"):
        read_version(path)


def test_publishing_needs_governance(tmp_path):
    text = version_yaml(status="published", body=GOOD).replace("  author: test\n", "")
    with pytest.raises(CodelistProblems, match="needs governance.author"):
        read_version(write(tmp_path / "test_list" / "1.yaml", text))


# ---------------------------------------------------------------- the repository


def repo_with(tmp_path, files: dict[str, str]):
    root = tmp_path / "codelists"
    root.mkdir(exist_ok=True)
    for name, text in files.items():
        write(root / name, text)
    return root


def test_versions_sort_in_number_order_and_get_names_what_is_missing(tmp_path):
    root = repo_with(
        tmp_path,
        {f"test_list/{n}.yaml": version_yaml(number=n, body=GOOD) for n in ("1", "2", "10")},
    )
    repo = load_repository(root)
    assert repo.names() == ["test_list"]
    assert repo.versions("test_list") == ["1", "2", "10"]
    assert repo.get("test_list", "10").version == "10"
    with pytest.raises(
        CodelistError, match=r"codelist test_list has no version '3' \(it has 1, 2, 10\)"
    ):
        repo.get("test_list", "3")
    with pytest.raises(CodelistError, match="no codelist called 'dementia'"):
        repo.versions("dementia")


@pytest.mark.parametrize(
    ("files", "words"),
    [
        (
            {"test_list/2.yaml": version_yaml(number="1", body=GOOD)},
            "version '1' differs from its file name '2.yaml'",
        ),
        (
            {"other/1.yaml": version_yaml(body=GOOD)},
            "name 'test_list' differs from its folder 'other'",
        ),
        (
            {
                "test_list/1.yaml": version_yaml(body=GOOD),
                "test_list/1.yml": version_yaml(body=GOOD),
            },
            "test_list@1 is also defined in",
        ),
        ({"stray.yaml": version_yaml(body=GOOD)}, "codelist files go in"),
    ],
)
def test_conflicting_files_fail(tmp_path, files, words):
    with pytest.raises(CodelistProblems, match=words):
        load_repository(repo_with(tmp_path, files))


def published_repo(tmp_path):
    from pipeline.codelists.expand import content_hash

    root = repo_with(tmp_path, {"test_list/1.yaml": version_yaml(status="published", body=GOOD)})
    write_lock(
        root, {("test_list", "1"): content_hash(load_repository(root).get("test_list", "1"))}
    )
    return root


def test_the_lock_catches_a_changed_published_version(tmp_path):
    root = published_repo(tmp_path)
    assert check_problems(load_repository(root)) == []
    path = root / "test_list" / "1.yaml"
    path.write_text(path.read_text().replace("16C9.", "16C8."))
    [problem] = check_problems(load_repository(root))
    assert (
        "codelist test_list version 1 is published but its content no longer matches codelists.lock"
        in problem
    )


def test_terms_and_descendants_are_content_too(tmp_path):
    root = published_repo(tmp_path)
    path = root / "test_list" / "1.yaml"
    original = path.read_text()
    for change in (
        ("term: Low back pain", "term: Lumbago"),
        ("descendants: true, term: Backache", "term: Backache"),
    ):
        path.write_text(original.replace(*change))
        assert len(check_problems(load_repository(root))) == 1
    path.write_text(original.replace("title: Test list", "title: Better title"))
    assert check_problems(load_repository(root)) == []  # metadata is not the definition


def test_lock_and_published_versions_must_match_one_for_one(tmp_path):
    root = published_repo(tmp_path)
    write(root / "test_list" / "2.yaml", version_yaml(number="2", status="published", body=GOOD))
    lock = (root / LOCK_NAME).read_text()
    (root / LOCK_NAME).write_text(lock + "gone_list@3 sha256:abc\n")
    problems = check_problems(load_repository(root))
    assert any("test_list@2 is published but not in codelists.lock" in p for p in problems)
    assert any(
        "gone_list@3 is locked as published, but there is no published gone_list version '3'" in p
        for p in problems
    )


def test_a_malformed_lock_line_is_named(tmp_path):
    root = published_repo(tmp_path)
    (root / LOCK_NAME).write_text("test_list@1\n")
    with pytest.raises(
        CodelistProblems, match=r"codelists.lock:1: expected NAME@VERSION sha256:HASH"
    ):
        load_repository(root)


def test_study_references_must_exist_and_be_published(tmp_path):
    root = published_repo(tmp_path)
    write(root / "test_list" / "2.yaml", version_yaml(number="2", body=GOOD))
    study = write(
        tmp_path / "study.yaml",
        """\
        name: any
        codelists:
          ok: {name: test_list, version: "1"}
          draft: {name: test_list, version: "2"}
          missing: {name: test_list, version: "7"}
          unknown: test_list_two@1
        population: {min_age: 18}
        """,
    )
    refs = study_codelists(study)
    assert refs == {
        "ok": ("test_list", "1"),
        "draft": ("test_list", "2"),
        "missing": ("test_list", "7"),
        "unknown": ("test_list_two", "1"),
    }
    problems = check_problems(load_repository(root), refs)
    assert problems == [
        "study codelist 'draft' uses test_list@2, a draft; publish it or use a published version",
        "study codelist 'missing' uses test_list@7, which does not exist (versions of test_list: 1, 2)",
        "study codelist 'unknown' uses test_list_two@1, which does not exist (versions of test_list_two: none)",
    ]


def test_a_missing_study_file_has_no_references(tmp_path):
    assert study_codelists(tmp_path / "absent.yaml") == {}


def test_a_study_with_bad_references_says_where(tmp_path):
    study = write(tmp_path / "study.yaml", "codelists:\n  c1: [chronic_pain_conditions]\n")
    with pytest.raises(StudyError, match=r"study.yaml:2: codelists.c1 must be"):
        study_codelists(study)
