"""Stance per actor and period (and group): shares with bootstrap intervals, and the
shares adjusted for the model's errors.

The unit is the document: in each document an actor has one stance (the model's label; if
two forms merged into one actor in the same document, the more confident label). A cell
(group, actor, period) counts its documents and the share of them in which the actor is
favor / against / none. Intervals: 95% percentile intervals from `n_boot` resamples of
the cell's documents with replacement (drawn as one multinomial over the cell's stance
counts, which is the same thing), from one generator seeded `seed`, cells in table order.
Adjusted shares (and their intervals) apply analysis.adjustment to the shares (to each
resample).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from armstance.analysis.adjustment import adjust
from armstance.schema import STANCES

PROBA = [f"p_{label}" for label in STANCES]


def document_stances(actors: pd.DataFrame, period: pd.Series) -> pd.DataFrame:
    """One row per (document, canonical actor): its stance and the document's period."""
    confidence = actors[PROBA].max(axis=1)
    ranked = actors.assign(_confidence=confidence).sort_values(
        ["doc_id", "actor", "_confidence"], ascending=[True, True, False], kind="stable"
    )
    one = ranked.drop_duplicates(["doc_id", "actor"]).drop(columns="_confidence")
    return one.assign(period=one["doc_id"].map(period)).reset_index(drop=True)


def _intervals(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.nanpercentile(samples, 2.5, axis=0), np.nanpercentile(samples, 97.5, axis=0)


def stance_table(
    stances: pd.DataFrame,
    group_by: str | None,
    min_docs: int,
    n_boot: int,
    seed: int,
    rates: np.ndarray | None,
) -> pd.DataFrame:
    """One row per cell with at least `min_docs` documents; columns: [group], actor,
    period, n_docs, then per stance its share, _lo, _hi, adj_ share, adj_ _lo, adj_ _hi."""
    keys = [*([group_by] if group_by else []), "actor", "period"]
    rng = np.random.default_rng(seed)
    rows = []
    for key, cell in stances.groupby(keys, sort=True, dropna=False):
        n = len(cell)
        if n < min_docs:
            continue
        counts = np.array([(cell["stance"] == s).sum() for s in STANCES], dtype=float)
        share = counts / n
        samples = rng.multinomial(n, share, size=n_boot) / n
        lo, hi = _intervals(samples)
        row = dict(zip(keys, key, strict=True)) | {"n_docs": n}
        for k, label in enumerate(STANCES):
            row |= {label: share[k], f"{label}_lo": lo[k], f"{label}_hi": hi[k]}
        if rates is not None:
            adjusted = adjust(share, rates)
            adj_lo, adj_hi = _intervals(adjust(samples, rates))
            for k, label in enumerate(STANCES):
                row |= {
                    f"adj_{label}": adjusted[k],
                    f"adj_{label}_lo": adj_lo[k],
                    f"adj_{label}_hi": adj_hi[k],
                }
        rows.append(row)
    columns = [*keys, "n_docs"]
    for prefix in ("", "adj_"):
        columns += [f"{prefix}{s}{end}" for s in STANCES for end in ("", "_lo", "_hi")]
    return pd.DataFrame(rows, columns=columns)
