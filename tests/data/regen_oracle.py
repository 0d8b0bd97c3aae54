"""Record PyTorch's answers for the tests that use ``tests/_oracle.py`` (needs torch 2.13).

    python tests/data/regen_oracle.py                       # every test file that uses an Oracle
    python tests/data/regen_oracle.py tests/test_ops_parity.py

It runs those tests with ``NUMTORCH_RECORD=1``: each ``Oracle.answer`` stores live PyTorch's
answer in ``tests/data/oracle/<name>.json`` / ``.npz`` (written atomically at exit).
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
ROOT = os.path.dirname(TESTS)


def oracle_test_files() -> list:
    found = []
    for folder, _, files in os.walk(TESTS):
        for name in files:
            path = os.path.join(folder, name)
            if name.startswith("test_") and name.endswith(".py"):
                with open(path, encoding="utf-8") as f:
                    if "Oracle(" in f.read():
                        found.append(os.path.relpath(path, ROOT))
    return sorted(found)


def main(argv) -> int:
    import torch  # noqa: F401  (fail early and clearly without it)
    files = argv or oracle_test_files()
    env = dict(os.environ, NUMTORCH_RECORD="1")
    return subprocess.call([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                            *files], cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
