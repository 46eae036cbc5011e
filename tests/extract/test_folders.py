"""Which folders are practices, and records dated after the extract date."""

from __future__ import annotations

from .builders import event, issue, load, load_error, manifest, patient, rows, write_practice
from .checks import assert_message


def test_a_parent_folder_means_every_sub_folder_with_a_manifest(root):
    write_practice(root, code="A81002")
    write_practice(root, code="A81001")
    (root / "notes").mkdir()
    (root / "README.txt").write_text("not a practice")
    con, result = load(root)
    assert [m.practice_code for m in result.manifests] == ["A81001", "A81002"]
    assert rows(con, "SELECT practice_code FROM practices ORDER BY 1") == [("A81001",), ("A81002",)]


def test_a_practice_folder_means_just_that_practice(root):
    write_practice(root, code="A81001")
    second = write_practice(root, code="A81002")
    _, result = load(second)
    assert [m.practice_code for m in result.manifests] == ["A81002"]


def test_several_paths_in_one_run(root):
    first, second = (
        write_practice(root, code="A81001"),
        write_practice(root / "more", code="B82002"),
    )
    _, result = load(first, second.parent)
    assert [m.practice_code for m in result.manifests] == ["A81001", "B82002"]


def test_a_folder_without_practices_and_a_missing_folder_are_errors(root):
    (root / "empty").mkdir()
    assert_message(load_error(root / "empty"), "empty: no manifest.yaml here or in its sub-folders")
    assert_message(
        load_error(root / "nowhere"),
        "nowhere: no such folder; give a practice folder or a folder of them",
    )


def test_the_same_practice_given_twice_is_an_error(root):
    write_practice(root / "january", code="A81001")
    write_practice(root / "march", code="A81001")
    assert_message(
        load_error(root / "january", root / "march"),
        "practice A81001 is also in",
        "give each practice once",
    )


def test_records_after_the_extract_date_are_kept_and_counted_per_practice_and_table(root):
    write_practice(
        root,
        code="A81001",
        manifest_data=manifest(practice_code="A81001", extract_date="2024-03-31"),
        patients=[patient("1"), patient("2")],
        events=[
            event(event_date="2024-03-31"),
            event(event_date="2024-04-01"),
            event("2", event_date="01/01/2034"),
        ],
        medications=[issue(issue_date="2024-03-30"), issue("2", issue_date="2024-06-30")],
    )
    write_practice(root, code="A81002")
    con, result = load(root)
    assert result.future_records == {
        ("A81001", "events"): 2,
        ("A81001", "medications"): 1,
        ("A81002", "events"): 0,
        ("A81002", "medications"): 0,
    }
    assert rows(con, "SELECT count(*) FROM events") == [(3,)]
    assert result.row_counts[("A81001", "events")] == 3
