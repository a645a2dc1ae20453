"""The README is what users read first: it must document what the app accepts and run as written."""

import re
from pathlib import Path

from ui.activation_params import PARAMS, PRESETS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_readme_documents_every_url_parameter_and_preset():
    documented = set(re.findall(r"^\| `(\w+)` \|", README, flags=re.M))
    assert documented == {p.key for p in PARAMS}
    for name in PRESETS:
        assert f"`{name}`" in README


def test_readme_python_example_runs_and_says_what_it_prints():
    code = re.search(r"```python\n(.*?)```", README, re.S).group(1)
    namespace: dict = {}
    exec(code.replace("print(", "(lambda *a: None)("), namespace)
    expected = re.search(r'# "(.*?) \.\.\."', code).group(1)
    assert namespace["diagnose"](namespace["result"])[0].text.startswith(expected)


def test_readme_gives_the_two_commands():
    assert "pip install -r requirements.txt && streamlit run app.py" in README
    assert "pip install -r requirements-dev.txt && python -m pytest" in README
