"""The indicator registry is complete and consistent; a broken entry is refused at load."""

import pytest

from app.indicators import RegistryError, parse_registry, registry
from app.settings import LANGUAGES

ISSUE_INDICATORS = {
    "jobseekers", "unemployed_jobseekers", "labour_force", "unemployment_share", "unemployed_under25",
    "unemployed_foreign", "long_term_unemployed", "vacancies", "pilot_clients", "pilot_clients_under30",
    "pilot_clients_immigrant", "client_share", "clients_with_plan_share", "activation_rate",
    "exits_to_open_market",
}
PXWEB = {"HAKIJALOPUSSA": "jobseekers", "TYOTTOMATLOPUSSA": "unemployed_jobseekers", "TYOVOIMATK": "labour_force",
         "TYOTOSUUS": "unemployment_share", "TYOTTOMAT25": "unemployed_under25", "TYOTTOMAT50": "unemployed_over50",
         "TYOTTOMATULK": "unemployed_foreign", "PITKAAIKAISTYOTTOMAT": "long_term_unemployed",
         "AVPAIKATLOPUSSA": "vacancies", "UUDETAVP": "new_vacancies"}


def test_registry_holds_every_indicator_the_demo_and_pages_need():
    reg = registry()
    assert ISSUE_INDICATORS <= set(reg.codes())
    for ind in reg:
        for lang in LANGUAGES:
            assert ind.name(lang) and ind.description(lang)
        if ind.is_ratio:
            assert reg[ind.numerator].kind == reg[ind.denominator].kind == "count"
            assert ind.unit == "percent" and ind.scale == 100


def test_pxweb_codes_map_to_the_agreed_indicators():
    mapping = {code: ind.code for code, ind in registry().by_pxweb_code().items()}
    assert {k: mapping[k] for k in PXWEB} == PXWEB
    assert len([c for c in mapping if not c.startswith("ssaaty")]) == 23  # every content column of table 12r5
    assert mapping["ssaaty-vaesto"] == "population"  # the end-of-year population of table 121w


def _doc(**changes):
    entry = {"code": "x", "kind": "count", "unit": "persons", "source": "s",
             **{f"name_{lang}": "n" for lang in LANGUAGES}, **{f"description_{lang}": "d" for lang in LANGUAGES}}
    entry.update(changes)
    return {"sources": {"s": {**{f"name_{lang}": "s" for lang in LANGUAGES}, "url": "u", "licence": "l"}},
            "indicator": [entry]}


@pytest.mark.parametrize("changes, message", [
    ({"kind": "mean"}, "kind must be count or ratio"),
    ({"unit": "furlongs"}, "unknown unit"),
    ({"source": "nowhere"}, "unknown source"),
    ({"kind": "ratio", "unit": "percent"}, "needs a numerator"),
    ({"kind": "ratio", "unit": "percent", "numerator": "nope", "denominator": "nope"}, "refers to unknown indicator"),
    ({"name_sv": ""}, "missing 'name_sv'"),
])
def test_broken_entries_are_refused(changes, message):
    with pytest.raises(RegistryError, match=message):
        parse_registry(_doc(**changes))
