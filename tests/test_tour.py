"""AppTest: the lecture tour's steps, its `step` URL contract, its controls, and its links into the labs."""

from __future__ import annotations

import urllib.parse

import pytest
from streamlit.testing.v1 import AppTest

from tests import app_support
from tests.app_support import chart_figures
from ui.tour_steps import STEPS

TOUR = app_support.page_path("tour")


def run_tour(**query) -> AppTest:
    return app_support.run_page(TOUR, 60, **query)


def shown_step(at: AppTest) -> str:
    return at.header[0].value


def markdown(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


def lab_link(at: AppTest) -> str:
    """The relative URL of the step's "open this view in the lab" link."""
    text = markdown(at)
    return text.split("](", 1)[1].split(")", 1)[0] if "[Open this view in" in text else ""


def url_notices(at: AppTest) -> list[str]:
    """The notices about refused URL values (the diagnosis and the notes are warnings too)."""
    return [w.value for w in at.warning if w.value.startswith("`") and "=" in w.value.split("`")[1]]


def notes(at: AppTest) -> str:
    return " ".join(w.value for w in at.warning if "write-ups" in w.value)


def figure(at: AppTest) -> dict:
    (drawn,) = chart_figures(at)
    return drawn


@pytest.mark.parametrize("number", range(1, len(STEPS) + 1))
def test_each_step_shows_its_claim_its_control_and_its_labs_figure(number):
    step = STEPS[number - 1]
    at = run_tour(step=str(number))
    assert not at.exception and not url_notices(at)
    assert shown_step(at) == f"{number}. {step.title}"
    assert step.claim in markdown(at) and step.try_this in markdown(at)
    key = step.control.param.key
    control = at.radio(key=key) if step.control.param.choices else at.slider(key=key)
    assert control.value == step.control.param.default
    assert at.pagination(key="step").value == number
    assert figure(at)["layout"]["title"]["subtitle"]["text"]  # a drawn figure names its view


@pytest.mark.parametrize(
    "number,moved",
    [(n, None) for n in range(1, len(STEPS) + 1)] + [(1, 0.05), (2, 0.03), (6, 12), (8, 1.0), (9, "different")],
)
def test_the_lab_link_opens_the_lab_on_exactly_the_steps_view(number, moved):
    step = STEPS[number - 1]
    query = {"step": str(number)}
    if moved is not None:
        query[step.control.param.key] = str(moved)
    at = run_tour(**query)
    path, _, lab_query = lab_link(at).partition("?")
    assert path == step.lab.path
    lab = app_support.run_page(app_support.page_path(path), 60, **dict(urllib.parse.parse_qsl(lab_query)))
    assert not lab.exception and not url_notices(lab)
    assert figure(at) in chart_figures(lab)  # the lab draws the very figure the tour shows


def test_the_control_drives_the_figure_and_the_link():
    at = run_tour(step="2", small_std="0.03")
    assert "σ=0.03" in figure(at)["layout"]["title"]["subtitle"]["text"]
    assert "std=0.03" in lab_link(at)
    at.slider(key="small_std").set_value(0.02).run()
    assert "σ=0.02" in figure(at)["layout"]["title"]["subtitle"]["text"] and "std=0.02" in lab_link(at)


def test_zero_init_step_links_the_zero_init_and_its_constant_control_a_constant_init():
    assert "init=zeros" in lab_link(run_tour())
    link = lab_link(run_tour(zero_c="0.05"))
    assert "init=constant" in link and "std=0.05" in link
    assert "training?preset=zero-init" in markdown(run_tour())  # "nothing changes" is about learning


def test_next_and_previous_move_one_step_and_a_step_opens_on_its_own_setting():
    at = run_tour(step="2", small_std="0.03")
    at.button(key="tour_next").click().run()
    assert shown_step(at) == f"3. {STEPS[2].title}"
    assert at.slider(key="large_std").value == STEPS[2].control.param.default
    at.button(key="tour_prev").click().run()
    assert shown_step(at) == f"2. {STEPS[1].title}"
    assert at.slider(key="small_std").value == STEPS[1].control.param.default  # 0.03 was forgotten


def test_the_buttons_stop_at_the_ends_and_name_the_neighbouring_steps():
    first, last = run_tour(), run_tour(step=str(len(STEPS)))
    assert first.button(key="tour_prev").disabled and not first.button(key="tour_next").disabled
    assert first.button(key="tour_next").label == f"Next: {STEPS[1].title}"
    assert last.button(key="tour_next").disabled
    assert last.button(key="tour_prev").label == f"Previous: {STEPS[-2].title}"


def test_choosing_a_step_in_the_pagination_shows_it():
    at = run_tour()
    at.pagination(key="step").set_value(6).run()
    assert shown_step(at) == f"6. {STEPS[5].title}"


@pytest.mark.parametrize("raw", ["0", str(len(STEPS) + 1), "-1", "abc", "2.5", "", "nan", "1e999"])
def test_a_bad_step_gets_a_notice_and_the_first_step(raw):
    at = run_tour(step=raw)
    assert not at.exception
    (notice,) = url_notices(at)
    assert notice.startswith(f"`step={raw}`") and "`1` is used instead" in notice
    assert shown_step(at) == f"1. {STEPS[0].title}"


def test_a_bad_control_value_gets_a_notice_and_the_steps_own_value():
    at = run_tour(step="5", relu_depth="500")
    assert "`relu_depth=500` must be between 1 and 50" in url_notices(at)[0]
    assert at.slider(key="relu_depth").value == 6


def test_another_steps_control_leaves_the_address_with_a_notice():
    at = run_tour(step="2", kaiming_depth="30")
    (notice,) = url_notices(at)
    assert notice == "`kaiming_depth=30` is the control of step 6, not of step 2; it was removed from the address."
    assert "kaiming_depth" not in at.query_params
    assert shown_step(at) == f"2. {STEPS[1].title}"


def test_the_kaiming_and_batch_norm_steps_correct_the_popular_slips():
    shown = {number: notes(run_tour(step=str(number))) for number in range(1, len(STEPS) + 1)}
    assert "* np.sqrt(2 / Din)" in shown[6] and "/ np.sqrt(2 / Din)" in shown[6]
    assert "√(σ² + ε)" in shown[7] and "(σ² + ε)," in shown[7]
    assert [number for number, text in shown.items() if text] == [6, 7]  # only where a write-up goes wrong


def test_the_home_page_and_the_navigation_lead_to_the_tour():
    at = AppTest.from_file(app_support.APP, default_timeout=60).run()
    assert any(link.proto.page == "tour" for link in at.get("page_link"))
    at.switch_page("app_pages/tour.py").run()
    assert at.title[0].value == "Lecture tour" and shown_step(at) == f"1. {STEPS[0].title}"
