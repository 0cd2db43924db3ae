"""Widgets whose state is the URL: every view's state lives in st.query_params, so any view is a permalink.

A URL value that the registry or the area table does not know is never queried: the user gets a short
message in their language and the default; so does an indicator that public mode hides. An embedded
view (?embed=true) reads the same state from the URL and draws no widgets.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import streamlit as st

from app.i18n import fmt_month, t
from app.indicators import Indicator, registry
from app.months import month_code, parse_month_code
from app.ui.access import internal_view
from app.ui.chrome import embedded, url_warning
from app.views.rates import NONE, PER_LABELS, per_choices


def _initial(name: str, key: str, parse: Callable[[str], object | None], default, describe: Callable) -> None:
    if key in st.session_state:
        return
    raw = st.query_params.get(name)
    value = parse(raw) if raw is not None else None
    if raw is not None and value is None:
        url_warning(name, raw, describe(default))
    st.session_state[key] = default if value is None else value


def choice(name: str, options: Sequence, default, label: str, format_func: Callable = str, *,
           widget: str = "selectbox", container=None, help: str | None = None):
    """A single choice mirrored in ?name=; unknown URL values fall back to default with a message."""
    container = container or st
    key = f"url_{name}"
    by_text = {str(o): o for o in options}
    _initial(name, key, lambda raw: by_text.get(raw), default, format_func)
    # Pinned, as multi_choice does: the browser names the choice by its label, which a language switch changes.
    current = st.session_state[key]
    st.session_state[key] = current if current in options else default
    if embedded():
        value = st.session_state[key]
    elif widget == "radio":
        value = container.radio(label, options, key=key, format_func=format_func, horizontal=True, help=help)
    elif widget == "segmented":
        value = container.segmented_control(label, options, key=key, format_func=format_func, help=help)
        if value is None:
            value = default
    else:
        value = container.selectbox(label, options, key=key, format_func=format_func, help=help)
    st.query_params[name] = str(value)
    return value


def month_choice(name: str, months: Sequence[date], default: date, label: str, lang: str, container=None) -> date:
    """A month from the ones with data, mirrored in ?name=2021-03."""
    container = container or st
    key = f"url_{name}"
    available = set(months)
    _initial(name, key, lambda raw: (m if (m := parse_month_code(raw)) in available else None), default,
             lambda m: fmt_month(m, lang))
    current = st.session_state[key]  # pinned before a language switch changes the labels (see choice)
    st.session_state[key] = current if current in available else default
    if embedded():
        st.query_params[name] = month_code(st.session_state[key])
        return st.session_state[key]
    if len(months) == 1:  # a slider over one month is a dot: say which month it is instead
        value = months[0]
        container.markdown(f"**{label}:** {fmt_month(value, lang)}")
        st.query_params[name] = month_code(value)
        return value
    value = container.select_slider(label, options=list(months), key=key, format_func=lambda m: fmt_month(m, lang))
    st.query_params[name] = month_code(value)
    return value


def multi_choice(name: str, options: Sequence[str], default: Sequence[str], label: str, format_func: Callable,
                 container=None, max_selections: int | None = 8) -> list[str]:
    """Comma-separated codes in ?name=; unknown codes are dropped with a message, never queried."""
    container = container or st
    key = f"url_{name}"
    known_options = set(options)
    if key not in st.session_state:
        raw = st.query_params.get(name)
        chosen = list(default)
        if raw is not None:
            requested = [c.strip() for c in raw.split(",") if c.strip()]
            known = [c for c in dict.fromkeys(requested) if c in known_options]
            unknown = [c for c in requested if c not in known_options]
            if unknown or not known:
                url_warning(name, ",".join(unknown) or raw, ", ".join(format_func(c) for c in default))
            if known:
                chosen = known[:max_selections] if max_selections else known
        st.session_state[key] = chosen
    else:
        # Streamlit matches a multiselect's browser state by label, and a language switch changes every
        # label: pin the codes (read here with the previous run's labels) before the widget reads them.
        st.session_state[key] = [c for c in st.session_state[key] if c in known_options]
    if embedded():
        st.query_params[name] = ",".join(st.session_state[key])
        return list(st.session_state[key])
    value = container.multiselect(label, options, key=key, max_selections=max_selections,
                                  format_func=lambda c: format_func(c) if c in known_options else str(c))
    st.query_params[name] = ",".join(value)
    return value


def indicator_choice(lang: str, default: str, codes: Sequence[str] | None = None, container=None,
                     name: str = "indicator") -> Indicator:
    """An indicator of the registry, mirrored in ?indicator=; a public view offers public indicators only,
    so a non-public code in the URL gets the short message (public.not_public) and the default."""
    reg = registry()
    public = not internal_view()
    codes = [c for c in (codes or reg.codes(public_only=public)) if not public or reg[c].public]
    raw = st.query_params.get(name)
    if f"url_{name}" not in st.session_state and raw in reg and raw not in codes and not reg[raw].public:
        url_warning(name, raw, reg[default].name(lang), key="public.not_public")  # said once, then the default
        st.session_state[f"url_{name}"] = default
    code = choice(name, codes, default, t("common.indicator", lang), lambda c: reg[c].name(lang),
                  container=container)
    return reg[code]


def per_choice(indicator: Indicator, default: str, lang: str, container=None) -> str:
    """?per= for a count: as it is, per 1,000 inhabitants or as a share of the labour force; a ratio has none."""
    options = per_choices(indicator)
    if len(options) == 1:
        return NONE
    return choice("per", options, default if default in options else options[0], t("per.label", lang),
                  lambda p: t(PER_LABELS[p], lang), widget="radio", container=container)


def focus_choice(name: str, options: Sequence[str], default: str, label: str, format_func: Callable,
                 container=None) -> str:
    """One area from ?name=, which may hold several codes (the focus first, as the compare page writes it)."""
    container = container or st
    key = f"url_{name}_focus"
    known = set(options)
    _initial(name, key, lambda raw: (c if (c := raw.split(",")[0].strip()) in known else None), default, format_func)
    current = st.session_state[key]  # pinned before a language switch changes the labels (see choice)
    st.session_state[key] = current if current in known else default
    value = st.session_state[key] if embedded() else container.selectbox(label, options, key=key,
                                                                         format_func=format_func)
    st.query_params[name] = value
    return value


def _weights(raw: str, codes: Sequence[str]) -> dict[str, float] | None:
    """`code:2,code:0.5` -> weights for known codes (others 1); None when anything is not understood."""
    weights = dict.fromkeys(codes, 1.0)
    for part in raw.split(","):
        code, _, number = part.partition(":")
        try:
            value = float(number)
        except ValueError:
            return None
        if code.strip() not in weights or not 0 <= value <= 10 or value != value:
            return None
        weights[code.strip()] = value
    return weights if sum(weights.values()) > 0 else None


def weights_choice(name: str, codes: Sequence[str], label_of: Callable[[str], str], lang: str,
                   container=None) -> dict[str, float]:
    """A weight (0-10, equal by default) per chosen indicator, mirrored in ?name=code:w,... when not all equal."""
    container = container or st
    raw = st.query_params.get(name)
    parsed = _weights(raw, codes) if raw else None
    if raw and parsed is None and f"_warned_{name}" not in st.session_state:
        st.session_state[f"_warned_{name}"] = True
        url_warning(name, raw, t("similar.equal_weights", lang))
    columns = container.columns(max(len(codes), 1))
    weights = {}
    for column, code in zip(columns, codes):
        key = f"url_{name}_{code}"
        if key not in st.session_state:
            st.session_state[key] = (parsed or {}).get(code, 1.0)
        weights[code] = column.number_input(label_of(code), min_value=0.0, max_value=10.0, step=0.5, key=key)
    if sum(weights.values()) <= 0:
        weights = dict.fromkeys(codes, 1.0)
    if len(set(weights.values())) > 1:
        st.query_params[name] = ",".join(f"{code}:{value:g}" for code, value in weights.items())
    elif name in st.query_params:
        del st.query_params[name]
    return weights
