"""Presets: named sets of control values, one state design for every lab.

Each control owns its value (a widget bound to the URL). A preset box writes a
preset's values once, when the user chooses it; the label the box shows is derived
on every run (the preset whose values equal the current ones, else "custom") and is
never written back by callbacks, so the controls, the address bar and the charts
cannot drift apart however fast the input comes.

A link may still say `?preset=NAME` (slides, older links): before any widget runs,
the preset is expanded into the values it stands for, so the address bar shows
the real settings and the widgets seed from them like from any link.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from ui.urlparams import Param, drop_from_url, rewrite_url, url_value

CUSTOM = "custom"
_ABSENT = object()  # a control not in the session (not drawn since)
PRESET_KEY = "preset"
REDRAWN = "_preset_box_redrawn"  # session key: bumped to draw a new preset box
APPLIED = "_preset_applied"  # session key: (box key, preset) of the last choice applied
# Session key: the values the preset box wrote that the browser has not yet been seen to show,
# and the values they replaced (see PresetSet.hold_written).
WRITTEN = "_preset_written"
# Runs after a choice that may answer requests sent before the browser showed it (those of one
# round trip, which Streamlit may run one by one).
STALE_RUNS = 2


@dataclass(frozen=True)
class Preset:
    """A lecture experiment: a label and the control values it sets (others take defaults)."""

    label: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PresetSet:
    """A lab's presets over its controls.

    `effective` maps control values to what determines the view (a value that does not
    apply, such as the std of a Xavier init, becomes its default), so a preset matches
    whatever hidden values the session still remembers.
    """

    presets: Mapping[str, Preset]
    params: Mapping[str, Param]
    controls: tuple[str, ...]
    effective: Callable[[dict[str, Any]], dict[str, Any]]

    def values(self, name: str) -> dict[str, Any]:
        """Every control's value under preset `name` (defaults where the preset is silent)."""
        values = {key: self.params[key].default for key in self.controls}
        values.update(self.presets[name].values)
        return values

    def matching(self, values: dict[str, Any]) -> str:
        """The preset whose effective values equal these, else "custom"."""
        current = self._comparable(values)
        for name in self.presets:
            if name != CUSTOM and self._comparable(self.values(name)) == current:
                return name
        return CUSTOM

    def _comparable(self, values: dict[str, Any]) -> dict[str, Any]:
        effective = self.effective(values)
        return {key: effective[key] for key in self.controls}

    def expand_url_preset(self) -> None:
        """Replace `?preset=NAME` in the URL by the values it stands for (call after validation,
        before any widget). Values the URL gives explicitly win over the preset's."""
        name = st.query_params.get(PRESET_KEY)
        if name is None:
            return
        drop_from_url(PRESET_KEY)
        if name not in self.presets:
            return
        implied = {
            key: url_value(value)
            for key, value in self.values(name).items()
            if key not in st.query_params and value != self.params[key].default
        }
        rewrite_url(implied)

    def box(self, values: dict[str, Any], label: str = "Preset") -> str:
        """The preset box, showing the preset that matches `values`; choosing one writes its values.

        The box is keyed by the preset it shows: when the values come to match another preset,
        a new box is drawn with that selection. Writing the shown label into session state
        instead would make Streamlit send every widget's state back to the browser and undo
        key presses still in flight on other controls.
        """
        shown = self.matching(values)
        names = tuple(self.presets)
        key = f"{PRESET_KEY}_{shown}_{st.session_state.get(REDRAWN, 0)}"
        st.selectbox(
            label,
            names,
            index=names.index(shown),
            key=key,
            format_func=lambda name: self.presets[name].label,
            on_change=self._apply_chosen,
            args=(key, shown),
            help="A lecture experiment sets every control once. Change any control afterwards and "
            "the box shows the preset that matches, or Custom.",
        )
        return shown

    def over(self, draw: Callable[[], dict[str, Any]], label: str = "Preset") -> dict[str, Any]:
        """The controls `draw` draws, under the preset box: the box is drawn last, from their values,
        but shown on top. Returns the values with the preset shown under PRESET_KEY."""
        self.hold_written()
        slot = st.container()
        values = draw()
        with slot:
            values[PRESET_KEY] = self.box(values, label)
        return values

    def _apply_chosen(self, key: str, shown: str) -> None:
        name = st.session_state[key]
        # A request sent before the browser showed a choice still carries the box it was made in,
        # with that choice: applied again, it would send every control the preset sets back to the
        # browser and undo the key presses in flight since. Each choice applied draws a box of a
        # new key, so the same key and choice again can only be such a request.
        if st.session_state.get(APPLIED) == (key, name):
            return
        # Custom means "keep what I have": when that is a preset, a new box names it again (the
        # label stays derived; this box would keep saying Custom). A box that reports the value
        # it was drawn with is a stale one (a rerun that raced its replacement), not a choice.
        if name == CUSTOM and shown != CUSTOM:
            st.session_state[REDRAWN] = st.session_state.get(REDRAWN, 0) + 1
        if name in (CUSTOM, shown):
            return
        # Only the controls whose value changes: each one written is a widget state sent back to
        # the browser and redrawn there (a preset differs from the view in a few controls).
        written, replaced = {}, {}
        for control, value in self.values(name).items():
            if control not in st.session_state or st.session_state[control] != value:
                if control in st.session_state:  # drawn before: a request from then brings it back
                    replaced[control] = st.session_state[control]
                st.session_state[control] = value
                written[control] = value
        st.session_state[WRITTEN] = (written, replaced, STALE_RUNS + 1)
        st.session_state[APPLIED] = (key, name)
        st.session_state[REDRAWN] = st.session_state.get(REDRAWN, 0) + 1

    def hold_written(self) -> None:
        """Keep what the preset box wrote against requests the browser sent before it showed it.

        The browser sends every control's value with each rerun it asks for. A key pressed on
        another control right after a preset was chosen asks for one with the values from before
        the preset, and Streamlit takes them, while the browser's controls show the preset's: the
        controls, the address bar and the chart would disagree. For the few runs after a choice,
        a request that brings back more of the replaced values than it shows written ones is one
        from before it: those values are answered with the written ones (written again, so that
        the browser shows what the page draws); a control set to a third value keeps it. The
        first request that shows the preset ends this: from then on, what the browser sends is
        chosen.
        """
        pending = st.session_state.get(WRITTEN)
        if not pending:
            return
        written, replaced, checks = pending
        if checks > STALE_RUNS:  # the run of the choice itself: the next request says what the browser shows
            st.session_state[WRITTEN] = (written, replaced, STALE_RUNS)
            return
        # Only the controls the view before the choice drew (those replaced): a request from then
        # speaks for them only.
        asked = {control: st.session_state.get(control, _ABSENT) for control in replaced}
        shown = sum(asked[control] == written[control] for control in replaced)
        before = sum(asked[control] == replaced[control] for control in replaced)
        # A request from before the choice brings back every value it replaced; one from after
        # it shows the preset, but for a control or so the user changed since.
        if before <= shown:
            st.session_state[WRITTEN] = None  # the browser has shown the preset: what it sends is chosen
            return
        # Only the values brought back are answered: a control set to a third value is left as it
        # is, since writing it would send the browser a value its later key presses have passed.
        for control in replaced:
            if asked[control] == replaced[control]:
                st.session_state[control] = written[control]
        st.session_state[WRITTEN] = (written, replaced, checks - 1) if checks > 1 else None
