"""Variance-based sensitivity analysis: which uncertain method choice moves the ranks most.

Uses the simulator of :mod:`.uncertainty` on a Saltelli design (matrices A, B and A_B^(i), N(k + 2) runs)
and estimates first-order indices with Saltelli et al. (2010) and total indices with Jansen (1999), on the
output COINr uses: the mean absolute shift of the units' ranks from their nominal ranks.

Entry point: ``run_sensitivity(data, hierarchy, base_spec, spec) -> SensitivityResult``, with the same
:class:`~.uncertainty.UncertaintySpec` as the uncertainty analysis (``replications`` = N base samples).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import EngineError
from .hierarchy import Hierarchy
from .pipeline import MethodSpec
from .uncertainty import UncertaintyResult, UncertaintySpec, _assemble, _Simulator, simulate

__all__ = ["SensitivityResult", "run_sensitivity", "saltelli_design", "sobol_indices"]

SENSITIVITY_COLUMNS = ["Parameter", "Si", "STi", "Si_q5", "Si_q95", "STi_q5", "STi_q95"]


def saltelli_design(n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """Return the N(k + 2) × k design in [0, 1): rows A, then B, then A_B^(1) … A_B^(k).

    A_B^(i) is A with its i-th column taken from B, so runs A_B^(i) and A differ only in factor i.
    """
    base = rng.random((n, 2 * k))
    a, b = base[:, :k], base[:, k:]
    ab = np.repeat(a[None], k, axis=0)  # (k, n, k)
    ab[np.arange(k), :, np.arange(k)] = b.T
    return np.concatenate([a, b, ab.reshape(n * k, k)])


def _estimates(ya: np.ndarray, yb: np.ndarray, yab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Si and STi from arrays (..., N) for A and B and (..., k, N) for A_B^(i); leading axes broadcast."""
    var = np.var(np.concatenate([ya, yb], axis=-1), axis=-1, ddof=1)[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        si = np.mean(yb[..., None, :] * (yab - ya[..., None, :]), axis=-1) / var  # Saltelli 2010
        sti = 0.5 * np.mean((ya[..., None, :] - yab) ** 2, axis=-1) / var  # Jansen 1999
    return si, sti


def sobol_indices(
    y: np.ndarray,
    n: int,
    k: int,
    *,
    names: Sequence[str] | None = None,
    bootstrap: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """Estimate first-order and total sensitivity indices from outputs of a :func:`saltelli_design`.

    Parameters
    ----------
    y : array of shape (N(k + 2),)
        Model output for each design row, in the design's order.
    n, k : int
        Base samples N and number of factors k.
    names : sequence of str, optional
        Factor names; default ``X1 … Xk``.
    bootstrap : int, default 1000
        Resamples of the N base rows (A, B and every A_B^(i) row resampled together, with the variance
        re-estimated each time); 0 leaves the bounds NaN.
    seed : int, default 0
        Seed of the bootstrap resampling.

    Returns
    -------
    DataFrame
        Columns ``Parameter, Si, STi, Si_q5, Si_q95, STi_q5, STi_q95``; the bounds are the 5th and 95th
        percentiles of the bootstrap estimates. NaN everywhere when the output does not vary.
    """
    y = np.asarray(y, dtype="float64")
    if y.shape != (n * (k + 2),):
        raise EngineError(f"敏感性分析的输出个数 {y.size} 与设计不符：应为 N(k+2) = {n * (k + 2)}。")
    names = [f"X{i + 1}" for i in range(k)] if names is None else list(names)
    ya, yb, yab = y[:n], y[n : 2 * n], y[2 * n :].reshape(k, n)
    si, sti = _estimates(ya, yb, yab)
    out = pd.DataFrame({"Parameter": names, "Si": si, "STi": sti})
    bounds = np.full((4, k), np.nan)
    if bootstrap > 0:
        idx = np.random.default_rng(seed).integers(0, n, size=(bootstrap, n))
        bsi, bsti = _estimates(ya[idx], yb[idx], yab[:, idx].transpose(1, 0, 2))
        with np.errstate(all="ignore"):
            if np.isfinite(bsi).all():
                bounds[:2] = np.percentile(bsi, [5, 95], axis=0)
                bounds[2:] = np.percentile(bsti, [5, 95], axis=0)
    for j, col in enumerate(["Si_q5", "Si_q95", "STi_q5", "STi_q95"]):
        out[col] = bounds[j]
    return out[SENSITIVITY_COLUMNS]


@dataclass
class SensitivityResult:
    """Outcome of :func:`run_sensitivity`.

    Attributes
    ----------
    indices : DataFrame
        ``Parameter, Si, STi, Si_q5, Si_q95, STi_q5, STi_q95``, one row per factor.
    output : ndarray of shape (N(k + 2),)
        Mean absolute rank shift from nominal of each run, design order (A, B, A_B^(1) …).
    variance : float
        Variance of the output over the A and B runs.
    uncertainty : UncertaintyResult
        Rank statistics, ranks and design of the 2N independent runs (A and B), as COINr reports them.
    n_base : int
        N.
    """

    indices: pd.DataFrame
    output: np.ndarray
    variance: float
    uncertainty: UncertaintyResult
    n_base: int

    @property
    def rank_stats(self) -> pd.DataFrame:
        """Per-unit rank statistics over the A and B runs."""
        return self.uncertainty.rank_stats


def run_sensitivity(
    data: pd.DataFrame,
    hierarchy: Hierarchy,
    base_spec: MethodSpec | None,
    sa_spec: UncertaintySpec,
    *,
    keep_replications: bool = True,
    chunk_replications: int | None = None,
) -> SensitivityResult:
    """First-order and total sensitivity indices of each uncertain factor on the rank shift.

    Parameters
    ----------
    data, hierarchy, base_spec
        As for :func:`~.uncertainty.run_uncertainty`.
    sa_spec : UncertaintySpec
        ``replications`` is the number N of base samples; N(k + 2) runs are made for k factors.
        ``bootstrap`` sets the resamples for the confidence bounds.
    keep_replications, chunk_replications
        As for :func:`~.uncertainty.run_uncertainty` (they concern the 2N runs A and B kept for the rank
        statistics; the other runs only ever contribute their rank shift).

    Returns
    -------
    SensitivityResult

    Raises
    ------
    EngineError
        As :func:`~.uncertainty.run_uncertainty`; also when no choice is uncertain, or N < 2.
    """
    if not isinstance(sa_spec, UncertaintySpec):
        raise EngineError(f"敏感性分析设置必须是 UncertaintySpec 对象，收到 {type(sa_spec).__name__}。")
    if sa_spec.replications < 2:
        raise EngineError("敏感性分析的基础样本数 replications 至少为 2（建议 500 以上）。")
    sim = _Simulator(data, hierarchy, base_spec or MethodSpec(), sa_spec)
    k, n = len(sim.factors), sa_spec.replications
    if k == 0:
        raise EngineError(
            "敏感性分析没有可变的选择：请至少设置一项权重扰动，或给出两个以上的标准化/合成等备选方法。"
        )
    design = saltelli_design(n, k, sim.rng)
    picks = sim.choices(design)
    nominal = sim.nominal.ranks[sim.target].reindex(sim.units).to_numpy(dtype="float64", na_value=np.nan)
    y = np.empty(design.shape[0])

    def shift(part: np.ndarray, ranks: np.ndarray) -> None:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            y[part] = np.nanmean(np.abs(ranks - nominal), axis=1)

    ranks, scores = simulate(
        sim, picks, keep=keep_replications, chunk=chunk_replications, each=shift, stored=2 * n
    )
    indices = sobol_indices(
        y, n, k, names=[f.name for f in sim.factors], bootstrap=sa_spec.bootstrap, seed=sa_spec.seed
    )
    frame = sim.design_frame(picks).iloc[: 2 * n].reset_index(drop=True)
    ua = _assemble(sim, sa_spec, scores, ranks, frame)
    return SensitivityResult(
        indices=indices,
        output=y,
        variance=float(np.var(y[: 2 * n], ddof=1)),
        uncertainty=ua,
        n_base=n,
    )
