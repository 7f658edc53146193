"""The conformance kit: drive any implementation against the model (CONF-*).

See docs/conformance/index.md. Python engines subclass :class:`Engine`; any other
engine speaks the JSON-lines protocol (docs/conformance/protocol.md) and is driven
through :class:`SubprocessEngine`.
"""

from marginspec.conformance.capabilities import Capabilities, parse_capabilities
from marginspec.conformance.engine import Engine, EngineFailure, ModelEngine, load_factory

__all__ = [
    "Capabilities",
    "Engine",
    "EngineFailure",
    "ModelEngine",
    "load_factory",
    "parse_capabilities",
]
