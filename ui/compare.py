"""Compare mode: a second setting B beside a lab's own setting A, for contrast.

`compare=true` turns it on. B's controls are A's under the prefix `b_` in the URL, each
absent one meaning "as A": B starts as a copy of A, follows A in whatever the user has
not changed in B, and the address carries only B's own values (what the user changed in B,
kept even when A comes to the same value; set back to A's value in B, a control follows A
again). A's widgets stay bound to
the URL exactly as without compare mode. B's widgets (ui.controls.FollowingControls) are
not bound: B's own values (where it differs from A) are read from the URL when the page
is opened, kept in the session from run to run, and every run in compare mode sends the
whole address (ui.urlparams.send_url), so the last run's address is the one the browser
keeps, however fast the input comes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import streamlit as st

from ui import first_view, widgets
from ui.controls import BoundControls, FollowingControls, current_value
from ui.init_controls import negative_std_refused
from ui.presets import PRESET_KEY, PresetSet
from ui.urlparams import (
    Param,
    Rejection,
    drop_from_url,
    sanitize_query_params,
    start_page,
    url_value,
    warn_rejections,
)

PREFIX = "b_"
COMPARE = Param(
    "compare",
    bool,
    False,
    "show a second setting B beside this one; B's values are the `b_` parameters, an absent one is A's",
)
STRAY = "is a value of setting B, which shows only with `compare=true`"


@dataclass(frozen=True)
class Comparison:
    """A lecture comparison: A's values (others take defaults) and where B differs from A."""

    label: str
    a: dict[str, Any] = field(default_factory=dict)
    b: dict[str, Any] = field(default_factory=dict)


def b_params(params: Iterable[Param], keys: Iterable[str]) -> tuple[Param, ...]:
    """B's URL parameters: A's controls `keys` under the prefix, validated like A's."""
    keys = set(keys)
    return tuple(
        replace(param, key=PREFIX + param.key, doc=f"setting B's `{param.key}` (absent: A's)")
        for param in params
        if param.key in keys
    )


def is_comparing() -> bool:
    """Whether this run shows compare mode (the switch's value, else the address's)."""
    return bool(current_value({COMPARE.key: COMPARE}, COMPARE.key))


B_OWN = "_compare_b_own"  # session key: B's values of its own, by A's key
B_ANCHORS = "_compare_b_anchors"  # session key: what B's widgets are keyed by (FollowingControls)
B_EPOCH = "_compare_b_epoch"  # session key: how often B's values were set from outside its widgets


def asked_values(params: Mapping[str, Param], keys: Iterable[str]) -> dict[str, Any]:
    """B's own values in the URL (validated by sanitize_query_params), by A's key."""
    raws = {key: st.query_params.get(PREFIX + key) for key in keys}
    return {key: params[key].parse(raw) for key, raw in raws.items() if raw is not None}


def own_values(params: Mapping[str, Param], keys: Iterable[str], opened: bool) -> tuple[dict[str, Any], dict]:
    """B's own values and their widgets' anchors (ui.controls.FollowingControls): the URL's values
    when the page was just opened (a link, Back), else the session's."""
    if opened or B_OWN not in st.session_state:
        st.session_state[B_OWN] = asked_values(params, keys)
        st.session_state[B_ANCHORS] = {}
    return st.session_state[B_OWN], st.session_state[B_ANCHORS]


def forget_own() -> None:
    """Forget B's own values (compare mode is off, or B is to be a copy of A again)."""
    st.session_state[B_OWN] = {}
    st.session_state[B_ANCHORS] = {}


def keep_own(values: dict[str, Any], anchors: dict[str, tuple[str, str]]) -> None:
    """Remember B's own values of this run, and the keys of their widgets, for the next run."""
    st.session_state[B_OWN] = values
    st.session_state[B_ANCHORS] = anchors


def stray_values(keys: Iterable[str], opened: bool) -> list[Rejection]:
    """B's values in a link opened without compare mode (a hand-edited link): removed, with a
    notice. (When the user switches compare off, the page sends the address without them.)"""
    if not opened or is_comparing():
        return []
    stray = [key for key in (PREFIX + key for key in keys) if key in st.query_params]
    rejections = [Rejection(key, st.query_params.get(key, ""), STRAY, removed=True) for key in stray]
    for key in stray:
        drop_from_url(key)
    return rejections


def differing(base: dict[str, Any], values: dict[str, Any], applies: Callable[[str, dict[str, Any]], bool]) -> dict:
    """B's values that differ from A's (`base`, A's effective values) where they apply to B."""
    return {
        key: value for key, value in values.items() if applies(key, values) and url_value(value) != url_value(base[key])
    }


def own_after(
    before: dict[str, Any], base: dict[str, Any], values: dict[str, Any], applies: Callable[[str, dict[str, Any]], bool]
) -> dict[str, Any]:
    """B's own values after this run: those it had (`before`) that B's widgets still show, even
    where A has come to the same value (A passing through B's value must not take it), and the
    values the user gave B's widgets this run, unless set back to A's (B then follows A again)."""
    own = {}
    for key, value in values.items():
        if not applies(key, values):
            continue
        kept = key in before and url_value(value) == url_value(before[key])
        if kept or url_value(value) != url_value(base[key]):
            own[key] = value
    return own


def start_b_as_a() -> None:
    """Forget B's own values (a callback): B is A again, in its widgets and then in the URL."""
    forget_own()
    forget_b_widgets()


def forget_b_widgets() -> None:
    """Give B's widgets new identities (a callback that set B's values): they start again from
    B's own values, in the browser too."""
    st.session_state[B_EPOCH] = st.session_state.get(B_EPOCH, 0) + 1


def apply_comparison(comparison: Comparison, a_values: dict[str, Any]) -> None:
    """Show a lecture comparison (a callback): A's controls take `a_values` (writing only those
    that change, as a preset does), compare mode turns on, and B differs from A as the
    comparison says."""
    for key, value in a_values.items():
        if key not in st.session_state or st.session_state[key] != value:
            st.session_state[key] = value
    st.session_state[COMPARE.key] = True
    keep_own(dict(comparison.b), {})
    forget_b_widgets()


@dataclass(frozen=True)
class CompareLab:
    """What compare mode needs of a lab: its controls' schema and drawers, and its comparisons."""

    params: Mapping[str, Param]
    keys: tuple[str, ...]  # the controls of a setting (B has each under the prefix)
    applies: Callable[[str, dict[str, Any]], bool]  # whether a control takes part under these values
    effective: Callable[[dict[str, Any]], dict[str, Any]]  # values, with defaults where they do not apply
    own_controls: Callable[[], dict[str, Any]]  # A's controls (and its preset box)
    setting_controls: Callable[[BoundControls], dict[str, Any]]  # one setting's controls
    comparisons: Mapping[str, Comparison] = field(default_factory=dict)

    def comparison_values(self, name: str) -> dict[str, Any]:
        """Every control of A under comparison `name` (defaults where it is silent)."""
        return {**{key: self.params[key].default for key in self.keys}, **self.comparisons[name].a}


def start_values(lab: CompareLab, presets: PresetSet, view_keys: tuple[str, ...] = ()) -> dict[str, Any] | None:
    """A's values (with the preset they match, and the view's) as the controls will start from
    them, without drawing the controls: for a tab's first view (ui.first_view). None in compare
    mode, which opens whole."""
    if current_value({COMPARE.key: COMPARE}, COMPARE.key):
        return None
    own = BoundControls(lab.params)
    values = own.values(lab.keys)
    values[PRESET_KEY] = presets.matching(values)
    values.update({key: own.current(key) for key in view_keys})
    return values


def compare_controls(lab: CompareLab, opened: bool) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """In the sidebar: the compare switch, the lab's comparisons, A's controls (and B's in a
    second tab). Returns A's values and B's (None without compare mode)."""
    comparing = widgets.toggle(COMPARE, "compare with a second setting B")
    if lab.comparisons:
        _comparison_buttons(lab)
    if not comparing:
        forget_own()  # when switched on again, B starts as a copy of A
        return lab.own_controls(), None
    tab_a, tab_b = st.tabs(["Setting A", "Setting B"])
    with tab_a:
        values = lab.own_controls()
    with tab_b:
        compared = _b_controls(lab, lab.effective(values), opened)
    return values, compared


def _b_controls(lab: CompareLab, base: dict[str, Any], opened: bool) -> dict[str, Any]:
    """B's controls: each starts at A's value and follows A until changed here."""
    own, anchors = own_values(lab.params, lab.keys, opened)
    st.caption("B starts as a copy of A and follows it; change a control here and B keeps its own value.")
    ctl = FollowingControls(lab.params, base, own, anchors, st.session_state.get(B_EPOCH, 0))
    compared = lab.setting_controls(ctl)
    keep_own(own_after(own, base, compared, lab.applies), ctl.kept_anchors())
    st.button("Make B a copy of A again", on_click=start_b_as_a, key="b_reset")
    return compared


def _comparison_buttons(lab: CompareLab) -> None:
    """The lecture's contrasts, one click each (they set A and B, and turn compare mode on)."""
    box = st.expander("The lecture's comparisons", icon=":material/compare_arrows:")
    for name, comparison in lab.comparisons.items():
        box.button(
            comparison.label,
            key=f"comparison_{name}",
            type="tertiary",
            on_click=apply_comparison,
            args=(comparison, lab.comparison_values(name)),
        )


def describe_differences(lab: CompareLab, values: dict[str, Any], compared: dict[str, Any]) -> str:
    """'std 0.01 → 0.05, bn none → before': where B differs from A, in words."""
    base = lab.effective(values)
    changed = differing(base, compared, lab.applies)
    return ", ".join(f"{key} {url_value(base[key])} → {url_value(value)}" for key, value in changed.items())


def compare_address(lab: CompareLab, compared: dict[str, Any] | None) -> dict[str, str | None]:
    """The URL values of compare mode: `compare` and B's own values (None: absent), as this run's
    B controls left them (call after compare_controls)."""
    b_own = {} if compared is None else st.session_state.get(B_OWN, {})
    b_raw = {PREFIX + key: url_value(b_own[key]) if key in b_own else None for key in lab.keys}
    return {COMPARE.key: None if compared is None else "true", **b_raw}


def open_lab(
    page: str,
    all_params: tuple[Param, ...],
    lab: CompareLab,
    expand_preset: Callable[[], None],
    controls: Callable[[bool], tuple[dict[str, Any], dict[str, Any] | None]],
    first_values: Callable[[], dict[str, Any] | None] | None = None,
) -> tuple[bool, dict[str, Any], dict[str, Any] | None]:
    """A lab page with compare mode, up to its controls: the URL validated (A's values, B's, the
    initializer's sign rule for each, B's values without compare mode), a preset link expanded,
    the sidebar drawn and every refused value named. Returns (just opened, A's values, B's).

    first_values() gives the values the controls will start from, or None where the page would
    not draw its chart from them: a tab's first view then leaves the controls out (ui.first_view).
    """
    opened = start_page(page, all_params) or first_view.follows(page)
    rejections = sanitize_query_params(all_params)
    rejections += negative_std_refused(lab.params) + negative_std_refused(lab.params, PREFIX)
    rejections += stray_values(lab.keys, opened)
    expand_preset()
    first = first_view.values_for(page, bool(rejections), first_values) if first_values else None
    if first is not None:
        return opened, first, None
    values, compared = controls(opened)
    shown = values if compared is None else {**values, **{PREFIX + key: value for key, value in compared.items()}}
    warn_rejections(rejections, shown)
    return opened, values, compared
