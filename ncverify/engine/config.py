"""Configuration of a deep-UFM training problem, with the papers' experiment presets.

A :class:`DUFMConfig` fixes the shapes (K, n, d, L), the activation between layers, the fit loss,
the weight decay of every parameter and the optimiser settings.  ``DUFMConfig.preset(ID)``
returns the hyperparameters printed in the papers' figure captions and appendices.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ncverify.models.validation import require_int, require_positive

__all__ = ["PRESETS", "DUFMConfig"]

_ACTIVATIONS = ("identity", "relu")
_LOSSES = ("ce", "mse")
_DTYPES = ("float64", "float32")


@dataclass(frozen=True)
class DUFMConfig:
    """A deep unconstrained feature model and its training hyperparameters.

    Model (DESIGN.md, Engine): ``H_1 ∈ R^{d×N}``, ``W_1..W_{L-1} ∈ R^{d×d}``, ``W_L ∈ R^{K×d}``,
    ``Z = W_L σ(W_{L-1} σ(⋯ σ(W_1 H_1)))``, samples in class order with class sizes ``n``.

    Parameters
    ----------
    K, n, d, L : classes, class size (or a tuple of K sizes), width, number of weight matrices.
    activation : ``"identity"`` (deep linear UFM, `gk` §3) or ``"relu"`` (`gk` §3.4, `sk`).
    loss : ``"ce"`` mean cross-entropy (`gk` Eq. 2) or ``"mse"`` ``(1/2N)‖Z - Y‖²`` (`sk` Eq. 1).
    lam : weight decay of every parameter unless overridden by ``lam_H1`` / ``lam_W``
        (a tuple of L values λ_{W_1}..λ_{W_L}; ``None`` entries fall back to ``lam``).
    lr : gradient-descent step size.  dtype : ``"float64"`` (default) or ``"float32"``.
    init_std : standard deviation of the Gaussian initialisation of H_1; the weights W_l are
        drawn with standard deviation ``init_gain / sqrt(fan_in)``.
    """

    K: int
    n: int | tuple[int, ...]
    d: int
    L: int
    activation: str = "identity"
    loss: str = "ce"
    lam: float = 1e-3
    lam_H1: float | None = None
    lam_W: tuple[float | None, ...] | None = None
    lr: float = 0.5
    dtype: str = "float64"
    init_std: float = 1.0
    init_gain: float = 1.0
    name: str = field(default="custom", compare=False)

    def __post_init__(self) -> None:
        require_int("K", self.K, minimum=2)
        require_int("d", self.d, minimum=1)
        require_int("L", self.L, minimum=1)
        if isinstance(self.n, (list, tuple)):
            if len(self.n) != self.K:
                raise ValueError(f"n must list K={self.K} class sizes, got {len(self.n)}")
            object.__setattr__(self, "n", tuple(require_int(f"n[{i}]", v, minimum=1)
                                                for i, v in enumerate(self.n)))
        else:
            require_int("n", self.n, minimum=1)
        if self.activation not in _ACTIVATIONS:
            raise ValueError(f"activation must be one of {_ACTIVATIONS}, got {self.activation!r}")
        if self.loss not in _LOSSES:
            raise ValueError(f"loss must be one of {_LOSSES}, got {self.loss!r}")
        if self.dtype not in _DTYPES:
            raise ValueError(f"dtype must be one of {_DTYPES}, got {self.dtype!r}")
        for name in ("lam", "lr", "init_std", "init_gain"):
            require_positive(name, getattr(self, name))
        if self.lam_H1 is not None:
            require_positive("lam_H1", self.lam_H1)
        if self.lam_W is not None:
            if len(self.lam_W) != self.L:
                raise ValueError(f"lam_W must hold L={self.L} values, got {len(self.lam_W)}")
            object.__setattr__(self, "lam_W", tuple(self.lam_W))
            for i, v in enumerate(self.lam_W):
                if v is not None:
                    require_positive(f"lam_W[{i}]", v)

    # -- derived quantities -------------------------------------------------------------------
    @property
    def sizes(self) -> tuple[int, ...]:
        """Class sizes n_1..n_K."""
        return self.n if isinstance(self.n, tuple) else (self.n,) * self.K

    @property
    def N(self) -> int:
        """Number of samples."""
        return sum(self.sizes)

    @property
    def lams(self) -> tuple[float, ...]:
        """``(λ_{H_1}, λ_{W_1}, ..., λ_{W_L})``."""
        lw = self.lam_W or (None,) * self.L
        return (self.lam if self.lam_H1 is None else self.lam_H1,
                *[self.lam if v is None else v for v in lw])

    @property
    def shapes(self) -> list[tuple[int, int]]:
        """Shapes of ``[H_1, W_1, ..., W_L]``."""
        return [(self.d, self.N)] + [(self.d, self.d)] * (self.L - 1) + [(self.K, self.d)]

    @property
    def np_dtype(self) -> np.dtype:
        return np.dtype(self.dtype)

    def labels(self) -> np.ndarray:
        """Integer labels in class order."""
        return np.repeat(np.arange(self.K), self.sizes)

    def replace(self, **changes: Any) -> DUFMConfig:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["n"] = list(self.n) if isinstance(self.n, tuple) else self.n
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DUFMConfig:
        """Build from plain data (e.g. a JSON config file), with clear errors for wrong types."""
        if not isinstance(data, dict):
            raise ValueError("config must be a JSON object")
        fields = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - set(fields))
        if unknown:
            raise ValueError(f"unknown config field(s): {', '.join(unknown)}")
        kw = dict(data)
        for key in ("lam", "lr", "init_std", "init_gain", "lam_H1"):
            if key in kw and kw[key] is not None:
                v = kw[key]
                if isinstance(v, bool) or not isinstance(v, (int, float)):
                    raise ValueError(f"{key} must be a number, got {v!r}")
        if isinstance(kw.get("n"), list):
            kw["n"] = tuple(kw["n"])
        if isinstance(kw.get("lam_W"), list):
            kw["lam_W"] = tuple(kw["lam_W"])
        for key in ("K", "d", "L"):
            if key in kw and (isinstance(kw[key], bool) or not isinstance(kw[key], int)):
                raise ValueError(f"{key} must be an integer, got {kw[key]!r}")
        return cls(**kw)

    @classmethod
    def preset(cls, experiment: str) -> DUFMConfig:
        """The configuration of a paper experiment (see :data:`PRESETS`)."""
        try:
            kw = PRESETS[experiment]
        except KeyError:
            raise ValueError(f"unknown preset {experiment!r}; known: "
                             f"{', '.join(sorted(PRESETS))}") from None
        return cls(name=experiment, **kw)


#: Hyperparameters from the figure captions and appendices (gk App. D, sk App. C).
PRESETS: dict[str, dict[str, Any]] = {
    # gk Figure 1: deep linear UFM, L = 2, d = 70, λ = 2^-10, K = 10, n = 5, lr = 0.5
    "gk-fig1": dict(K=10, n=5, d=70, L=2, activation="identity", loss="ce", lam=2.0**-10,
                    lr=0.5),
    # gk Figure 6: deep ReLU UFM, L = 3, d = 70, λ = 2^-9, K = 10, n = 5, lr = 0.5
    "gk-fig6": dict(K=10, n=5, d=70, L=3, activation="relu", loss="ce", lam=2.0**-9, lr=0.5),
    # sk Figure 1 (App. C): 4-DUFM, λ = 0.004 everywhere, lr 0.5, width 30, n = 50, K = 10
    "sk-fig1": dict(K=10, n=50, d=30, L=4, activation="relu", loss="mse", lam=0.004, lr=0.5),
    # sk Figure 5: L = 7, K = 15, λ = 0.0025 (width as in Figure 1)
    "sk-fig5": dict(K=15, n=50, d=30, L=7, activation="relu", loss="mse", lam=0.0025, lr=0.5),
}


def check_steps(steps: Any) -> int:
    """Validate a number of steps (integer >= 0)."""
    return require_int("steps", steps, minimum=0)

