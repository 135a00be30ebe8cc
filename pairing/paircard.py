"""The pair card (结对卡): a printable A6 PDF for one pairing, handed to the caring mother and the family.

It carries what the two sides need to keep in touch and nothing more: the child's GIVEN name only
(the card travels — it is left on a fridge, photographed, lost), the caring mother's name and mobile
number, the start date, how often to make contact, the year's commitments (pairing.commitments: what
is promised and how far it is), and the federation that runs the pairing. Never
the ID number, the address, the guardians or the risk reasons.

Fonts: WeasyPrint finds the CJK fonts through fontconfig (the image installs fonts-noto-cjk) and
embeds the subset it uses, so the card prints the same anywhere.
"""

from dataclasses import dataclass
from datetime import date

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Region
from activities.rhythm import load_rhythms
from children.names import given_name
from core.regioncodes import COUNTY, PREFIX_LENGTH
from pairing.commitments import Progress, commitments_for
from pairing.models import Pairing


def contact_rhythm_text(days: int) -> str:
    """How often to make contact, in words, from the interval the child's region sets for its colour
    (activities.rhythm: settings.CONTACT_DAYS, or the region's own ContactRhythm)."""
    if days == 7:
        return str(_("At least once a week"))
    if days == 14:
        return str(_("At least once every two weeks"))
    if days in (30, 31):
        return str(_("At least once a month"))
    return str(_("At least once every %(days)s days") % {"days": days})


def federation_name(region_code: str) -> str:
    """The women's federation running the programme where the child lives: its county's (离石区妇联)."""
    county_code = region_code[:PREFIX_LENGTH[COUNTY]].ljust(12, "0")
    county = Region.objects.filter(pk=county_code).values_list("name", flat=True).first() or ""
    return str(_("%(county)s Women's Federation") % {"county": county})


@dataclass(frozen=True)
class PairCard:
    given_name: str
    volunteer_name: str
    volunteer_phone: str
    role_label: str
    started_on: date
    ended_on: date | None
    rhythm: str
    federation: str
    # This year's commitments (pairing.commitments) and how far they are; None: not running this year.
    commitments: Progress | None = None


def pair_card(pairing: Pairing) -> PairCard:
    child = pairing.child
    return PairCard(
        given_name=given_name(child.name),
        volunteer_name=pairing.volunteer.name,
        volunteer_phone=pairing.volunteer.phone,
        role_label=str(pairing.get_role_display()),
        started_on=pairing.started_on,
        ended_on=pairing.ended_on,
        rhythm=contact_rhythm_text(load_rhythms([child.region_id]).days(child.risk_color, child.region_id)),
        federation=federation_name(child.region_id),
        commitments=commitments_for([pairing], today=timezone.localdate()).get(pairing.pk),
    )


def render_pair_card(pairing: Pairing) -> bytes:
    """The card as PDF bytes (A6 portrait)."""
    from weasyprint import HTML  # imported here: it loads Pango and fonts, which pages without PDFs need not

    html = render_to_string("pairing/pair_card.html", {"card": pair_card(pairing)})
    return HTML(string=html).write_pdf()


def pair_card_filename(pairing: Pairing) -> str:
    return f"pair-card-{pairing.pk}.pdf"
