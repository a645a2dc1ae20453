"""The widgets of one setting of a lab, built from its parameter schema.

A lab's own setting (A) has widgets bound to the URL under their parameters' names:
Streamlit seeds them from the address and writes them back. A second setting to compare
with (B, ui/compare.py) draws the same controls through `FollowingControls`: each starts
at A's value and follows A until the user gives it a value of its own, which the page
keeps in the URL under the prefix `b_`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from ui import widgets
from ui.urlparams import Param, url_value

# Controls shown only under some settings keep their value while hidden (Streamlit drops
# a hidden widget's parameter from the URL and restores it when the widget returns).
HIDDEN_KEEPS = {"persist_state": "page"}


def current_value(params: Mapping[str, Param], key: str) -> Any:
    """A control's value before its widget is drawn in this run: the session's, else the URL's, else the default."""
    if key in st.session_state:
        return st.session_state[key]
    raw = st.query_params.get(key)
    return params[key].parse(raw) if raw is not None else params[key].default


class BoundControls:
    """Setting A: every widget bound to the URL under its parameter's name."""

    prefix = ""

    def __init__(self, params: Mapping[str, Param]) -> None:
        self.params = params

    def key(self, name: str) -> str:
        """The widget key of control `name`."""
        return name

    def current(self, name: str) -> Any:
        """The control's value: its widget's, else where the widget will start from."""
        return current_value(self.params, name)

    def write(self, name: str, value: Any) -> None:
        """Set the control's value from a callback (before its widget is drawn again)."""
        st.session_state[self.key(name)] = value

    def number(self, name: str, label: str, lowest: float | None = None, where: Any = st, **kwargs: Any) -> Any:
        if lowest is None:
            return widgets.number(self.params[name], label, where=where, **kwargs)
        param = self.params[name]
        narrowed = Param(param.key, param.kind, param.default, param.doc, lo=lowest, hi=param.hi)
        return widgets.number(narrowed, label, where=where, **kwargs)

    def slider(self, name: str, label: str, where: Any = st, **kwargs: Any) -> Any:
        return widgets.slider(self.params[name], label, where=where, **kwargs)

    def choice(self, name: str, label: str, radio: bool = False, where: Any = st, **kwargs: Any) -> str:
        return widgets.choice(self.params[name], label, radio=radio, where=where, **kwargs)

    def text(self, name: str, label: str, fallback: str, where: Any = st, **kwargs: Any) -> str:
        """A text box; text its parameter's check refuses gets a warning that ends with `fallback`
        (what the view uses instead; values() leaves such text out)."""
        text = self._text_input(name, label, where, **kwargs)
        problem = self._unreadable(name, text)
        if problem:
            where.warning(f"`{text}` {problem}: {fallback}.", icon=":material/warning:")
        return text

    def _text_input(self, name: str, label: str, where: Any, **kwargs: Any) -> str:
        return where.text_input(label, self.params[name].default, key=name, bind="query-params", **kwargs)

    def _unreadable(self, name: str, text: Any) -> str | None:
        check = self.params[name].check
        return check(str(text)) if check else None

    def values(self, names: tuple[str, ...]) -> dict[str, Any]:
        """The controls' values by URL key; a text that cannot be read takes its default, as its
        warning says (typed text is not checked before the page sees it, as a link's is)."""
        values = {name: self.current(name) for name in names}
        for name, value in values.items():
            if self.params[name].kind is str and self.params[name].choices is None and self._unreadable(name, value):
                values[name] = self.params[name].default
        return values


class FollowingControls(BoundControls):
    """Setting B: the same controls, unbound, each showing A's value until the user changes it.

    `base` holds A's effective values, `own` B's values of its own (where it differs from A).
    A widget is keyed by an A value, its anchor: when A changes under a widget that follows
    it, the widget gets A's new value as anchor, so it is a new widget that starts at A's new
    value (Streamlit identifies a keyed widget by its key alone, so a changed default would not
    reach it). Otherwise it keeps its key, whatever A does to a value B has of its own and
    however fast B's own keys are pressed (a new identity would drop presses still in flight).
    `anchors` holds, per control, the anchor of the last run and A's value then. `epoch` counts
    the times B's values were set from outside its widgets (B made a copy of A again, a lecture
    comparison): each gives every widget a new identity, so that the browser shows the new
    values instead of keeping what its widgets displayed (dropping a widget's state on the
    server does not reach them).
    """

    prefix = "b_"

    def __init__(
        self,
        params: Mapping[str, Param],
        base: dict[str, Any],
        own: dict[str, Any],
        anchors: dict[str, tuple[str, str]],
        epoch: int = 0,
    ) -> None:
        super().__init__(params)
        self.base = base
        self.own = own
        self.anchors = anchors
        self.epoch = epoch

    def anchor(self, name: str) -> str:
        """The A value the widget of `name` is keyed by."""
        a_now = url_value(self.base[name])
        anchor, a_then = self.anchors.get(name, (a_now, a_now))
        return anchor if name in self.own or a_then == a_now else a_now

    def kept_anchors(self) -> dict[str, tuple[str, str]]:
        """Every control's anchor and A's value now, for the next run."""
        return {name: (self.anchor(name), url_value(self.base[name])) for name in self.base}

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}@{self.anchor(name)}#{self.epoch}"

    def start(self, name: str) -> Any:
        """Where the widget starts: B's own value, else A's."""
        return self.own.get(name, self.base[name])

    def current(self, name: str) -> Any:
        return st.session_state.get(self.key(name), self.start(name))

    def number(self, name: str, label: str, lowest: float | None = None, where: Any = st, **kwargs: Any) -> Any:
        param = self.params[name]
        lowest = param.lo if lowest is None else lowest
        step, fmt = kwargs.pop("step", None), kwargs.pop("fmt", None)
        start = self.start(name)
        if start is not None and not lowest <= start <= param.hi:
            start = param.default  # A's value out of B's range (A's constant c < 0 for B's σ)
        return where.number_input(
            label,
            min_value=lowest,
            max_value=param.hi,
            value=start,
            step=step,
            format=fmt,
            key=self.key(name),
            **_unbound(kwargs),
        )

    def slider(self, name: str, label: str, where: Any = st, **kwargs: Any) -> Any:
        param = self.params[name]
        start = self.start(name)
        return where.slider(
            label, min_value=param.lo, max_value=param.hi, value=start, key=self.key(name), **_unbound(kwargs)
        )

    def choice(self, name: str, label: str, radio: bool = False, where: Any = st, **kwargs: Any) -> str:
        options = self.params[name].choices
        common = {"index": options.index(self.start(name)), "key": self.key(name), **_unbound(kwargs)}
        if radio:
            return where.radio(label, options, horizontal=True, **common)
        return where.selectbox(label, options, **common)

    def _text_input(self, name: str, label: str, where: Any, **kwargs: Any) -> str:
        return where.text_input(label, self.start(name), key=self.key(name), **_unbound(kwargs))


def _unbound(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Widget options for B: its values live in the `b_` keys the page writes, not in a binding."""
    return {key: value for key, value in kwargs.items() if key not in HIDDEN_KEEPS}
