"""The `platform/` folder is never a package: the standard library's `platform` keeps working."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_stdlib_platform_still_works_in_the_virtualenv_from_the_checkout() -> None:
    code = "import platform, config, accounts; print(platform.__file__); print(platform.system())"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)

    module_file, system = result.stdout.split()
    assert not module_file.startswith(str(ROOT))
    assert system in {"Linux", "Darwin", "Windows"}


def test_no_package_is_named_platform() -> None:
    assert not (ROOT / "platform" / "__init__.py").exists()
