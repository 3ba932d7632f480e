"""The NumPy/SciPy engine: deep unconstrained feature models (``DUFMConfig``, ``train``) and
fully connected networks on fixed data (``MLPConfig``, ``train_mlp``); batched gradient descent,
polishing, Hessians, metrics."""

from ncverify.engine.config import PRESETS, DUFMConfig
from ncverify.engine.dufm import DUFMBatch
from ncverify.engine.mlp import MLPBatch, MLPConfig, MLPTrainResult, polish_mlp, train_mlp
from ncverify.engine.train import TrainResult, train

__all__ = ["PRESETS", "DUFMBatch", "DUFMConfig", "MLPBatch", "MLPConfig", "MLPTrainResult",
           "TrainResult", "polish_mlp", "train", "train_mlp"]
