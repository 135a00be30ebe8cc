"""Suggested caring mothers for a child (matching), ranked in SQL.

A candidate is an active caring mother in the caller's scope with free capacity (capacity − the
children she leads now > 0) who is not already paired with the child. Candidates come from the
child's county; when that gives fewer than ``limit`` the search widens to the child's city. They are
ranked, in this order:

1. nearness in the region tree — same village 3, same township 2, same county 1, same city 0
   (home visits are on foot or by bus: nearness matters most);
2. how many of her skills answer the child's needs — the reasons on the child's latest risk
   assessment (``RISK_SKILLS``) and the kinds of the child's open needs (``NEED_SKILLS``);
3. free capacity (the one with more room first), then name.

Each suggestion keeps its score parts so the page can say why ("同村 · 空余 2 · 擅长心理疏导").
Queries: the child's latest reasons (1), its open needs (1), the county (1) and, when widened, the
city (1) — at most 4, whatever the number of volunteers.
"""

from dataclasses import dataclass
from functools import reduce
from operator import add

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from accounts.models import User
from children.models import Child, Need, NeedKind, NeedStatus, RiskAssessment, RiskFactor
from core.regioncodes import CITY, COUNTY, PREFIX_LENGTH, TOWNSHIP, VILLAGE, level_of, subtree_q
from pairing.models import Pairing
from volunteers.models import Skill, Volunteer

# Which skills answer which risk factor of the three-colour card. Family economy has no skill
# (it is answered with material aid, not with a person's expertise).
RISK_SKILLS: dict[str, tuple[str, ...]] = {
    RiskFactor.MENTAL_HEALTH: (Skill.PSYCHOLOGICAL,),
    RiskFactor.SCHOOLING: (Skill.TUTORING,),
    RiskFactor.HEALTH: (Skill.HEALTH,),
    RiskFactor.GUARDIANSHIP: (Skill.FAMILY_EDUCATION, Skill.LEGAL),
    RiskFactor.SAFETY: (Skill.SAFETY,),
}
# Which skills answer which kind of open need. Material and other needs are anyone's to meet.
NEED_SKILLS: dict[str, tuple[str, ...]] = {
    NeedKind.STUDY: (Skill.TUTORING,),
    NeedKind.HEALTH: (Skill.HEALTH,),
    NeedKind.PSYCHOLOGICAL: (Skill.PSYCHOLOGICAL,),
    NeedKind.LEGAL: (Skill.LEGAL,),
}
OPEN_NEED_STATUSES = (NeedStatus.OPEN, NeedStatus.CLAIMED)

SAME_VILLAGE, SAME_TOWNSHIP, SAME_COUNTY, SAME_CITY = 3, 2, 1, 0


def nearness_label(nearness: int) -> str:
    return {SAME_VILLAGE: _("Same village"), SAME_TOWNSHIP: _("Same township"), SAME_COUNTY: _("Same county")}.get(
        nearness, _("Same city"))


@dataclass(frozen=True)
class Suggestion:
    volunteer: Volunteer
    nearness: int  # SAME_VILLAGE … SAME_CITY
    matched_skills: tuple[str, ...]  # her skills that answer the child's reasons and needs
    free: int  # capacity − active leads

    @property
    def nearness_label(self) -> str:
        return nearness_label(self.nearness)

    @property
    def skill_labels(self) -> list[str]:
        return [str(Skill(s).label) for s in self.matched_skills]

    @property
    def explanation(self) -> str:
        """Why she ranks where she does, e.g. "同村 · 空余 2 · 擅长 心理辅导、学业辅导"."""
        parts = [self.nearness_label]
        parts.append(_("%(n)s free") % {"n": self.free} if self.free > 0 else _("Full as lead"))
        if self.matched_skills:
            parts.append(_("Good at %(skills)s") % {"skills": "、".join(self.skill_labels)})
        return " · ".join(parts)


def wanted_skills(child: Child) -> list[str]:
    """The skills that answer the child's latest risk reasons and open needs, in Skill order. Two queries."""
    reasons = (RiskAssessment.objects.filter(child=child).order_by("-assessed_on", "-recorded_at", "-id")
               .values_list("reasons", flat=True).first()) or []
    kinds = set(Need.objects.filter(child=child, status__in=OPEN_NEED_STATUSES).values_list("kind", flat=True))
    wanted = {s for r in reasons for s in RISK_SKILLS.get(r, ())} | {s for k in kinds for s in NEED_SKILLS.get(k, ())}
    return [s for s in Skill.values if s in wanted]


def _region_code(prefix: str) -> str:
    return prefix.ljust(12, "0")


def nearness_expression(child_region: str) -> Case:
    """SQL: 3 when the volunteer lives in the child's village, 2 in its township, 1 in its county, else 0."""
    level = level_of(child_region)
    whens = []
    if level == VILLAGE:
        whens.append(When(region=child_region, then=Value(SAME_VILLAGE)))
    if level in (TOWNSHIP, VILLAGE):
        whens.append(When(subtree_q("region", _region_code(child_region[:PREFIX_LENGTH[TOWNSHIP]])),
                          then=Value(SAME_TOWNSHIP)))
    whens.append(When(subtree_q("region", _region_code(child_region[:PREFIX_LENGTH[COUNTY]])), then=Value(SAME_COUNTY)))
    return Case(*whens, default=Value(SAME_CITY), output_field=IntegerField())


def skill_score_expression(skills: list[str]):
    """SQL: how many of ``skills`` the volunteer has."""
    if not skills:
        return Value(0, output_field=IntegerField())
    return reduce(add, [Case(When(**{f"skill_{s}": True}, then=Value(1)), default=Value(0),
                             output_field=IntegerField()) for s in skills])


def ranked(queryset: QuerySet, *, child: Child, skills: list[str]) -> QuerySet:
    """``queryset`` of volunteers annotated with nearness, skill_score, active_leads and free, best first."""
    return (queryset.with_load().select_related("region")
            .annotate(nearness=nearness_expression(child.region_id), skill_score=skill_score_expression(skills),
                      free=F("capacity") - F("active_leads"))
            .order_by("-nearness", "-skill_score", "-free", "name", "pk"))


def _suggestion(volunteer: Volunteer, skills: list[str]) -> Suggestion:
    return Suggestion(volunteer=volunteer, nearness=volunteer.nearness,
                      matched_skills=tuple(s for s in skills if getattr(volunteer, f"skill_{s}")),
                      free=volunteer.free)


def _candidates(actor: User, child: Child) -> QuerySet:
    paired = Pairing.objects.filter(child=child, ended_on__isnull=True).values("volunteer_id")
    return Volunteer.objects.visible_to(actor).active().exclude(pk__in=paired)


def suggest_volunteers(*, actor: User, child: Child, limit: int = 10,
                       skills: list[str] | None = None) -> list[Suggestion]:
    """The ``limit`` best caring mothers with room to lead ``child``, best first (see the module doc).
    ``skills``: the child's wanted skills when the caller has them already (``wanted_skills``)."""
    skills = wanted_skills(child) if skills is None else skills
    candidates = ranked(_candidates(actor, child), child=child, skills=skills).filter(free__gt=0)
    code = child.region_id
    rows = list(candidates.filter(subtree_q("region", _region_code(code[:PREFIX_LENGTH[COUNTY]])))[:limit])
    if len(rows) < limit:
        rows = list(candidates.filter(subtree_q("region", _region_code(code[:PREFIX_LENGTH[CITY]])))[:limit])
    return [_suggestion(v, skills) for v in rows]


def search_text(value: str | None) -> str:
    """The search as typed, trimmed, without NUL characters (a crafted ``?q=%00``: PostgreSQL refuses
    them in a string, and nobody types one)."""
    return (value or "").replace("\x00", "").strip()


def search_volunteers(*, actor: User, child: Child, query: str, limit: int = 20,
                      skills: list[str] | None = None) -> list[Suggestion]:
    """Any active caring mother in scope by name or mobile number, for pairing beyond the suggestions.
    Full ones are included (she may still help as a helper; the service refuses a lead over capacity)."""
    query = search_text(query)
    if not query:
        return []
    match = Q(phone__startswith=query) if query.isdigit() else Q(name__contains=query)
    skills = wanted_skills(child) if skills is None else skills
    rows = ranked(_candidates(actor, child).filter(match), child=child, skills=skills)[:limit]
    return [_suggestion(v, skills) for v in rows]
