"""Every deploy recipe installs exactly this project, by a name nobody else owns.

`pip install sitegen` installs an unrelated PyPI project; these tests run each
recipe's own install line against a wheel built from this checkout.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import sysconfig
import tomllib
import venv
from pathlib import Path

import pytest
import yaml

from sitegen import REQUIREMENT, __version__
from sitegen.scaffold import GITHUB_PAGES_WORKFLOW
from tests.support.sites import REPO_ROOT

PROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text("utf-8"))["project"]


def recipe_requirements() -> dict[str, list[str]]:
    """Return, per recipe, the requirement strings its `pip install` lines install."""
    recipes: dict[str, list[str]] = {}
    workflow = yaml.safe_load(GITHUB_PAGES_WORKFLOW)
    recipes["init's GitHub Pages workflow"] = [workflow["env"]["SITEGEN_PACKAGE"]]
    deploy = (REPO_ROOT / "docs" / "deploy.md").read_text("utf-8")
    for section in re.split(r"^## ", deploy, flags=re.M)[1:]:
        title = section.splitlines()[0]
        found = []
        for line in re.findall(r"pip install ([^&\n`]+)", section):
            words = [w for w in shlex.split(line.replace('\\"', '"')) if not w.startswith("-")]
            found += [w for w in words if "sitegen" in w and not w.endswith("/")]
        if found:
            recipes[f"docs/deploy.md: {title}"] = found
    return recipes


def test_the_distribution_is_not_the_pypi_project_called_sitegen() -> None:
    assert PROJECT["name"] == "sitegen-timelines"
    assert PROJECT["scripts"] == {"sitegen": "sitegen.cli:entry"}
    assert REQUIREMENT == f"sitegen-timelines=={PROJECT['version']}" == f"sitegen-timelines=={__version__}"


def test_every_recipe_pins_this_project() -> None:
    recipes = recipe_requirements()
    assert {"docs/deploy.md: Netlify", "docs/deploy.md: nginx, Apache, S3 or any folder a web server serves",
            "init's GitHub Pages workflow"} <= set(recipes), recipes
    for recipe, requirements in recipes.items():
        for requirement in requirements:
            pinned = requirement == REQUIREMENT or re.fullmatch(
                r"sitegen-timelines @ git\+https://\S+@v" + re.escape(__version__), requirement)
            assert pinned, f"{recipe} installs {requirement!r}"
    assert (REPO_ROOT / "docs" / "github-pages-workflow.yml").read_text("utf-8") == GITHUB_PAGES_WORKFLOW


@pytest.fixture(scope="module")
def wheel_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build a wheel of this checkout, as a release would."""
    out = tmp_path_factory.mktemp("wheels")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out),
         str(REPO_ROOT)],
        check=True, capture_output=True,
    )
    return out


def test_the_recipes_install_line_installs_this_checkout(wheel_dir: Path, tmp_path: Path) -> None:
    requirement = recipe_requirements()["docs/deploy.md: Netlify"][0]
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    # The dependencies come from the test's own environment (a .pth file adds its site-packages);
    # the project itself only from the wheel.
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    new_site = subprocess.run([str(python), "-c", purelib],
                              check=True, capture_output=True, text=True).stdout.strip()
    (Path(new_site) / "test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", "utf-8")
    subprocess.run(
        # --ignore-installed: the test's own environment (seen through the .pth) may hold this
        # project already, and the recipe must install it into the new one regardless.
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
         "--ignore-installed", "--no-index", "--find-links", str(wheel_dir), requirement],
        check=True, capture_output=True, text=True,
    )
    pip = [sys.executable, "-m", "pip", "--python", str(python)]
    shown = subprocess.run([*pip, "show", "sitegen-timelines"],
                           check=True, capture_output=True, text=True).stdout
    assert f"Version: {__version__}" in shown
    clean_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    version = subprocess.run([str(env_dir / "bin" / "sitegen"), "--version"], cwd=tmp_path, env=clean_env,
                             check=True, capture_output=True, text=True).stdout
    assert version.strip() == f"sitegen {__version__}"
    imported = subprocess.run([str(python), "-c", "import sitegen; print(sitegen.__file__)"], cwd=tmp_path,
                              env=clean_env, check=True, capture_output=True, text=True).stdout
    assert Path(imported.strip()).is_relative_to(env_dir)
