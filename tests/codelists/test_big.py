"""A codelist with thousands of codes imports, publishes, passes check and compiles.

How fast is a benchmark question (benchmarks/), not a timed test: a loaded CI machine
must not fail it."""

from __future__ import annotations

import csv

from click.testing import CliRunner

from pipeline import db
from pipeline.cli import main
from pipeline.codelists.compile import build_codelist_table
from pipeline.codelists.repository import load_repository

from .builders import sctid

SIZE = 5000


def cohort(*args):
    return CliRunner().invoke(main, ["codelists", *map(str, args)])


def test_five_thousand_codes_import_publish_and_compile(tmp_path):
    source = tmp_path / "big.csv"
    with source.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["code", "term"])
        writer.writerows([sctid(i), f"Synthetic finding {i}"] for i in range(SIZE))
    root = tmp_path / "codelists"

    imported = cohort(
        "import",
        source,
        "--name",
        "big_list",
        "--coding-system",
        "snomedct",
        "--author",
        "test",
        "--root",
        root,
    )
    assert imported.exit_code == 0, imported.output
    text = (root / "big_list" / "1.yaml").read_text()
    assert "sources: []" in text
    (root / "big_list" / "1.yaml").write_text(
        text.replace("sources: []", "sources:\n    - {title: synthetic test list}")
    )
    published = cohort("publish", "big_list", "1", "--root", root)
    assert published.exit_code == 0, published.output
    checked = cohort("check", "--root", root)
    assert checked.exit_code == 0, checked.output

    v = load_repository(root).get("big_list", "1")
    assert len(v.entries) == SIZE
    con = db.connect()
    every_other = [sctid(i) for i in range(0, SIZE * 2, 2)]  # half in the list, half not
    con.execute(
        "CREATE TABLE events AS SELECT 'A' AS practice_code, '1' AS patient_id, DATE '2024-01-01' AS event_date, "
        "'snomedct' AS coding_system, unnest($codes) AS code, NULL::DOUBLE AS value",
        {"codes": every_other},
    )
    assert build_codelist_table(con, [v]) == SIZE
    matched = con.execute(
        "SELECT count(*) FROM events JOIN codelist_codes USING (coding_system, code)"
    ).fetchall()[0][0]
    assert matched == SIZE // 2
