"""The NumPy/SciPy deep-UFM engine: batched gradient descent, polishing, Hessians, metrics."""

from ncverify.engine.config import PRESETS, DUFMConfig
from ncverify.engine.dufm import DUFMBatch
from ncverify.engine.train import TrainResult, train

__all__ = ["PRESETS", "DUFMBatch", "DUFMConfig", "TrainResult", "train"]
