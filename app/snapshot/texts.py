"""The snapshot's own words in fi/sv/en; the rest comes from the app's catalogues (app.i18n.t).

Kept here because the catalogues belong to the pages; they can move into data/i18n/*.toml as
`snapshot.*` keys when the lead merges.
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "fi": {
        "source": "Lähde", "licence": "Lisenssi", "month": "Tilastokuukausi", "period": "Ajanjakso",
        "published": "Julkaistu", "generated": "Tiedosto luotu", "version": "Versio", "value": "Arvo",
        "synthetic": "Synteettinen demoaineisto: luvut eivät ole oikeita.",
        "table_caption": "Kuvion tiedot: {title}", "downloads": "Lataa", "full_view": "Avaa koko näkymä",
        "chart_text": "Kuvio", "index_title": "Pilot Tracker: tilannekuvat", "languages": "Kielet",
        "index_intro": "Itsenäiset tilannekuvat työllisyyden kuntakokeilujen seurannasta: kuvio, taulukko ja "
                       "tiedot samassa tiedostossa, ilman verkkoyhteyttä.",
        "no_snapshots": "Tilannekuvia ei ole.", "about": "Tietoja",
    },
    "sv": {
        "source": "Källa", "licence": "Licens", "month": "Statistikmånad", "period": "Period",
        "published": "Publicerad", "generated": "Filen skapad", "version": "Version", "value": "Värde",
        "synthetic": "Syntetiska demodata: siffrorna är inte verkliga.",
        "table_caption": "Diagrammets data: {title}", "downloads": "Ladda ner", "full_view": "Öppna hela vyn",
        "chart_text": "Diagram", "index_title": "Pilot Tracker: ögonblicksbilder", "languages": "Språk",
        "index_intro": "Fristående ögonblicksbilder från uppföljningen av kommunförsöken med sysselsättning: "
                       "diagram, tabell och uppgifter i samma fil, utan nätförbindelse.",
        "no_snapshots": "Det finns inga ögonblicksbilder.", "about": "Om uppgifterna",
    },
    "en": {
        "source": "Source", "licence": "Licence", "month": "Data month", "period": "Period",
        "published": "Published", "generated": "File generated", "version": "Version", "value": "Value",
        "synthetic": "Synthetic demo data: the figures are not real.",
        "table_caption": "Data of the chart: {title}", "downloads": "Download", "full_view": "Open the full view",
        "chart_text": "Chart", "index_title": "Pilot Tracker: snapshots", "languages": "Languages",
        "index_intro": "Self-contained snapshots from the follow-up of the municipal employment pilots: chart, "
                       "table and details in one file that needs no network.",
        "no_snapshots": "There are no snapshots.", "about": "About the data",
    },
}


def text(key: str, lang: str, **params) -> str:
    words = TEXTS[lang if lang in TEXTS else "fi"][key]
    return words.format(**params) if params else words
