"""AppTest: every lab's toolbar (copy link, download figure, present) and the `view` URL contract."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests import app_support

LABS = ("activations", "preprocessing", "batchnorm", "training", "theory", "transfer", "tour")


def run(page: str, **query) -> AppTest:
    return app_support.run_page(app_support.page_path(page), 90, **query)


def toolbar_data(at: AppTest) -> list[dict]:
    return [
        json.loads(element.proto.json)
        for element in at.get("bidi_component")
        if element.proto.component_name == "initlab_toolbar"
    ]


def presented(at: AppTest) -> bool:
    """Whether the page sent present mode's style sheet."""
    return any("Present mode" in element.value for element in at.markdown)


@pytest.mark.parametrize("page", LABS)
def test_every_lab_has_one_toolbar_named_after_it_and_a_present_switch(page):
    at = run(page)
    assert toolbar_data(at) == [{"page": page}]  # its downloads are called initlab-<page>...
    assert at.button_group(key="view").value is None and not presented(at)


@pytest.mark.parametrize("page", LABS)
def test_view_present_in_the_address_presents_the_page_without_a_notice(page):
    at = run(page, view="present")
    assert presented(at) and at.button_group(key="view").value == "present"
    assert not [w for w in at.warning if w.value.startswith("`view")]


@pytest.mark.parametrize("raw", ["presentation", "", "PRESENT", "true"])
def test_a_bad_view_gets_a_notice_and_the_normal_view(raw):
    at = run("activations", view=raw)
    assert any(w.value.startswith(f"`view={raw}` must be one of present") for w in at.warning)
    assert not presented(at) and "view" not in at.query_params


def test_the_switch_turns_present_mode_on_and_off():
    at = run("batchnorm")
    at.button_group(key="view").set_value("present").run()
    assert presented(at)
    at.button_group(key="view").set_value(None).run()
    assert not presented(at)


def test_the_training_lab_keeps_present_mode_in_the_address_it_sends():
    # The training lab writes its own address (the step it shows): it must carry the switch's value
    # too, or the next run would leave present mode.
    at = run("training")
    at.button_group(key="view").set_value("present").run()
    assert at.query_params["view"] == "present"


def test_embed_is_streamlits_and_passes_without_a_notice():
    at = run("tour", embed="true", view="present", step="3")
    assert presented(at) and not [w for w in at.warning if w.value.startswith("`")]
