"""Default intervention menus for a police force and an NHS provider: (code, name, description).

A council's default is Hampshire County Council's Appendix Two (``pmf.core.framework``). These
follow its ladder of support (a plan, visits to better performers, reviews, oversight,
outside help, resources) in each sector's own structures, so that a police force is never
offered "Council visits" or "Cabinet support". Plain data: ``pmf.core.framework`` makes them
``InterventionAction`` items.
"""

from __future__ import annotations

Menu = tuple[tuple[str, str, str], ...]

# A police force's menu: the same ladder of support, in a force's own structures.
POLICE: Menu = (
    ("action_plan", "Command action plan", "The command lead produces an action plan."),
    (
        "peer_visits",
        "Visit a better performing command",
        "The command's leaders visit a better performing command or force and report back.",
    ),
    (
        "problem_solving",
        "Problem-solving plan",
        "A problem-oriented (SARA) plan for the crime type and places concerned.",
    ),
    (
        "tasking",
        "Tasking and co-ordination",
        "Resources directed through the tactical tasking and co-ordination group.",
    ),
    (
        "performance_support",
        "Performance team support",
        "The force performance team analyses the issue and follows up monthly.",
    ),
    (
        "chief_officer_review",
        "Chief officer review",
        "A review led by the chief officer responsible for the command.",
    ),
    (
        "governance_board",
        "Force performance board",
        "Oversight by the force's performance board until the measure recovers.",
    ),
    (
        "commissioner_scrutiny",
        "Police and crime commissioner scrutiny",
        "Referral to the police and crime commissioner's (or mayor's office's) panel.",
    ),
    (
        "peer_review",
        "Peer review",
        "A review by another force or the College of Policing is commissioned.",
    ),
    ("resources", "Resources", "Officers or staff are moved to the command for a period."),
)
# An NHS provider's menu.
HEALTH: Menu = (
    ("action_plan", "Improvement plan", "The service produces an improvement plan."),
    (
        "peer_visits",
        "Visit a better performing trust",
        "Clinical and operational leads visit a better performing provider and report back.",
    ),
    (
        "quality_improvement",
        "Quality improvement project",
        "A quality improvement project with the trust's improvement team.",
    ),
    ("clinical_audit", "Clinical audit", "A clinical audit of the pathway concerned."),
    (
        "executive_review",
        "Executive review",
        "A review led by the executive director responsible for the service.",
    ),
    (
        "board_committee",
        "Board committee oversight",
        "Oversight by a committee of the trust board until the measure recovers.",
    ),
    (
        "regional_support",
        "Regional NHS England support",
        "Support from NHS England's regional team or intensive support team.",
    ),
    (
        "external_review",
        "External review",
        "An external clinical or operational review is commissioned.",
    ),
    ("resources", "Resources", "Staff, beds or funding are diverted to the service."),
)
