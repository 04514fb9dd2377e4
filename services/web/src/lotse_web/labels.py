"""Words for the codes the APIs use, as gettext message ids (translated when shown).

``N_`` only marks a string for the catalogs; templates translate it with ``_``.
"""

from __future__ import annotations

__all__ = [
    "CATEGORIES",
    "DECLINE_REASONS",
    "DELIVERY_MODES",
    "DELIVERY_STATUSES",
    "ELIGIBILITY",
    "ELIGIBILITY_EXPLAINED",
    "ENTITLEMENTS",
    "INTEGRATION_COURSE_TYPES",
    "INVALIDATION_REASONS",
    "LEVELS",
    "LITERACY",
    "NEED_STATUSES",
    "NOTIFICATION_KINDS",
    "N_",
    "OFFER_STATUSES",
    "RESIDENCE_STATUSES",
    "SPOKEN_LANGUAGES",
    "TARGET_GROUPS",
    "TIMES_OF_DAY",
]


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    return message


CATEGORIES = {
    "integration_course": N_("Integration course"),
    "language_course": N_("German course"),
    "vocational_language_course": N_("Vocational German course"),
    "school_place": N_("School place"),
    "vocational_training": N_("Vocational training"),
    "recognition": N_("Recognition of qualifications"),
    "counselling": N_("Counselling"),
    "qualification": N_("Qualification"),
    "leisure": N_("Leisure"),
    "childcare": N_("Childcare"),
}

LEVELS = {
    "A0": N_("A0 – no German yet"),
    "A1": N_("A1 – beginner"),
    "A2": N_("A2 – elementary"),
    "B1": N_("B1 – intermediate"),
    "B2": N_("B2 – upper intermediate"),
    "C1": N_("C1 – advanced"),
    "C2": N_("C2 – proficient"),
}

LITERACY = {
    "latin": N_("Reads and writes Latin script"),
    "other_script": N_("Reads and writes another script only"),
    "none": N_("Does not read or write yet"),
}

RESIDENCE_STATUSES = {
    "asylum_seeker": N_("Asylum seeker"),
    "recognised_protection": N_("Recognised protection"),
    "temporary_protection": N_("Temporary protection (e.g. from Ukraine)"),
    "tolerated": N_("Tolerated (Duldung)"),
    "eu_citizen": N_("EU citizen"),
    "residence_permit": N_("Other residence permit"),
    "settled": N_("Settled"),
    "other": N_("Other"),
}

TIMES_OF_DAY = {
    "morning": N_("Mornings"),
    "afternoon": N_("Afternoons"),
    "evening": N_("Evenings"),
    "weekend": N_("Weekends"),
}

NEED_STATUSES = {"open": N_("open"), "closed": N_("closed")}

ELIGIBILITY = {
    "eligible": N_("Eligible"),
    "check_required": N_("Check eligibility"),
    "self_payer_only": N_("Self-payers only"),
}

ELIGIBILITY_EXPLAINED = {
    "eligible": N_("By the rules in force today, the person can take part."),
    "check_required": N_(
        "Whether the person can take part depends on their papers: please check with the provider."
    ),
    "self_payer_only": N_("At the moment the person can only take part paying the fee themselves."),
}

INVALIDATION_REASONS = {
    "full": N_("the offer is full"),
    "withdrawn": N_("the provider withdrew the offer"),
    "changed": N_("the offer changed and no longer fits"),
    "outranked": N_("better offers were found"),
    "need_closed": N_("the need was closed"),
    "need_changed": N_("the need changed"),
    "erased": N_("the need was erased"),
}

DECLINE_REASONS = {
    "not_interested": N_("The person is not interested"),
    "not_eligible": N_("The person is not eligible"),
    "schedule": N_("The times do not fit"),
    "too_far": N_("Too far away"),
    "already_enrolled": N_("Already enrolled elsewhere"),
    "waiting_list": N_("Waiting list too long"),
    "other": N_("Another reason"),
}

DELIVERY_STATUSES = {
    "pending": N_("waiting to be sent"),
    "sent": N_("sent"),
    "failed": N_("failed"),
    "cancelled": N_("cancelled"),
    "suppressed": N_("not sent (below your minimum fit)"),
}

# Languages often spoken by newcomers in the district; their names come from Babel.
SPOKEN_LANGUAGES = (
    "ar", "fa", "uk", "ru", "tr", "ku", "ps", "ti", "so", "sq", "ro", "bg", "pl", "en", "fr",
)  # fmt: skip

# The providers' desk: what an offer's codes mean to the people who write offers.
OFFER_STATUSES = {"published": N_("published"), "withdrawn": N_("withdrawn")}

DELIVERY_MODES = {
    "in_person": N_("In person, at the venue"),
    "online": N_("Online"),
    "hybrid": N_("Both: in person and online"),
}

INTEGRATION_COURSE_TYPES = {
    "general": N_("General integration course"),
    "youth": N_("Integration course for young people"),
    "parents": N_("Integration course for parents"),
    "women": N_("Integration course for women"),
    "literacy": N_("Integration course with literacy"),
    "second_script": N_("Course for learners of a second script"),
    "intensive": N_("Intensive integration course"),
}

TARGET_GROUPS = {
    "women": N_("Women"),
    "youth": N_("Young people"),
    "parents": N_("Parents"),
    "families": N_("Families"),
    "seniors": N_("Older people"),
    "academics": N_("People with a university degree"),
    "unaccompanied_minors": N_("Unaccompanied minors"),
}

ENTITLEMENTS = {
    "bamf_admission": N_("Admission by the BAMF (Berechtigungsschein)"),
    "jobcenter_referral": N_("Referral by the Jobcenter or employment agency"),
    "education_voucher": N_("Education voucher (Bildungsgutschein)"),
}

NOTIFICATION_KINDS = {
    "match_found": N_("a proposed offer"),
    "match_invalidated": N_("a proposal that ended"),
}
