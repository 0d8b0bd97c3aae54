# Import numtorch once before any test, so its warning filters are installed for the whole
# session (pytest restores the filter list after each test).
import numtorch  # noqa: F401
