"""The codes the synthetic practices record: one pool, the single source for `cohort synth`.

Study codes (``codelist`` set) are the minimum content of the InStep codelists
(../shared/spec/instep-study.md, "Minimum codelist content"), the opt-out
withdrawal code, and two NSAIDs for acute pain that the shipped pain_medications
list also holds. Every code the generator writes for a study role comes from
here, so a record the generator means to count (a pain code, an opt-out) is in
the shipped codelist, and everything else is deliberately outside it
(tests/synth/test_codes.py checks both against codelists/).

Codes with ``codelist=None`` are *unrelated* content (blood pressure, asthma,
statins …). They are chosen to look like real codes of their systems and to stay
outside every study codelist; they are illustrative, not a reference.

The generator picks a code by *pool* (a codelist name, or ``name/category`` for
employment status, or ``routine`` / ``condition/NAME`` / ``acute`` …) and by the
coding system the practice used on the record's date; a pool with no code in
that system falls back to SNOMED CT (events) or to the other medication system.
To take study codes from ``pipeline.codelists`` instead, replace ``EVENT_CODES``
and ``DRUGS`` entries whose ``codelist`` is set with the repository's entries.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.synth.rates import RATES


@dataclass(frozen=True)
class EventCode:
    pool: str
    coding_system: str  # readv2 | ctv3 | snomedct
    code: str
    term: str
    weight: int = 1
    codelist: str | None = None
    category: str | None = None
    value: tuple[float, float, int] | None = None  # low, high, decimals of a recorded value


@dataclass(frozen=True)
class Drug:
    pool: str
    term: str
    dmd: str | None
    bnf: str | None
    quantity: int
    weight: int = 1
    codelist: str | None = None


@dataclass(frozen=True)
class Condition:
    """An unrelated long-term condition: prevalence rises linearly from age 20 to 80."""

    name: str
    p_age20: float
    p_age80: float
    min_age: int
    repeat_days: int  # interval between repeat issues of its drug
    female_only: bool = False


def _study(codelist: str, system: str, code: str, term: str, weight: int = 1, category=None):
    pool = f"{codelist}/{category}" if category else codelist
    return EventCode(pool, system, code, term, weight, codelist=codelist, category=category)


def _other(pool: str, system: str, code: str, term: str, weight: int = 1, value=None):
    return EventCode(pool, system, code, term, weight, value=value)


PAIN_CONDITIONS = (
    _study("chronic_pain_conditions", "snomedct", "279039007", "Low back pain", 6),
    _study("chronic_pain_conditions", "snomedct", "161891005", "Backache", 4),
    _study("chronic_pain_conditions", "snomedct", "203082005", "Fibromyalgia", 1),
    _study("chronic_pain_conditions", "snomedct", "247398009", "Neuropathic pain", 2),
    _study("chronic_pain_conditions", "snomedct", "239873007", "Osteoarthritis of knee", 3),
    _study("chronic_pain_conditions", "readv2", "16C..", "Backache symptom", 1),
    _study("chronic_pain_conditions", "readv2", "16C2.", "Backache", 4),
    _study("chronic_pain_conditions", "readv2", "16C5.", "C/O - low back pain", 4),
    _study("chronic_pain_conditions", "readv2", "16C6.", "Back pain without radiation NOS", 2),
    _study("chronic_pain_conditions", "readv2", "N2423", "Neuropathic pain", 2),
    _study("chronic_pain_conditions", "readv2", "N2453", "Pain in arm", 2),
    _study("chronic_pain_conditions", "readv2", "N2454", "Calf pain", 1),
)

PAIN_DIAGNOSES = (
    _study("chronic_pain_diagnosis", "snomedct", "82423001", "Chronic pain", 2),
    _study("chronic_pain_diagnosis", "snomedct", "134407002", "Chronic back pain", 1),
    _study("chronic_pain_diagnosis", "readv2", "1M52.", "Chronic pain", 2),
    _study("chronic_pain_diagnosis", "readv2", "16C9.", "Chronic low back pain", 1),
)


def _coded(pool, codelist, system, code, term, weight=1, category=None):
    """A study code drawn from POOL that belongs to CODELIST (another pool's name)."""
    return EventCode(pool, system, code, term, weight, codelist=codelist, category=category)


EMPLOYMENT = (
    _study("employment_status", "snomedct", "224363007", "Employed", 4, "employed"),
    _study("employment_status", "snomedct", "160903007", "Full-time employment", 3, "employed"),
    _study("employment_status", "snomedct", "160904001", "Part-time employment", 2, "employed"),
    _study("employment_status", "snomedct", "160906004", "Self-employed", 1, "employed"),
    _study("employment_status", "snomedct", "224459001", "On sick leave from work", 2, "employed"),
    _study("employment_status", "snomedct", "73438004", "Unemployed", 3, "unemployed"),
    _study("employment_status", "snomedct", "160895006", "Stopped work", 1, "unemployed"),
    _study("employment_status", "snomedct", "105493001", "Retired", 1, "retired"),
    _study("employment_status", "snomedct", "65853000", "Student", 1, "student"),
    # Long-term sick: the TPP status code where the practice used CTV3; in SNOMED CT
    # no employment-status code says it, so the benefit code stands in.
    _study(
        "employment_status",
        "ctv3",
        "Y2854",
        "Employment status - Long term sickness",
        1,
        "long_term_sick",
    ),
    _coded(
        "employment_status/long_term_sick",
        "out_of_work_benefits",
        "snomedct",
        "160978002",
        "(Sickness &/ or invalidity benefit) or invalidity pension",
    ),
)

BENEFITS = (
    _study(
        "out_of_work_benefits",
        "snomedct",
        "160978002",
        "(Sickness &/ or invalidity benefit) or invalidity pension",
    ),
    _study("out_of_work_benefits", "readv2", "13O..", "Sickness/invalidity benefit"),
    _study("out_of_work_benefits", "readv2", "13R..", "Unemployment benefits"),
    _study("out_of_work_benefits", "ctv3", "Y2854", "Employment status - Long term sickness"),
)

# Fit notes (eMED3 and MED3 2010 statements). Terms checked against OpenCodelists'
# sick-notes lists (shared reference SOURCES.md, section 3).
FIT_NOTES = (
    _coded(
        "fit_note/not_fit",
        "fit_notes_not_fit",
        "snomedct",
        "751481000000104",
        "eMED3 (2010) new statement issued, not fit for work",
        8,
    ),
    _coded(
        "fit_note/not_fit",
        "fit_notes_not_fit",
        "snomedct",
        "751621000000103",
        "eMED3 (2010) duplicate issued, not fit for work",
        1,
    ),
    _coded(
        "fit_note/not_fit",
        "fit_notes_not_fit",
        "snomedct",
        "751731000000106",
        "MED3 (2010) issued by hand, not fit for work",
        1,
    ),
    _coded(
        "fit_note/not_fit",
        "fit_notes_not_fit",
        "ctv3",
        "XaX1E",
        "eMED3 (2010) new statement issued, not fit for work",
        8,
    ),
    _coded(
        "fit_note/not_fit",
        "fit_notes_not_fit",
        "ctv3",
        "XaX1L",
        "eMED3 (2010) duplicate issued, not fit for work",
        1,
    ),
    _coded(
        "fit_note/not_fit",
        "fit_notes_not_fit",
        "ctv3",
        "XaX1R",
        "MED3 (2010) issued by hand, not fit for work",
        1,
    ),
    _coded(
        "fit_note/may_be_fit",
        "employment_status",
        "snomedct",
        "751601000000107",
        "eMED3 (2010) new statement issued, may be fit for work",
        8,
        "employed",
    ),
    _coded(
        "fit_note/may_be_fit",
        "employment_status",
        "snomedct",
        "751641000000105",
        "eMED3 (2010) duplicate issued, may be fit for work",
        1,
        "employed",
    ),
    _coded(
        "fit_note/may_be_fit",
        "employment_status",
        "snomedct",
        "751751000000104",
        "MED3 (2010) issued by hand, may be fit for work",
        1,
        "employed",
    ),
    _coded(
        "fit_note/may_be_fit",
        "employment_status",
        "ctv3",
        "XaX1K",
        "eMED3 (2010) new statement issued, may be fit for work",
        8,
        "employed",
    ),
    _coded(
        "fit_note/may_be_fit",
        "employment_status",
        "ctv3",
        "XaX1S",
        "MED3 (2010) issued by hand, may be fit for work",
        1,
        "employed",
    ),
    # Adjustments, weighted as in the BJGP 2014 fit-note study (amended duties 42%)
    _coded(
        "fit_note/adjustment",
        "employment_status",
        "snomedct",
        "775321000000108",
        "MED3 (2010) certificate issued - recommend amended duties",
        4,
        "employed",
    ),
    _coded(
        "fit_note/adjustment",
        "employment_status",
        "snomedct",
        "775281000000100",
        "MED3 (2010) certificate issued - recommend phased return to work",
        3,
        "employed",
    ),
    _coded(
        "fit_note/adjustment",
        "employment_status",
        "snomedct",
        "775301000000104",
        "MED3 (2010) certificate issued - recommend altered hours",
        2,
        "employed",
    ),
    _coded(
        "fit_note/adjustment",
        "employment_status",
        "snomedct",
        "775351000000103",
        "MED3 (2010) certificate issued - recommend workplace adaptation",
        1,
        "employed",
    ),
    _coded(
        "fit_note/adjustment",
        "employment_status",
        "ctv3",
        "XaXf5",
        "MED3 (2010) issued - recommend amended duties",
        4,
        "employed",
    ),
    _coded(
        "fit_note/adjustment",
        "employment_status",
        "ctv3",
        "XaXf3",
        "MED3 (2010) issued - recommend phased return to work",
        3,
        "employed",
    ),
    _coded(
        "fit_note/adjustment",
        "employment_status",
        "ctv3",
        "XaXf4",
        "MED3 (2010) issued - recommend altered hours",
        2,
        "employed",
    ),
    _coded(
        "fit_note/adjustment",
        "employment_status",
        "ctv3",
        "XaXf7",
        "MED3 (2010) issued - recommend workplace adaptation",
        1,
        "employed",
    ),
    # Real fit-note codes that say nothing about fitness: outside every study list.
    _other("fit_note/other", "snomedct", "1331000000103", "Med3 certificate issued to patient", 3),
    _other("fit_note/other", "snomedct", "103695000", "Preparation of medical certificate", 1),
    _other("fit_note/other", "ctv3", "XaXf1", "MED3 (2010) issued to patient", 3),
    _other("fit_note/other", "readv2", "9D11.", "MED3 issued to patient", 3),
)

# Chronic pain recorded with codes outside the InStep lists (a generic 'Pain', or pain
# of a site the lists leave out).
PAIN_OFFLIST = (
    _other("pain_offlist", "snomedct", "22253000", "Pain", 4),
    _other("pain_offlist", "snomedct", "21522001", "Abdominal pain", 2),
    _other("pain_offlist", "snomedct", "30473006", "Pain in pelvis", 2),
    _other("pain_offlist", "snomedct", "102588006", "Chest wall pain", 1),
)

DIABETES_TESTS = (
    _study("hba1c", "snomedct", "999791000000106", "Haemoglobin A1c level - IFCC standardised", 3),
    _study(
        "hba1c",
        "snomedct",
        "1049321000000109",
        "HbA1c level (monitoring ranges) - IFCC standardised",
        1,
    ),
    _study("hba1c", "readv2", "42W5.", "Haemoglobin A1c level - IFCC standardised"),
    _study("hba1c", "ctv3", "XaPbt", "HbA1c levl - IFCC standardised"),
    _study(
        "egfr",
        "snomedct",
        "1011481000000105",
        "eGFR using creatinine CKD-EPI equation per 1.73 square metres",
        3,
    ),
    _study("egfr", "snomedct", "1020291000000106", "GFR calculated by abbreviated MDRD", 1),
    _study("egfr", "readv2", "451E.", "GFR calculated by abbreviated MDRD"),
    _study("egfr", "ctv3", "XaK8y", "GFR calculated by abbreviated MDRD"),
)

EXCLUSIONS = (
    _study("dementia", "snomedct", "52448006", "Dementia", 3),
    _study("dementia", "snomedct", "26929004", "Alzheimer's disease", 2),
    _study("dementia", "readv2", "F110.", "Alzheimer's disease", 2),
    _study("dementia", "readv2", "Eu00.", "[X]Dementia in Alzheimer's disease", 1),
    _study("dementia", "readv2", "Eu000", "[X]Dementia in Alzheimer's disease with early onset", 1),
    _study("dementia", "readv2", "Eu001", "[X]Dementia in Alzheimer's disease with late onset", 1),
    _study("palliative_care", "snomedct", "103735009", "Palliative care"),
    _study(
        "research_opt_out",
        "snomedct",
        "827241000000103",
        "Dissent from secondary use of general practitioner patient identifiable data",
    ),
    _study(
        "research_opt_out",
        "readv2",
        "9Nu0.",
        "Dissent from secondary use of GP patient identifiable data",
    ),
    _study(
        "research_opt_out",
        "ctv3",
        "XaZ89",
        "Dissent from secondary use of GP patient identifiable data",
    ),
    _study(
        "research_opt_out_withdrawn",
        "snomedct",
        "827261000000102",
        "Withdrawal of dissent from secondary use of GP patient identifiable data",
    ),
)

ROUTINE = (
    _other(
        "routine",
        "snomedct",
        "163030003",
        "On examination - Systolic blood pressure reading",
        8,
        (100, 170, 0),
    ),
    _other(
        "routine",
        "snomedct",
        "163031004",
        "On examination - Diastolic blood pressure reading",
        8,
        (60, 100, 0),
    ),
    _other("routine", "snomedct", "60621009", "Body mass index", 4, (18, 42, 1)),
    _other("routine", "snomedct", "27113001", "Body weight", 4, (45, 130, 1)),
    _other("routine", "snomedct", "77176002", "Smoker", 1),
    _other("routine", "snomedct", "266919005", "Never smoked tobacco", 2),
    _other("routine", "snomedct", "8517006", "Ex-smoker", 1),
    _other("routine", "snomedct", "822851000000102", "Seasonal influenza vaccination", 2),
    _other("routine", "snomedct", "314530002", "Medication review done", 3),
    _other("routine", "snomedct", "185317003", "Telephone encounter", 6),
    _other("routine", "snomedct", "1005671000000105", "Serum cholesterol level", 2, (3, 7.5, 1)),
    _other(
        "routine",
        "snomedct",
        "999791000000106",
        "Haemoglobin A1c level - IFCC standardised",
        2,
        (30, 46, 0),
    ),
    _other("routine", "snomedct", "54150009", "Upper respiratory infection", 3),
    _other("routine", "snomedct", "49727002", "Cough", 3),
    _other("routine", "snomedct", "25064002", "Headache", 1),
    _other("routine", "readv2", "2469.", "O/E - Systolic BP reading", 8, (100, 170, 0)),
    _other("routine", "readv2", "246A.", "O/E - Diastolic BP reading", 8, (60, 100, 0)),
    _other("routine", "readv2", "22K..", "Body Mass Index", 4, (18, 42, 1)),
    _other("routine", "readv2", "22A..", "O/E - weight", 4, (45, 130, 1)),
    _other("routine", "readv2", "137R.", "Current smoker", 1),
    _other("routine", "readv2", "1371.", "Never smoked tobacco", 2),
    _other("routine", "readv2", "137S.", "Ex smoker", 1),
    _other("routine", "readv2", "65E..", "Influenza vaccination", 2),
    _other("routine", "readv2", "8B3V.", "Medication review done", 3),
    _other("routine", "readv2", "9N31.", "Telephone encounter", 6),
    _other("routine", "readv2", "44P..", "Serum cholesterol", 2, (3, 7.5, 1)),
    _other(
        "routine", "readv2", "42W5.", "Haemoglobin A1c level - IFCC standardised", 2, (30, 46, 0)
    ),
    _other("routine", "readv2", "H05z.", "Upper respiratory infection NOS", 3),
    _other("routine", "readv2", "171..", "Cough", 3),
    _other("routine", "readv2", "1B1G.", "Headache", 1),
    _other("routine", "ctv3", "2469.", "O/E - Systolic BP reading", 8, (100, 170, 0)),
    _other("routine", "ctv3", "246A.", "O/E - Diastolic BP reading", 8, (60, 100, 0)),
    _other("routine", "ctv3", "22K..", "Body Mass Index", 4, (18, 42, 1)),
    _other("routine", "ctv3", "22A..", "O/E - weight", 4, (45, 130, 1)),
    _other("routine", "ctv3", "137R.", "Current smoker", 1),
    _other("routine", "ctv3", "65E..", "Influenza vaccination", 2),
    _other("routine", "ctv3", "H05z.", "Upper respiratory infection NOS", 3),
    _other("routine", "ctv3", "171..", "Cough", 3),
)

CONDITIONS = (
    Condition("hypertension", 0.02, 0.55, 25, 56),
    Condition("asthma", 0.10, 0.09, 3, 84),
    Condition("diabetes", RATES["T2D_AGE20"].value, RATES["T2D_AGE80"].value, 25, 56),
    Condition("depression", 0.11, 0.08, 14, 28),
    Condition("hypothyroidism", 0.01, 0.10, 20, 56, female_only=True),
    Condition("hyperlipidaemia", 0.01, 0.30, 30, 56),
    Condition("copd", 0.00, 0.10, 40, 56),
    Condition("reflux", 0.03, 0.12, 20, 56),
)

CONDITION_CODES = (
    _other("condition/hypertension", "snomedct", "59621000", "Essential hypertension", 3),
    _other("condition/hypertension", "snomedct", "38341003", "Hypertensive disorder", 1),
    _other("condition/hypertension", "readv2", "G20..", "Essential hypertension"),
    _other("condition/asthma", "snomedct", "195967001", "Asthma", 3),
    _other("condition/asthma", "snomedct", "270442000", "Asthma monitoring check done", 2),
    _other("condition/asthma", "readv2", "H33..", "Asthma", 3),
    _other("condition/asthma", "readv2", "66YJ.", "Asthma annual review", 2),
    _coded(
        "condition/diabetes",
        "type2_diabetes",
        "snomedct",
        "44054006",
        "Diabetes mellitus type 2",
        3,
    ),
    _coded(
        "condition/diabetes",
        "type2_diabetes",
        "snomedct",
        "313436004",
        "Type II diabetes mellitus without complication",
        1,
    ),
    _coded(
        "condition/diabetes", "type2_diabetes", "readv2", "C10F.", "Type 2 diabetes mellitus", 3
    ),
    _coded(
        "condition/diabetes",
        "type2_diabetes",
        "ctv3",
        "X40J5",
        "Non-insulin-dependent diabetes mellitus",
        3,
    ),
    _other("condition/depression", "snomedct", "35489007", "Depressive disorder", 3),
    _other("condition/depression", "readv2", "E2B..", "Depressive disorder NEC", 3),
    _other("condition/hypothyroidism", "snomedct", "40930008", "Hypothyroidism"),
    _other("condition/hypothyroidism", "readv2", "C04..", "Acquired hypothyroidism"),
    _other("condition/hyperlipidaemia", "snomedct", "55822004", "Hyperlipidaemia"),
    _other("condition/copd", "snomedct", "13645005", "Chronic obstructive lung disease"),
    _other("condition/copd", "readv2", "H3...", "Chronic obstructive pulmonary disease"),
    _other("condition/reflux", "snomedct", "235595009", "Gastro-oesophageal reflux disease"),
)

EVENT_CODES = (
    PAIN_CONDITIONS
    + PAIN_DIAGNOSES
    + EMPLOYMENT
    + BENEFITS
    + FIT_NOTES
    + PAIN_OFFLIST
    + DIABETES_TESTS
    + EXCLUSIONS
    + ROUTINE
    + CONDITION_CODES
)

# A pain drug carries only the codes that are in the minimum pain_medications list
# (its dm+d id, or a BNF code under 040702, 0408010G0 or 0408010AE); a practice
# that records the other system writes that one for it.
PAIN_DRUGS = (
    Drug(
        "pain_medications",
        "Tramadol 50mg capsules",
        "42017811000001106",
        "040702040AAAAAA",
        100,
        3,
        "pain_medications",
    ),
    Drug(
        "pain_medications",
        "Pregabalin 75mg capsules",
        "415167006",
        "0408010AEAAABAB",
        56,
        3,
        "pain_medications",
    ),
    Drug(
        "pain_medications",
        "Co-codamol 30mg/500mg tablets",
        "42009811000001101",
        None,
        100,
        4,
        "pain_medications",
    ),
    Drug(
        "pain_medications",
        "Amitriptyline 10mg tablets",
        "321745007",
        None,
        28,
        3,
        "pain_medications",
    ),
    Drug(
        "pain_medications",
        "Gabapentin 300mg capsules",
        None,
        "0408010G0AAABAB",
        100,
        2,
        "pain_medications",
    ),
    Drug(
        "pain_medications",
        "Codeine 30mg tablets",
        None,
        "0407020C0AAAEAE",
        100,
        2,
        "pain_medications",
    ),
    Drug(
        "pain_medications",
        "Dihydrocodeine 30mg tablets",
        None,
        "0407020G0AAACAC",
        100,
        1,
        "pain_medications",
    ),
)

OTHER_DRUGS = (
    Drug(
        "acute_analgesic",
        "Ibuprofen 400mg tablets",
        "329653008",
        "1001010J0AAAEAE",
        24,
        3,
        "pain_medications",
    ),
    Drug(
        "acute_analgesic",
        "Naproxen 500mg tablets",
        "329807003",
        "1001010P0AAAEAE",
        28,
        2,
        "pain_medications",
    ),
    Drug("acute", "Amoxicillin 500mg capsules", "323509004", "0501013B0AAABAB", 21, 4),
    Drug("acute", "Phenoxymethylpenicillin 250mg tablets", "323467008", "0501011P0AAABAB", 28, 2),
    Drug(
        "acute",
        "Nitrofurantoin 100mg modified-release capsules",
        "376856001",
        "0513010V0AAAFAF",
        6,
        2,
    ),
    Drug("acute", "Prednisolone 5mg tablets", "325427002", "0603020T0AAACAC", 28, 1),
    Drug("condition/hypertension", "Amlodipine 5mg tablets", "319283006", "0206020A0AAAAAA", 28, 3),
    Drug("condition/hypertension", "Ramipril 5mg capsules", "318906001", "0205051R0AAACAC", 28, 2),
    Drug(
        "condition/asthma",
        "Salbutamol 100micrograms/dose inhaler CFC free",
        "320176004",
        "0301011R0AAAPAP",
        1,
        3,
    ),
    Drug(
        "condition/asthma",
        "Beclometasone 100micrograms/dose inhaler CFC free",
        "320136002",
        "0302000C0AABZBZ",
        1,
        1,
    ),
    Drug(
        "condition/diabetes",
        "Metformin 500mg tablets",
        "325278007",
        "0601022B0AAABAB",
        56,
        1,
        "metformin",
    ),
    Drug(
        "insulin",
        "Insulin glargine 100units/ml solution for injection 3ml pre-filled disposable devices",
        "13257201000001103",
        None,
        5,
        1,
        "insulin",
    ),
    Drug("condition/depression", "Sertraline 50mg tablets", "321949006", "0403030Q0AAAAAA", 28, 2),
    Drug("condition/depression", "Citalopram 20mg tablets", "321987003", "0403030D0AAAAAA", 28, 1),
    Drug(
        "condition/hypothyroidism",
        "Levothyroxine sodium 50microgram tablets",
        "376988009",
        "0602010V0AABWBW",
        28,
        1,
    ),
    Drug(
        "condition/hyperlipidaemia",
        "Atorvastatin 20mg tablets",
        "320000009",
        "0212000B0AAABAB",
        28,
        1,
    ),
    Drug(
        "condition/copd",
        "Tiotropium 18microgram inhalation powder capsules",
        "408063000",
        "0301020Q0AAACAC",
        30,
        1,
    ),
    Drug(
        "condition/reflux",
        "Omeprazole 20mg gastro-resistant capsules",
        "317335000",
        "0103050P0AAAAAA",
        28,
        1,
    ),
)

DRUGS = PAIN_DRUGS + OTHER_DRUGS


def study_codes() -> list[tuple[str, str, str]]:
    """(codelist, coding system, code) of every study code the generator can write."""
    found = [(c.codelist, c.coding_system, c.code) for c in EVENT_CODES if c.codelist]
    for d in DRUGS:
        if d.codelist:
            found += [
                (d.codelist, system, code)
                for system, code in (("dmd", d.dmd), ("bnf", d.bnf))
                if code
            ]
    return sorted(found)
