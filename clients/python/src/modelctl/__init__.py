"""modelctl: the Python client of the modelctl model registry.

>>> import modelctl
>>> registry = modelctl.create_versioning_system()            # MODELCTL_URL, MODELCTL_TOKEN
>>> with registry.track_experiment("ppo", modelctl.ExperimentType.TRAINING, config={"lr": 3e-4}) as run:
...     run.log({"reward": 1.0}, step=0)                        # enqueues; never waits on the network
"""

from .ab_test import AbTest, Assignment
from .enums import ExperimentStatus, ExperimentType, ModelStatus
from .errors import ModelctlError, UnavailableError
from .registry import Registry, create_versioning_system
from .run import Run
from .shipper import ShipResult

__all__ = [
    "AbTest",
    "Assignment",
    "ExperimentStatus",
    "ExperimentType",
    "ModelStatus",
    "ModelctlError",
    "Registry",
    "Run",
    "ShipResult",
    "UnavailableError",
    "create_versioning_system",
]
__version__ = "0.1.0"
