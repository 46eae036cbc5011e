"""`cohort codelists list / show / diff / import / publish / check`, on temporary folders."""

from __future__ import annotations

import json
import shutil
import textwrap

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.paths import CODELISTS_DIR

from .builders import version_yaml, write

BODY = """\
    include:
      - {system: readv2, code: 16C.., descendants: true, term: Backache symptom}
      - {system: snomedct, code: "279039007", term: Low back pain}
    """


def cohort(*args: str):
    return CliRunner().invoke(main, ["codelists", *map(str, args)])


@pytest.fixture
def root(tmp_path):
    root = tmp_path / "codelists"
    write(root / "back_pain" / "1.yaml", version_yaml("back_pain", body=BODY))
    return root


@pytest.mark.parametrize(
    "command", [[], ["list"], ["show"], ["diff"], ["import"], ["publish"], ["check"]]
)
def test_every_command_has_help(command):
    result = cohort(*command, "--help")
    assert result.exit_code == 0
    assert "Usage: main codelists" in result.output
    if command:
        assert "--root" in result.output


def test_list_show_publish_check(root):
    assert "back_pain  1*" in cohort("list", "--root", root).output
    shown = cohort("show", "back_pain", "--root", root)
    assert shown.exit_code == 0
    assert "back_pain@1  Test list  (draft)" in shown.output
    assert "include readv2   16C..              and descendants" in shown.output
    assert "snomedct 279039007" in shown.output

    published = cohort("publish", "back_pain", "1", "--date", "2026-02-03", "--root", root)
    assert published.exit_code == 0, published.output
    text = (root / "back_pain" / "1.yaml").read_text()
    assert "status: published" in text and "date_published: 2026-02-03" in text
    assert (root / "codelists.lock").read_text().splitlines()[-1].startswith("back_pain@1 sha256:")
    checked = cohort("check", "--root", root)
    assert checked.exit_code == 0, checked.output
    assert "1 published versions match codelists.lock" in checked.output

    again = cohort("publish", "back_pain", "1", "--root", root)
    assert again.exit_code == 4
    assert "back_pain@1 is already published" in again.output


def test_show_json(root):
    result = cohort("show", "back_pain@1", "--json", "--root", root)
    data = json.loads(result.output)
    assert data["name"] == "back_pain" and data["status"] == "draft"
    assert data["include"][0] == {
        "coding_system": "readv2",
        "code": "16C..",
        "term": "Backache symptom",
        "descendants": True,
        "category": None,
    }
    assert [c["code"] for c in data["codes"]] == ["16C..", "279039007"]
    assert data["content_hash"].startswith("sha256:")


def test_show_names_a_missing_version(root):
    result = cohort("show", "back_pain@9", "--root", root)
    assert result.exit_code == 4
    assert "codelist back_pain has no version '9' (it has 1)" in result.output


def test_diff(root):
    changed = (
        textwrap.dedent(BODY).replace("279039007", "161891005").replace("Low back pain", "Backache")
    )
    changed += "exclude:\n  - {system: readv2, code: 16C9., term: Chronic low back pain}\n"
    write(root / "back_pain" / "2.yaml", version_yaml("back_pain", "2", body=changed))
    result = cohort("diff", "back_pain", "1", "2", "--root", root)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "back_pain: version 1 -> 2"
    assert any(line.startswith("  + include snomedct 161891005") for line in lines)
    assert any(line.startswith("  - include snomedct 279039007") for line in lines)
    assert any(line.startswith("  + exclude readv2   16C9.") for line in lines)
    assert any(line.startswith("  - code snomedct 279039007") for line in lines)


def test_import_reads_an_opencodelists_csv(tmp_path, root):
    source = write(
        tmp_path / "download.csv",
        """\
        code,term,category
        N245.00,Pain in limb,limb
        N245.11,Limb pain,limb
        16C2.,Backache,back
        16C..11,Back pain symptom,back
        16C..00,Backache symptom,back
        """,
    )
    result = cohort(
        "import",
        source,
        "--name",
        "pain_sites",
        "--coding-system",
        "readv2",
        "--author",
        "me",
        "--root",
        root,
    )
    assert result.exit_code == 0, result.output
    text = (root / "pain_sites" / "1.yaml").read_text()
    assert "status: draft" in text and "categories: [back, limb]" in text
    assert '{system: "readv2", code: "16C..", category: "back", term: "Backache symptom"}' in text
    assert '{system: "readv2", code: "N245.", category: "limb", term: "Pain in limb"}' in text
    assert (
        "Limb pain" not in text and "Back pain symptom" not in text
    )  # synonyms (term id 11) dropped
    second = cohort(
        "import", source, "--name", "pain_sites", "--coding-system", "readv2", "--root", root
    )
    assert second.exit_code == 0 and (root / "pain_sites" / "2.yaml").is_file()


def test_import_reports_every_bad_row(tmp_path, root):
    source = write(
        tmp_path / "bad.csv", "code,term\n279039007,Low back pain\n279039008,Typo\n12,Short\n"
    )
    result = cohort(
        "import", source, "--name", "broken", "--coding-system", "snomedct", "--root", root
    )
    assert result.exit_code == 4
    assert f"{source}:3: snomedct code '279039008' fails the Verhoeff check digit" in result.output
    assert "(and 1 more problems" in result.output
    assert not (root / "broken").exists()


def test_import_needs_code_and_term_columns(tmp_path, root):
    source = write(tmp_path / "bad.csv", "id,name\n279039007,Low back pain\n")
    result = cohort(
        "import", source, "--name", "broken", "--coding-system", "snomedct", "--root", root
    )
    assert result.exit_code == 4 and "needs code and term columns" in result.output


@pytest.fixture
def shipped_copy(tmp_path):
    copy = tmp_path / "codelists"
    shutil.copytree(CODELISTS_DIR, copy)
    return copy


def test_changing_one_code_of_a_published_version_fails_check(shipped_copy):
    assert cohort("check", "--root", shipped_copy).exit_code == 0
    path = shipped_copy / "chronic_pain_diagnosis" / "1.yaml"
    path.write_text(path.read_text().replace('code: "1M52."', 'code: "1M53."'))
    result = cohort("check", "--root", shipped_copy)
    assert result.exit_code == 4
    assert result.stderr.count("\n") == 1  # one line
    assert (
        "codelist chronic_pain_diagnosis version 1 is published but its content no longer matches codelists.lock"
        in result.stderr
    )
    assert str(path) in result.stderr


def test_check_lists_every_problem_then_fails(shipped_copy):
    (shipped_copy / "dementia" / "2.yaml").write_text(
        (shipped_copy / "dementia" / "1.yaml").read_text()
    )
    palliative = shipped_copy / "palliative_care" / "1.yaml"
    palliative.write_text(palliative.read_text().replace('code: "103735009"', 'code: "103735008"'))
    result = cohort("check", "--root", shipped_copy)
    assert result.exit_code == 4
    lines = result.stderr.splitlines()
    assert len(lines) == 3  # each problem, then the one-line summary
    assert "dementia/2.yaml: version '1' differs from its file name '2.yaml'" in lines[0] + lines[1]
    assert "snomedct code '103735008' fails the Verhoeff check digit" in lines[0] + lines[1]
    assert "(and 1 more problems" in lines[2]


def test_check_with_a_study_that_names_a_missing_version(shipped_copy, tmp_path):
    study = write(
        tmp_path / "study.yaml", "codelists:\n  dementia: {name: dementia, version: '2'}\n"
    )
    result = cohort("check", "--root", shipped_copy, "--study", study)
    assert result.exit_code == 4
    assert (
        "study codelist 'dementia' uses dementia@2, which does not exist (versions of dementia: 1)"
        in result.stderr
    )
    missing = cohort("check", "--root", shipped_copy, "--study", tmp_path / "absent.yaml")
    assert missing.exit_code == 2 and "no such file" in missing.stderr
