"""The references the form rules cite, worded as in docs/evidence.md.

One place for them so that findings, docs/rules.md and tests agree.
"""

from __future__ import annotations

__all__ = [
    "HEIDERSCHEIT_2011",
    "LIEBERMAN_2015",
    "LUEDKE_2016",
    "GARMIN_ZONES",
    "HAYES_CAPLAN_2012",
    "HASEGAWA_2007",
    "RUNSCRIBE_FOOTSTRIKE",
    "RUNLENS_DEFAULT",
    "BRAMBLE_CARRIER_1983",
    "NICOLO_2017",
    "MALISOUX_2024",
]

HEIDERSCHEIT_2011 = (
    "Heiderscheit et al. 2011, Med Sci Sports Exerc 43:296 "
    "(+5% step rate lowered knee energy absorption)"
    " (docs/evidence.md section 2)"
)
LIEBERMAN_2015 = (
    "Lieberman et al. 2015, J Exp Biol 218:3406 "
    "(braking force rises with foot landing distance ahead of the hip)"
    " (docs/evidence.md section 2)"
)
LUEDKE_2016 = (
    "Luedke et al. 2016, Med Sci Sports Exerc 48:1244 "
    "(step rate <= 166 spm associated with shin injury in high-school runners)"
    " (docs/evidence.md section 2)"
)
GARMIN_ZONES = (
    "Garmin running dynamics colour zones (population percentiles, not targets)"
    " (docs/evidence.md section 5)"
)
HAYES_CAPLAN_2012 = (
    "Hayes & Caplan 2012, J Sports Sci 30:1275 (rearfoot strikers have longer ground contact)"
    " (docs/evidence.md section 3)"
)
HASEGAWA_2007 = (
    "Hasegawa et al. 2007 and marathon field counts (70-95% of road runners heel-strike)"
    " (docs/evidence.md section 3)"
)
RUNSCRIBE_FOOTSTRIKE = (
    'RunScribe "FootStrike Type" 1-5 rearfoot, 6-10 midfoot, 11-16 forefoot '
    "(vs motion capture r = -0.86, 78% accuracy: DeJong & Hertel 2020, J Athl Train 55:1307)"
    " (docs/evidence.md section 1)"
)
RUNLENS_DEFAULT = (
    "runlens default: no published threshold (a convention, weak evidence; "
    "docs/evidence.md, Sources)"
)
BRAMBLE_CARRIER_1983 = (
    "Bramble & Carrier 1983, Science 219:251 (runners lock breaths to strides, "
    "2 strides = 4 steps per breath most often) (docs/evidence.md section 8)"
)
NICOLO_2017 = (
    "Nicolo, Massaroni & Passfield 2017, Front Physiol 8:922 "
    "(breathing frequency tracks effort and exertion) (docs/evidence.md section 8)"
)
MALISOUX_2024 = (
    "Malisoux et al. 2024, BMJ Open Sport Exerc Med 10:e001787 (no added injury risk from "
    "left/right asymmetry in a prospective cohort of runners) (docs/evidence.md section 5)"
)
