"""The test tree has no __init__.py files, so pytest imports each test module by its base name:
two test files with one name in different folders would stop the whole run at collection."""
import collections
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def test_test_module_names_are_unique():
    seen = collections.defaultdict(list)
    for folder, _, files in os.walk(HERE):
        for name in files:
            if name.endswith(".py"):
                seen[name].append(os.path.relpath(os.path.join(folder, name), HERE))
    clashes = {n: p for n, p in seen.items() if len(p) > 1}
    assert not clashes, clashes
