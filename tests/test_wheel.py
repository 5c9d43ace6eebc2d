"""The built wheel ships its lexicons and cases and works from a fresh virtualenv (no network)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
RISKY = "交办单拍给你们看看，别外传"
BENIGN = "明天上午九点开调度会"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("hatchling") is None,
                       reason="hatchling is not installed (pip install -e '.[test]'): cannot build the wheel offline"),
]


def _run(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run without network: no index for pip, no inherited PYTHON*/PIP_* settings."""
    full = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON"))}
    full.update({"PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"})
    full.update(env or {})
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180, env=full, cwd=cwd, check=False)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheelhouse")
    r = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(out), str(ROOT)])
    assert r.returncode == 0, r.stdout + r.stderr
    (whl,) = out.glob("leakguard-*.whl")
    return whl


def test_wheel_contains_the_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    lexicons = {n for n in names if n.startswith("leakguard/_data/lexicons/") and n.endswith(".toml")}
    expected = {f"leakguard/_data/lexicons/{p.name}" for p in (ROOT / "lexicons").glob("*.toml")}
    assert expected and lexicons == expected
    assert "leakguard/_data/seeds/cases.toml" in names
    assert "leakguard/__init__.py" in names and "leakguard/cli/__init__.py" in names
    assert not any(n.startswith(("tests/", "scripts/")) for n in names)
    entry = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "leakguard = leakguard.cli:main" in zipfile.ZipFile(wheel).read(entry).decode()


def _dep_dirs() -> list[str]:
    """Directories holding the core dependencies in this environment."""
    import ahocorasick  # type: ignore[import-not-found]
    import click
    import regex

    dirs = []
    for mod in (ahocorasick, click, regex):
        f = Path(mod.__file__ or "")
        d = f.parent.parent if f.name == "__init__.py" else f.parent
        if str(d) not in dirs:
            dirs.append(str(d))
    return dirs


def _pip_has_python_option() -> bool:
    import pip

    major, minor = (int(x) for x in pip.__version__.split(".")[:2])
    return (major, minor) >= (22, 3)


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("venv") / "v"
    r = _run([sys.executable, "-m", "venv", "--without-pip", str(root)])
    assert r.returncode == 0, r.stderr
    py = root / "bin" / "python"
    if _pip_has_python_option():
        r = _run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "--no-index", str(wheel)])
    else:  # pragma: no cover - old pip
        assert _run([str(py), "-m", "ensurepip"]).returncode == 0
        r = _run([str(py), "-m", "pip", "install", "--no-deps", "--no-index", str(wheel)])
    assert r.returncode == 0, r.stdout + r.stderr
    site = _run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip()
    # Only the dependencies' directories; an editable leakguard there is a .pth, not processed for these.
    (Path(site) / "_leakguard_test_deps.pth").write_text("\n".join(_dep_dirs()) + "\n", encoding="utf-8")
    return root


def test_installed_package_comes_from_the_venv(venv: Path, tmp_path: Path) -> None:
    code = ("import leakguard, ahocorasick, click, regex, sysconfig; "
            "from leakguard.paths import data_dir; "
            "print(leakguard.__file__); print(sysconfig.get_paths()['purelib']); print(data_dir('lexicons'))")
    r = _run([str(venv / "bin" / "python"), "-c", code], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    pkg, site, data = r.stdout.split("\n")[:3]
    assert pkg.startswith(site) and site.startswith(str(venv))
    assert data == str(Path(site) / "leakguard" / "_data" / "lexicons")


def test_installed_cli_flags_and_passes(venv: Path, tmp_path: Path) -> None:
    exe = str(venv / "bin" / "leakguard")
    env = {"LEAKGUARD_CACHE_DIR": str(tmp_path / "fresh-cache")}  # prove the wheel's own data is compiled
    r = _run([exe, "check", "--text", RISKY], cwd=tmp_path, env=env)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "jishou-jiaobandan" in r.stdout and "DOC101" in r.stdout
    r = _run([exe, "check", "--text", BENIGN], cwd=tmp_path, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    r = _run([exe, "rules", "show", "DOC101"], cwd=tmp_path, env=env)
    assert r.returncode == 0 and "/leakguard/_data/lexicons/documents.toml:" in r.stdout
    r = _run([exe, "cases", "show", "jishou-jiaobandan"], cwd=tmp_path, env=env)
    assert r.returncode == 0 and "吉首" in r.stdout
