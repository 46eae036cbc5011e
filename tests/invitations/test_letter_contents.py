"""What a letter says: practice contact details, study contact, large print, Welsh, require."""

from __future__ import annotations

import re
import types
from pathlib import Path

import pytest

from pipeline.errors import ExtractError, StudyError
from pipeline.extract.manifest import read_manifest
from pipeline.invitations import (
    check_practice_contacts,
    letter_text,
    select_invitations,
    write_outputs,
)

from .builders import RunDB
from .conftest import LETTER_DATE, REPLY_BY, study


def manifest(code, *, telephone=None, email=None, language="english"):
    return types.SimpleNamespace(
        practice_code=code,
        practice_telephone=telephone,
        practice_email=email,
        letter_language=language,
        folder=Path("/extracts") / code,
    )


MANIFESTS = [
    manifest("A81001", telephone="01632 960001", email="ashby.surgery@example.nhs.uk"),
    manifest("B82002", telephone="01632 960002", language="welsh-english"),
]


def write(tmp_path, *, manifests=MANIFESTS, **letter):
    r = RunDB()
    r.add("A81001", "a1", forename="Ann", surname="Jones")
    r.add("B82002", "b1", forename="Siân", surname="Pritchard")
    con = r.build()
    select_invitations(con, run_id="R1", study_name="instep", existing_refs=set(), seed=0)
    stage = tmp_path / "stage"
    write_outputs(
        con,
        stage,
        study=study(**letter),
        letter_date=LETTER_DATE,
        reply_by=REPLY_BY,
        manifests=manifests,
    )
    return stage


def pack(stage, code, name="letters"):
    return (stage / "practices" / code / f"{name}.html").read_text()


def test_letterhead_has_the_practice_telephone_and_email_from_the_manifest(tmp_path):
    html = pack(write(tmp_path), "A81001")
    assert "Telephone: 01632 960001" in html and "Email: ashby.surgery@example.nhs.uk" in html


def test_study_contact_information_sheet_and_ethics_lines(tmp_path):
    stage = write(tmp_path, study_contact="the InStep team, Keele University, 01782 733000")
    html = pack(stage, "A81001")
    assert "Questions about the study: the InStep team, Keele University, 01782 733000" in html
    assert "An information sheet about the study comes with this letter." in html
    assert "approved by an NHS Research Ethics Committee" in html


def test_large_print_pack_is_16_point_with_the_same_letters(tmp_path):
    stage = write(tmp_path)
    normal, large = pack(stage, "A81001"), pack(stage, "A81001", "letters_large_print")
    assert '<body class="large">' in large and '<body class="large">' not in normal
    assert re.search(r"body\.large \{ font-size: 16pt", large)
    refs = re.findall(r'data-ref="([^"]+)"', normal)
    assert refs and re.findall(r'data-ref="([^"]+)"', large) == refs


def test_a_welsh_english_practice_sends_each_letter_in_welsh_then_english(tmp_path):
    html = pack(write(tmp_path), "B82002")
    sections = re.findall(r'<section class="letter" lang="([a-z-A-Z]+)" data-ref="([^"]+)"', html)
    assert [lang for lang, _ in sections] == ["cy", "en-GB"]
    assert sections[0][1] == sections[1][1]  # the same person, the same reference
    welsh = html[: html.index('lang="en-GB" data-ref')]
    assert (
        "Annwyl Ms Pritchard," in welsh and "Gwahoddiad i gymryd rhan yn astudiaeth InStep" in welsh
    )
    assert "3 Mai 2024" in welsh and "24 Mai 2024" in welsh and "Ffôn: 01632 960002" in welsh
    assert "Slip ateb" in welsh and "Dear " not in welsh
    assert "Dear Ms Pritchard," in html  # then the English letter
    assert 'lang="cy"' not in pack(tmp_path / "stage", "A81001")


def test_a_study_that_changes_its_words_must_give_them_in_welsh(tmp_path):
    with pytest.raises(StudyError, match=r"letter\.welsh has no subject; add the Welsh words"):
        write(tmp_path, subject="An invitation to the T2D study")
    stage = write(tmp_path / "ok", subject="Invitation", welsh={"subject": "Gwahoddiad"})
    assert "<h1>Gwahoddiad</h1>" in pack(stage, "B82002")


def test_unknown_welsh_keys_are_named(tmp_path):
    s = study(welsh={"dear": "Annwyl"})
    with pytest.raises(StudyError, match=r"letter\.welsh\.dear: not a word to translate"):
        letter_text(s)


def test_require_names_what_the_study_file_lacks():
    with pytest.raises(
        StudyError, match=r"letter\.require names study_contact .* add it under letter:"
    ):
        letter_text(study(require=["study_contact"]))
    with pytest.raises(StudyError, match=r"letter\.require: 'fax' is not one of"):
        letter_text(study(require=["fax"]))


def test_require_names_the_manifest_that_lacks_a_practice_detail():
    text = letter_text(study(require=["practice_telephone", "practice_email"]))
    check_practice_contacts(letter_text(study()), MANIFESTS, study_source="studies/instep.yaml")
    with pytest.raises(ExtractError) as caught:
        check_practice_contacts(text, MANIFESTS, study_source="studies/instep.yaml")
    assert caught.value.message == (
        "/extracts/B82002/manifest.yaml: no practice_email, which studies/instep.yaml requires on every "
        "letter (letter.require); add practice_email: to the manifest"
    )


def test_manifest_reads_the_letter_keys_and_refuses_an_unknown_language(tmp_path):
    folder = tmp_path / "J82001"
    folder.mkdir()
    base = "practice_code: J82001\npractice_name: Bitterne Surgery\nextract_date: 2019-06-01\n"
    (folder / "manifest.yaml").write_text(
        base
        + "practice_telephone: 023 8044 1234\npractice_email: b@example.nhs.uk\nletter_language: Welsh-English\n"
    )
    m = read_manifest(folder)
    assert (m.practice_telephone, m.practice_email, m.letter_language, m.unknown_keys) == (
        "023 8044 1234", "b@example.nhs.uk", "welsh-english", ()
    )  # fmt: skip
    (folder / "manifest.yaml").write_text(base)
    assert read_manifest(folder).letter_language == "english"  # older manifests read as before
    (folder / "manifest.yaml").write_text(base + "letter_language: french\n")
    with pytest.raises(
        ExtractError, match=r"letter_language 'french' is not one of english, welsh-english"
    ):
        read_manifest(folder)
