"""Body surface area. The label names no formula: Mosteller is the default, and the formula
used is always printed. Height in cm, weight in kg (actual body weight), result in m²."""

from __future__ import annotations

import math
from collections.abc import Callable

from besponsa_desktop.core.models import BsaFormula


def mosteller(height_cm: float, weight_kg: float) -> float:
    return math.sqrt(height_cm * weight_kg / 3600.0)


def dubois(height_cm: float, weight_kg: float) -> float:
    return float(0.007184 * weight_kg**0.425 * height_cm**0.725)


def haycock(height_cm: float, weight_kg: float) -> float:
    return float(0.024265 * weight_kg**0.5378 * height_cm**0.3964)


def gehan_george(height_cm: float, weight_kg: float) -> float:
    return float(0.0235 * weight_kg**0.51456 * height_cm**0.42246)


FORMULAS: dict[BsaFormula, Callable[[float, float], float]] = {
    BsaFormula.MOSTELLER: mosteller,
    BsaFormula.DUBOIS: dubois,
    BsaFormula.HAYCOCK: haycock,
    BsaFormula.GEHAN_GEORGE: gehan_george,
}

FORMULA_TEXT: dict[BsaFormula, str] = {
    BsaFormula.MOSTELLER: "Mosteller: √(height cm × weight kg / 3600)",
    BsaFormula.DUBOIS: "DuBois: 0.007184 × weight kg^0.425 × height cm^0.725",
    BsaFormula.HAYCOCK: "Haycock: 0.024265 × weight kg^0.5378 × height cm^0.3964",
    BsaFormula.GEHAN_GEORGE: "Gehan–George: 0.0235 × weight kg^0.51456 × height cm^0.42246",
}

FORMULA_NAME: dict[BsaFormula, str] = {
    BsaFormula.MOSTELLER: "Mosteller",
    BsaFormula.DUBOIS: "DuBois",
    BsaFormula.HAYCOCK: "Haycock",
    BsaFormula.GEHAN_GEORGE: "Gehan–George",
}


def body_surface_area(formula: BsaFormula, height_cm: float, weight_kg: float) -> float:
    return FORMULAS[formula](height_cm, weight_kg)
