"""Records the Cypher a `kam` subprocess of the test run sends (tests/cypher_gate/recorder.py).

On PYTHONPATH only during the test run; does nothing unless the run's spool folder is set."""

import importlib.util
import os
import pathlib
import sys

_spool = os.environ.get("KAM_CYPHER_GATE_SPOOL")
if _spool and pathlib.Path(_spool).is_dir():
    _path = pathlib.Path(__file__).resolve().parent.parent / "recorder.py"
    _spec = importlib.util.spec_from_file_location("kam_cypher_gate_recorder", _path)
    if _spec is not None and _spec.loader is not None:
        _module = importlib.util.module_from_spec(_spec)
        sys.modules[_spec.name] = _module
        try:
            _spec.loader.exec_module(_module)
            _module.install(pathlib.Path(_spool))
        except ImportError:
            pass  # a Python without the neo4j driver sends no Cypher
