"""URL-bound widgets built from a page's parameter schema: one place for bounds and defaults."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from ui.urlparams import Param

_BIND = {"bind": "query-params"}


def number(
    param: Param,
    label: str,
    step: float | int | None = None,
    fmt: str | None = None,
    on_change: Callable[[], None] | None = None,
    where: Any = st,
    **kwargs: Any,
) -> Any:
    """A number_input bound to the URL, with the schema's bounds and default."""
    return where.number_input(
        label,
        min_value=param.lo,
        max_value=param.hi,
        value=param.default,
        step=step,
        format=fmt,
        key=param.key,
        on_change=on_change,
        **_BIND,
        **kwargs,
    )


def slider(
    param: Param, label: str, on_change: Callable[[], None] | None = None, where: Any = st, **kwargs: Any
) -> Any:
    """A slider bound to the URL, with the schema's bounds and default."""
    return where.slider(
        label,
        min_value=param.lo,
        max_value=param.hi,
        value=param.default,
        key=param.key,
        on_change=on_change,
        **_BIND,
        **kwargs,
    )


def choice(
    param: Param,
    label: str,
    radio: bool = False,
    on_change: Callable[[], None] | None = None,
    where: Any = st,
    **kwargs: Any,
) -> str:
    """A selectbox (or horizontal radio) over the schema's choices, bound to the URL.

    The options are the URL values themselves: a bound widget writes the displayed option
    into the URL, so readable labels belong in a caption, not in format_func.
    """
    options = param.choices
    common = {"index": options.index(param.default), "key": param.key, "on_change": on_change, **_BIND, **kwargs}
    if radio:
        return where.radio(label, options, horizontal=True, **common)
    return where.selectbox(label, options, **common)


def toggle(param: Param, label: str, where: Any = st) -> bool:
    """A toggle bound to the URL."""
    return where.toggle(label, value=param.default, key=param.key, **_BIND)
