"""Every rate the synthetic world is drawn from: a named constant, its value, and its
published source or the word "assumption" (docs/synthetic-world.md is rendered from
this module; tests/synth/test_rates.py keeps the two in step).

The SQL in sql/synth reads scalar rates as bound parameters named like the constant
in lower case (``$pain_disabling_share``); the by-age tables become lookup tables
(pipeline/synth/lookups.py). Calibrate, never tune: a value changes only when its
source says so, never to make a rule of a study look better.

Figures marked "approx." are rounded from the named publication; check them against
the publication before quoting them elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rate:
    value: float
    source: str
    meaning: str
    # Which way the value, if wrong, would bias a study's measured efficacy.
    bias: str = ""


ONS_A05 = "ONS Labour Force Survey table A05 (economic activity by age, UK, 2024; approx.)"
ONS_INAC01 = "ONS Labour Force Survey INAC01 (economic inactivity by reason, UK, 2024; approx.)"
ONS_ILLHEALTH = (
    "ONS 2023, Rising ill-health and economic inactivity because of long-term sickness, "
    "UK: 2019 to 2023 (back or neck problems ~0.96M of ~2.5M inactive through long-term sickness)"
)
DWP_DISABLED = (
    "DWP 2024, The employment of disabled people (employment rate ~53% disabled vs "
    "~82% non-disabled; ratio 0.65)"
)
FAYAZ = (
    "Fayaz et al. 2016, BMJ Open 6:e010364 (chronic pain 35-51% of UK adults, "
    "14% at 18-25 rising to 62% at 75+; moderate-severely disabling 10.4-14.3%)"
)
ELLIOTT = "Elliott et al. 2002, Pain 99:299-307 (chronic pain recovers at ~5.4% a year)"
PILOT = "InStep pilot paper (shared/background/instep-pilot-trial.txt)"
BJGP_FITNOTE = (
    "Fit note study of 68 practices, BJGP 2014;64(620):e137 ('may be fit' on 6.4% of "
    "fit notes; amended duties in 42% of those)"
)
QOF = "NHS Digital QOF 2023-24 (diabetes prevalence 7.5% of patients 17+, ~90% type 2; approx.)"
NDA = "National Diabetes Audit 2022-23 (HbA1c and eGFR distributions in type 2 diabetes; approx.)"
A = "assumption"

RATES: dict[str, Rate] = {
    # --- chronic pain -------------------------------------------------------------
    "PAIN_DISABLING_SHARE": Rate(
        0.28,
        FAYAZ,
        "share of people in chronic pain whose pain is moderate-severely disabling "
        "(12.3% of adults / 43.5%)",
        "higher makes out-of-work-through-pain commoner and recall of fit-note rules higher",
    ),
    "PAIN_MEAN_YEARS": Rate(
        4.0, A, "mean years since chronic pain began (exponential, at least 90 days)"
    ),
    "PAIN_RESOLVED_SHARE": Rate(
        0.07,
        ELLIOTT,
        "share of adults not in pain now whose chronic pain resolved in the last 8 years "
        "(5.4%/year recovery applied to ~15-20% who once had pain; approx.)",
        "higher sends more codelist letters to people whose pain has gone",
    ),
    "PAIN_CONSULTS_DISABLING": Rate(
        0.85, A, "people with disabling chronic pain who consult about it"
    ),
    "PAIN_CONSULTS_MILD": Rate(0.40, A, "people with mild chronic pain who consult about it"),
    "PAIN_CODE_IN_LIST": Rate(
        0.75,
        A,
        "share of consulting people whose pain is coded with codes in the study lists "
        "(the rest: a generic 'Pain', abdominal, pelvic or chest wall pain, outside them)",
        "higher raises recall of every pain route",
    ),
    "PAIN_DX_SHARE": Rate(0.30, A, "share of coded pain with a code that says 'chronic' itself"),
    "PAIN_MEDS_CODED": Rate(0.55, A, "share of coded pain with repeat pain medicines"),
    "PAIN_MEDS_UNCODED": Rate(0.20, A, "share of uncoded pain with repeat pain medicines"),
    "PAST_CODED": Rate(0.80, A, "resolved pain that left pain codes in the record"),
    "PAST_MEDS": Rate(0.35, A, "resolved pain that had repeat pain medicines"),
    "PAST_CODES_OUTLAST": Rate(
        0.30,
        A,
        "resolved pain whose codes go on after it resolved (problem-list reviews, up to a year)",
        "higher: more false positives for the codelist search",
    ),
    "PAST_MEDS_OUTLAST": Rate(
        0.30, A, "repeat pain medicines that go on up to a year after the pain resolved"
    ),
    "ACUTE_PAIN_SHARE": Rate(0.10, A, "adults not in pain with one acute pain episode coded"),
    "ACUTE_OPIOID_COURSE": Rate(
        0.03,
        A,
        "adults with a short repeat analgesic course for an acute reason (injury, "
        "operation) in the last six years: 3-5 issues four weeks apart",
        "higher: more false positives for C3",
    ),
    # --- work -------------------------------------------------------------------------
    "SELF_EMPLOYED_SHARE": Rate(
        0.13,
        "ONS LFS EMP01 (self-employed ~4.4M of ~33M in work; approx.)",
        "self-employed share of people in work",
    ),
    "EMPLOYED_RATIO_DISABLING": Rate(
        0.65,
        DWP_DISABLED,
        "employment rate with disabling chronic pain, relative to the age band's",
        "lower makes out-of-work-through-pain commoner",
    ),
    "EMPLOYED_RATIO_MILD": Rate(
        0.95, A, "employment rate with mild chronic pain, relative to the age band's"
    ),
    "PAIN_JOB_LOSS_LT_SICK": Rate(
        0.75,
        ONS_INAC01
        + "; long-term sick far outnumber unemployed job-seekers with a health condition",
        "share of people who lost work through pain who are long-term sick (the rest unemployed, seeking work)",
    ),
    "JOB_LOSS_MEDIAN_YEARS": Rate(
        1.8,
        PILOT + ": median time unemployed of primary-care recruits 1.8 years (IQR 0.7-6.8)",
        "median years since a job lost through pain (log-normal, never before pain began)",
    ),
    "UNEMPLOYED_MEAN_YEARS": Rate(
        0.8,
        "ONS LFS UNEM01 (about a quarter unemployed over 12 months; approx.)",
        "mean years unemployed",
    ),
    "LT_SICK_MEAN_YEARS": Rate(4.0, A, "mean years long-term sick"),
    "CARER_MEAN_YEARS": Rate(5.0, A, "mean years looking after family or home"),
    "WANTS_WORK_UNEMPLOYED": Rate(
        0.90,
        "ILO definition: unemployed people are seeking work (0.9 allows for those who would not take IPS)",
        "unemployed who want work",
    ),
    "WANTS_WORK_LT_SICK": Rate(
        0.25,
        ONS_INAC01 + " (inactive long-term sick who want a job ~ one in four)",
        "long-term sick who want work",
        "higher: more eligible people among those out of work",
    ),
    "WANTS_WORK_CARER": Rate(0.20, ONS_INAC01, "people looking after family or home who want work"),
    "WANTS_WORK_STUDENT": Rate(0.30, ONS_INAC01, "students who want work"),
    "WANTS_WORK_RETIRED": Rate(0.03, ONS_INAC01, "retired people who want work"),
    "HAD_IPS": Rate(0.004, A, "people out of work who have already had IPS"),
    "CANNOT_CONSENT": Rate(0.015, A, "adults without dementia who cannot give informed consent"),
    # --- what the record shows of work -----------------------------------------------
    "EMP_CODED_EMPLOYED": Rate(
        0.05,
        PILOT
        + ": 'primary care ... do not have any code for discussion of work'; employment codes are rare",
        "people in work with an employment-status code for their current job",
        "higher makes the 'not known to be in work' rule stronger",
    ),
    "EMP_CODED_UNEMPLOYED": Rate(0.10, A, "unemployed people coded unemployed"),
    "EMP_CODED_LT_SICK": Rate(0.12, A, "long-term sick people coded long-term sick or unemployed"),
    "EMP_CODED_STUDENT": Rate(0.04, A, "students coded as students"),
    "EMP_CODED_RETIRED": Rate(0.15, A, "retired people coded retired"),
    "EMP_CODED_BEFORE": Rate(
        0.05,
        A,
        "people whose status changed with a code of their previous status (stale: employed before a job loss)",
        "higher: more people out of work wrongly excluded as in work",
    ),
    "EMP_CODE_WRONG": Rate(0.03, A, "employment-status codes with the wrong category (miskeyed)"),
    "LT_SICK_CODED_AS_UNEMPLOYED": Rate(
        0.5, A, "coded long-term sick people whose code says unemployed"
    ),
    "BENEFIT_CODED_LT_SICK": Rate(
        0.10,
        A,
        "long-term sick people with a benefit or long-term-sickness code (ESA, UC health element)",
    ),
    "BENEFIT_CODED_UNEMPLOYED": Rate(0.04, A, "unemployed people with a benefit code"),
    # --- fit notes ---------------------------------------------------------------------
    "FITNOTE_CODED": Rate(
        0.85,
        "NHS Digital fit note statistics: eMED3 fit notes are coded in the GP record when issued (approx.)",
        "share of fit notes issued that are coded in the record",
    ),
    "FITNOTE_RUN_JOB_LOSS": Rate(
        0.70,
        A + " (a claim for ESA or UC on health grounds needs fit notes until assessment)",
        "people who lost work through pain with a run of 'not fit' notes around the job loss",
        "higher raises recall of the fit-note rule",
    ),
    "FITNOTE_RUN_LT_SICK": Rate(
        0.50, A, "other long-term sick people with a run of 'not fit' notes"
    ),
    "FITNOTE_RUN_MEAN_DAYS": Rate(
        270, A, "mean length of a run of 'not fit' notes after a job loss, in days"
    ),
    "FITNOTE_EPISODES_PER_YEAR": Rate(
        0.08,
        "NHS Digital fit note statistics (~11M notes a year in England, ~2-3 per episode; approx.)",
        "short sickness-absence episodes with a fit note, per person in work per year",
    ),
    "FITNOTE_EPISODES_PAIN_FACTOR": Rate(
        3.0, A, "times more fit-note episodes with disabling chronic pain"
    ),
    "LONG_ABSENCE_DISABLING": Rate(
        0.10,
        A,
        "people in work with disabling pain on long sick leave (3-9 months of 'not fit' notes) in the last two years",
        "higher: more people in work look out of work to the fit-note rule",
    ),
    "LONG_ABSENCE_OTHER": Rate(
        0.01, A, "other people in work on long sick leave in the last two years"
    ),
    "RETURN_WITH_MAY_BE_FIT": Rate(
        0.35,
        BJGP_FITNOTE
        + "; share of episodes ending with a 'may be fit'/adjustment note is an assumption",
        "sick-leave episodes that end with a 'may be fit' or adjustment note",
        "higher makes the 'may be fit' exclusion catch more people in work",
    ),
    "LONG_ABSENCE_RETURN_MAY_BE_FIT": Rate(
        0.60, A, "long sick leave that ends with a phased return or 'may be fit' note"
    ),
    # --- type 2 diabetes ------------------------------------------------------------------
    "T2D_AGE20": Rate(
        0.01, QOF + "; the age gradient is an assumption", "type 2 diabetes at age 20"
    ),
    "T2D_AGE80": Rate(0.17, QOF, "type 2 diabetes at age 80 (linear between)"),
    "HBA1C_MEAN_T2D": Rate(58, NDA, "mean of a person's usual HbA1c in type 2 diabetes, mmol/mol"),
    "HBA1C_SD_T2D": Rate(
        12, NDA, "spread of usual HbA1c between people with type 2 diabetes, mmol/mol"
    ),
    "HBA1C_SD_WITHIN": Rate(5, A, "spread of one person's HbA1c results about their usual value"),
    "EGFR_CKD3_T2D": Rate(
        0.20,
        NDA + " (about one in five with eGFR under 60)",
        "people with type 2 diabetes with eGFR 30-59",
    ),
    "EGFR_UNDER30_T2D": Rate(0.03, NDA, "people with type 2 diabetes with eGFR under 30"),
    "METFORMIN_T2D": Rate(
        0.80,
        "NHS Prescription Cost Analysis / NDA treatment mix (approx.)",
        "people with type 2 diabetes on metformin",
    ),
    "INSULIN_T2D": Rate(
        0.10, NDA + " (about one in ten on insulin)", "people with type 2 diabetes on insulin"
    ),
    # --- registration, exclusions and data quality (the first world's, now named) ---
    "LEFT_AGE_18_39": Rate(
        0.14,
        A + " (young adults move practice most)",
        "people aged 18-39 whose registration ended (moved away) within ten years",
    ),
    "LEFT_OTHER": Rate(0.07, A, "other people whose registration ended within ten years"),
    "PALLIATIVE_DIED": Rate(0.30, A, "people who died with a palliative care code"),
    "PALLIATIVE_75": Rate(0.01, A, "living people 75+ on palliative care"),
    "PALLIATIVE_OTHER": Rate(0.001, A, "other living people on palliative care"),
    "OPT_OUT_ADULT": Rate(
        0.03,
        A + " (NHS England publishes type 1 opt-out counts of a few per cent of patients)",
        "adults with a type 1 opt-out code",
        "higher removes more people from every study alike",
    ),
    "OPT_OUT_CHILD": Rate(0.01, A, "children with a type 1 opt-out code"),
    "OPT_OUT_WITHDRAWN": Rate(0.08, A, "opt-outs later withdrawn"),
    "HOUSEHOLD_SHARE": Rate(0.55, A, "patients who share an address with neighbours in the list"),
    "FLAT_SHARE": Rate(0.12, A, "households in a flat"),
    "NHS_BLANK": Rate(0.003, A, "records with no NHS number"),
    "NHS_BAD": Rate(0.002, A, "NHS numbers with a typo (fail Modulus 11)"),
    "POSTCODE_BLANK": Rate(0.0015, A, "records with no postcode"),
    "POSTCODE_CUT": Rate(0.0005, A, "postcodes cut short (outward part only)"),
    "LINE1_BLANK": Rate(0.0015, A, "records with no address line 1"),
    "FUTURE_EVENT": Rate(0.0004, A, "events dated after the extract date"),
    "FUTURE_ISSUE": Rate(0.0002, A, "prescription issues dated after the extract date"),
    "ISSUE_TYPE_MISSING": Rate(0.02, A, "prescription issues with no issue type"),
    "CONDITION_DRUG_STOPPED": Rate(
        0.15, A, "long-term condition drugs stopped before the extract date"
    ),
    "PAIN_MEDS_ONGOING": Rate(0.70, A, "repeat pain medicines still issued on the extract date"),
    "PAIN_SECOND_DRUG": Rate(0.25, A, "people on repeat pain medicines with a second one"),
    "FITNOTE_GENERIC": Rate(
        0.20, A, "fit notes coded with a generic 'MED3 issued' code outside the lists"
    ),
}

# Deaths among everyone ever on the list in the record window, by age: (first age,
# last age, share). Assumption shaped like ONS death rates by age.
DEATH_BY_AGE = ((0, 49, 0.003), (50, 64, 0.015), (65, 74, 0.04), (75, 84, 0.10), (85, 200, 0.22))
DEATH_SOURCE = A + " (shaped like ONS mortality by age)"
# Dementia by age: Alzheimer's Society, Dementia UK (2014) prevalence by age, rounded.
DEMENTIA_BY_AGE = (
    (0, 39, 0.0),
    (40, 49, 0.0005),
    (50, 64, 0.003),
    (65, 74, 0.03),
    (75, 84, 0.10),
    (85, 200, 0.20),
)
DEMENTIA_SOURCE = "Alzheimer's Society, Dementia UK update 2014 (prevalence by age; approx.)"

# Economic activity on the extract date by age band: (first age, last age, employed,
# unemployed, student, long-term sick, carer or homemaker, retired). Shares of the
# whole band; rows sum to 1. ONS LFS A05 and INAC01, UK, 2024, rounded.
WORK_BY_AGE = (
    (16, 17, 0.25, 0.04, 0.68, 0.01, 0.02, 0.00),
    (18, 24, 0.53, 0.07, 0.30, 0.04, 0.06, 0.00),
    (25, 34, 0.84, 0.035, 0.025, 0.04, 0.06, 0.00),
    (35, 49, 0.85, 0.03, 0.005, 0.055, 0.06, 0.00),
    (50, 64, 0.71, 0.02, 0.002, 0.09, 0.058, 0.12),
    (65, 74, 0.17, 0.005, 0.0, 0.02, 0.005, 0.80),
    (75, 200, 0.03, 0.0, 0.0, 0.0, 0.0, 0.97),
)
WORK_SOURCE = ONS_A05 + "; " + ONS_INAC01
STATUSES = ("employed", "unemployed", "student", "long_term_sick", "carer", "retired")

# Chronic pain now, by age band: (first age, last age, share). Fayaz et al. 2016
# pooled estimates by age, rounded; under 18 an assumption.
PAIN_BY_AGE = (
    (0, 17, 0.02),
    (18, 24, 0.14),
    (25, 44, 0.25),
    (45, 64, 0.38),
    (65, 74, 0.50),
    (75, 200, 0.60),
)
PAIN_SOURCE = FAYAZ + "; under 18: assumption"


def params() -> dict[str, float]:
    """Every scalar rate as a SQL parameter ($name in lower case)."""
    return {name.lower(): rate.value for name, rate in RATES.items()}
