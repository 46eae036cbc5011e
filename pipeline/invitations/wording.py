"""The fixed words of a letter in English and Welsh, and InStep's words in Welsh.

A letter's own words (purpose, questions ...) come from the study file
(pipeline/invitations/letter_text.py); the words around them ("Dear", "Yours
sincerely", the reply slip's labels, the reminder line) are here, one set per
language. ``welsh-english`` practices send the Welsh letter with the English
one (docs/invitations.md). The Welsh here is the project's own translation:
have it checked by a Welsh translator before letters are sent.
"""

from __future__ import annotations

import datetime as dt

WELSH_MONTHS = (
    "Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin",
    "Gorffennaf", "Awst", "Medi", "Hydref", "Tachwedd", "Rhagfyr",
)  # fmt: skip

LABELS = {
    "en": {
        "lang": "en-GB",
        "dear": "Dear",
        "your_reference": "Your reference",
        "telephone": "Telephone",
        "email": "Email",
        "may_be_for_you": "The study may be for you if you can answer yes to all of these:",
        "reply": (
            "If you answered yes and would like to hear more, please fill in the reply slip below "
            "and post it back in the reply-paid envelope by"
        ),
        "or_ring": "or ring the research nurse on",
        "or_email": "or email",
        "give_reference": "Please give your reference",
        "nurse_will_call": "A research nurse will then call you to talk it through.",
        "study_contact": "Questions about the study:",
        "yours": "Yours sincerely,",
        "signatory": "The doctors and staff at {practice}",
        "cut": "Cut here and return this part",
        "slip": "Reply slip",
        "reference": "Reference",
        "name": "Name",
        "yes": "Yes",
        "no": "No",
        "contact_me": "I would like a research nurse to contact me about the study.",
        "slip_telephone": "Telephone:",
        "best_time": "Best time to call:",
        "return_by": "Please return this slip in the reply-paid envelope by",
        "to": "to",
        "reminder": "Reminder",
        "reminder_note": (
            "We wrote to you on {first} about this study. If you have already replied, or you do "
            "not want to take part, please ignore this letter: we will not write to you about it "
            "again."
        ),
    },
    "cy": {
        "lang": "cy",
        "dear": "Annwyl",
        "your_reference": "Eich cyfeirnod",
        "telephone": "Ffôn",
        "email": "E-bost",
        "may_be_for_you": "Gall yr astudiaeth fod i chi os gallwch ateb 'ie' i bob un o'r rhain:",
        "reply": (
            "Os gwnaethoch ateb 'ie' ac yr hoffech glywed mwy, llenwch y slip ateb isod a'i bostio "
            "yn ôl yn yr amlen radbost erbyn"
        ),
        "or_ring": "neu ffoniwch y nyrs ymchwil ar",
        "or_email": "neu e-bostiwch",
        "give_reference": "Rhowch eich cyfeirnod",
        "nurse_will_call": "Bydd nyrs ymchwil wedyn yn eich ffonio i siarad am y peth.",
        "study_contact": "Cwestiynau am yr astudiaeth:",
        "yours": "Yn gywir,",
        "signatory": "Meddygon a staff {practice}",
        "cut": "Torrwch yma a dychwelwch y rhan hon",
        "slip": "Slip ateb",
        "reference": "Cyfeirnod",
        "name": "Enw",
        "yes": "Ie",
        "no": "Na",
        "contact_me": "Hoffwn i nyrs ymchwil gysylltu â mi am yr astudiaeth.",
        "slip_telephone": "Ffôn:",
        "best_time": "Yr amser gorau i ffonio:",
        "return_by": "Dychwelwch y slip hwn yn yr amlen radbost erbyn",
        "to": "i",
        "reminder": "Nodyn atgoffa",
        "reminder_note": (
            "Fe wnaethom ysgrifennu atoch ar {first} am yr astudiaeth hon. Os ydych eisoes wedi "
            "ateb, neu os nad ydych am gymryd rhan, anwybyddwch y llythyr hwn: ni fyddwn yn "
            "ysgrifennu atoch amdani eto."
        ),
    },
}

# InStep's words in Welsh: used only where the study keeps InStep's English words.
WELSH_DEFAULTS = {
    "subject": "Gwahoddiad i gymryd rhan yn astudiaeth InStep",
    "purpose": (
        "Rydym yn ysgrifennu at rai o'n cleifion o oedran gweithio sydd wedi cael poen hirdymor, "
        "i ddweud wrthych am InStep, astudiaeth ymchwil sy'n cynnig cymorth i ddod o hyd i swydd "
        "a'i chadw i bobl sydd allan o waith oherwydd eu poen."
    ),
    "record_note": (
        "Mae ein cofnodion yn dangos eich bod wedi cael poen ers peth amser. Ni allant ddangos a "
        "ydych yn gweithio, a yw'r boen yno o hyd, neu a hoffech weithio: dim ond chi sy'n "
        "gwybod hynny, felly rydym yn gofyn i chi."
    ),
    "eligibility_questions": (
        "A ydych allan o waith am dâl, ac wedi bod felly ers o leiaf dri mis, oherwydd eich poen?",
        "A ydych wedi cael poen ar y rhan fwyaf o ddyddiau ers mwy na thri mis, ac a yw gennych o hyd?",
        "Hoffech chi weithio?",
    ),
    "not_for_you": (
        "Os ydych mewn gwaith am dâl, neu os yw eich poen wedi mynd, nid yw'r astudiaeth hon i "
        "chi ac nid oes angen i chi wneud dim. Mae'n ddrwg gennym eich poeni: ni all ein "
        "cofnodion ddangos pwy sy'n gweithio."
    ),
    "reassurance": (
        "Eich dewis chi yw cymryd rhan, ac ni fydd eich gofal yn newid beth bynnag y penderfynwch. "
        "Nid yw eich manylion wedi cael eu rhoi i'r tîm ymchwil: daw'r llythyr hwn gan eich practis."
    ),
    "opt_out": (
        "Os nad ydych am glywed am yr astudiaeth hon eto, dywedwch wrth y practis ac ni fyddwn yn "
        "ysgrifennu atoch amdani."
    ),
    "information_sheet": (
        "Mae taflen wybodaeth am yr astudiaeth gyda'r llythyr hwn. Darllenwch hi cyn i chi "
        "benderfynu."
    ),
    "ethics": "Mae'r astudiaeth wedi cael ei chymeradwyo gan Bwyllgor Moeseg Ymchwil y GIG.",
}


def letter_date(day: dt.date, language: str = "en") -> str:
    """``1 May 2024`` / ``1 Mai 2024``: how a date is written on a letter."""
    if language == "cy":
        return f"{day.day} {WELSH_MONTHS[day.month - 1]} {day.year}"
    return f"{day.day} {day:%B %Y}"
