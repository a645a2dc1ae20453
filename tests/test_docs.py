"""The README is what users read first: it must document what the app accepts and run as written."""

import re
import urllib.parse
from pathlib import Path

from ui import batchnorm_params, preprocessing_params, theory_params, tour_steps, training_params, transfer_params
from ui.activation_params import PARAMS, PRESETS
from ui.urlparams import APP_PARAMS, url_value

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def documented_parameters(heading: str) -> set[str]:
    """Parameter names in the table that follows `heading`, up to the next heading."""
    section = README.split(heading, 1)[1].split("\n#", 1)[0]
    return set(re.findall(r"^\| `(\w+)` \|", section, flags=re.M))


def test_readme_documents_every_url_parameter_and_preset():
    assert documented_parameters("URL parameters of `/activations`") == {p.key for p in PARAMS}
    assert documented_parameters("URL parameters of `/batchnorm`") == {p.key for p in batchnorm_params.PARAMS}
    assert documented_parameters("URL parameters of `/preprocessing`") == {p.key for p in preprocessing_params.PARAMS}
    assert documented_parameters("URL parameters of `/training`") == {p.key for p in training_params.PARAMS}
    assert documented_parameters("URL parameters of `/theory`") == {p.key for p in theory_params.PARAMS}
    assert documented_parameters("URL parameters of `/transfer`") == {p.key for p in transfer_params.PARAMS}
    for name in (*PRESETS, *training_params.PRESETS):
        assert f"`{name}`" in README


def test_readme_documents_the_tour_and_present_mode():
    section = README.split("## Tour and classroom", 1)[1].split("\n## ", 1)[0]
    assert set(re.findall(r"^\| `(\w+)` \|", section, flags=re.M)) == {p.key for p in (*tour_steps.PARAMS, *APP_PARAMS)}
    for number, step in enumerate(tour_steps.STEPS, 1):
        control = step.control.param
        if control.choices is not None:
            values = ", ".join(f"`{choice}`" for choice in control.choices)
            assert f"| `{control.key}` | {values} | `{control.default}` | step {number}:" in section
            continue
        row = re.search(rf"^\| `{control.key}` \| (\S+) to (\S+) \| (\S+) \| step {number}:", section, re.M)
        assert row, f"{control.key} is not documented as step {number}'s control"
        assert [float(v) for v in row.groups()] == [control.lo, control.hi, control.default]
    assert "/tour?step=" in section and "view=present" in section
    snippet = re.search(r"```html\n(<iframe.*?</iframe>)\n```", section, re.S).group(1)
    assert "embed=true" in snippet and "view=present" in snippet


def test_readme_python_example_runs_and_says_what_it_prints():
    code = re.search(r"```python\n(from engine import SimConfig.*?)```", README, re.S).group(1)
    namespace: dict = {}
    exec(code.replace("print(", "(lambda *a: None)("), namespace)
    expected = re.search(r'# "(.*?) \.\.\."', code).group(1)
    assert namespace["diagnose"](namespace["result"])[0].text.startswith(expected)


def test_readme_gives_the_two_commands():
    assert "pip install -r requirements.txt && streamlit run app.py" in README
    assert "pip install -r requirements-dev.txt && python -m pytest" in README


def test_readme_links_each_lecture_comparison_as_the_view_its_button_sets():
    from ui.activation_compare import LAB

    links = [
        dict(urllib.parse.parse_qsl(query))
        for query in re.findall(r"\(http://localhost:8501/activations\?([^)]*compare=true[^)]*)\)", README)
    ]
    for name, comparison in LAB.comparisons.items():
        a = {k: v for k, v in LAB.comparison_values(name).items() if v != LAB.params[k].default}
        wanted = {**{k: url_value(v) for k, v in a.items()}, "compare": "true"}
        wanted |= {f"b_{k}": url_value(v) for k, v in comparison.b.items()}
        assert wanted in links, f"{comparison.label}: no README link opens {wanted}"
