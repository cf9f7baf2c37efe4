"""gradstep 0.1's name for ``gradstep.training``: ``from gradstep.train import Trainer`` keeps working."""

from .training import *  # noqa: F403
from .training import __all__  # noqa: F401
