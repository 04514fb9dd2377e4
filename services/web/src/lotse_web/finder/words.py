"""The finder's words for the codes offers carry, as message ids of the ``finder`` domain.

Plain words for newcomers, not the desks' terms: ``N_`` only marks a string for
the catalogs; pages translate it when shown.
"""

from __future__ import annotations

__all__ = [
    "DELIVERY",
    "ENTITLEMENTS",
    "KINDS",
    "KIND_EXPLAINED",
    "LEVELS",
    "N_",
    "RESIDENCE",
    "RULE_HINTS",
    "TARGET_GROUPS",
    "TIMES",
]


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    return message


KINDS = {
    "integration_course": N_("Integration course"),
    "language_course": N_("German course"),
    "vocational_language_course": N_("German for work"),
    "school_place": N_("School place"),
    "vocational_training": N_("Vocational training"),
    "recognition": N_("Recognition of qualifications"),
    "counselling": N_("Counselling"),
    "qualification": N_("Further training"),
    "leisure": N_("Leisure"),
    "childcare": N_("Childcare"),
}

KIND_EXPLAINED = {
    "integration_course": N_(
        "An integration course teaches German and how life in Germany works. It has a "
        "language part and an orientation course about law, history and everyday life. "
        "The federal office (BAMF) decides who may take part free of charge."
    ),
    "language_course": N_(
        "A German course helps you learn German, from the first words to good German. "
        "Many courses are free or cost little. The course says which level it starts at."
    ),
    "vocational_language_course": N_(
        "A course in German for work teaches the German you need in a job or for "
        "training. Often the Jobcenter or the employment agency sends you there."
    ),
    "school_place": N_(
        "Children and young people in Germany must go to school. The school authority "
        "finds a place. Many schools have classes that teach German first."
    ),
    "vocational_training": N_(
        "Vocational training (Ausbildung) prepares you for a job. You learn at a company "
        "and at a vocational school, and you are paid for it."
    ),
    "recognition": N_(
        "Recognition means that an office compares your foreign certificate or degree with "
        "the German one. Then you can work in your profession. Counselling about it is free."
    ),
    "counselling": N_(
        "Counselling means someone helps you with your questions, for example about papers, "
        "work, school or family. It is free and confidential."
    ),
    "qualification": N_(
        "Further training helps you learn new skills for work, for example computers or a "
        "driving licence for a job."
    ),
    "leisure": N_(
        "Leisure offers are for meeting people: sport, music, cafés and groups. Everyone is "
        "welcome; you often need no German at all."
    ),
    "childcare": N_(
        "Childcare looks after small children, for example while their parents are in a "
        "course. Ask early: places are often few."
    ),
}

LEVELS = {
    "A0": N_("no German yet"),
    "A1": N_("A1 – first words"),
    "A2": N_("A2 – simple sentences"),
    "B1": N_("B1 – everyday German"),
    "B2": N_("B2 – good German"),
    "C1": N_("C1 – very good German"),
    "C2": N_("C2 – German like a native speaker"),
}

TIMES = {
    "morning": N_("Mornings"),
    "afternoon": N_("Afternoons"),
    "evening": N_("Evenings"),
    "weekend": N_("Weekends"),
}

DELIVERY = {
    "in_person": N_("In person"),
    "online": N_("Online"),
    "hybrid": N_("In person and online"),
}

RESIDENCE = {
    "asylum_seeker": N_("people whose asylum procedure is still running"),
    "recognised_protection": N_("people with recognised protection"),
    "temporary_protection": N_("people with temporary protection, for example from Ukraine"),
    "tolerated": N_("people with a Duldung"),
    "eu_citizen": N_("citizens of the European Union"),
    "residence_permit": N_("people with another residence permit"),
    "settled": N_("people with a settlement permit"),
    "other": N_("people with another status"),
}

ENTITLEMENTS = {
    "bamf_admission": N_("You need an admission from the BAMF (Berechtigungsschein)."),
    "jobcenter_referral": N_("The Jobcenter or the employment agency must send you."),
    "education_voucher": N_("You need an education voucher (Bildungsgutschein)."),
}

TARGET_GROUPS = {
    "women": N_("women"),
    "youth": N_("young people"),
    "parents": N_("parents"),
    "families": N_("families"),
    "seniors": N_("older people"),
    "academics": N_("people with a university degree"),
    "unaccompanied_minors": N_("young people who came without their parents"),
}

# What a rule in force means, said to the person reading (see matching's eligibility rules).
RULE_HINTS = {
    "eligible": N_("These people can take part: %(who)s."),
    "check_required": N_("These people can apply; the provider checks it: %(who)s."),
    "self_payer_only": N_(
        "At the moment these people can only take part if they pay the fee themselves: %(who)s."
    ),
}
