"""tests/nlu needs the Rasa virtualenv; elsewhere (the modern env) these modules are skipped."""

import importlib.util

collect_ignore_glob = [] if importlib.util.find_spec("rasa") else ["test_*.py"]
