"""Figures of an analysis (PNG, matplotlib's Agg backend): the top actors' stance over
time and a drawing of each network."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import networkx as nx
import pandas as pd

from armstance.analysis.networks import CONCEPTS, Networks

COLOURS = {"favor": "tab:blue", "against": "tab:red", "none": "tab:gray"}


def top_actors(table: pd.DataFrame, n: int) -> list[str]:
    """The `n` actors with the most documents over all cells."""
    totals = table.groupby("actor")["n_docs"].sum().sort_values(ascending=False, kind="stable")
    return list(totals.index[:n])


def timeline(table: pd.DataFrame, actors: list[str], path: Path, title: str) -> Path:
    """Favor and against shares per period of each actor (one panel each), 95% intervals
    shaded; adjusted shares dashed where the table has them."""
    columns = min(3, max(1, len(actors)))
    rows = math.ceil(len(actors) / columns) or 1
    fig, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3 * rows), squeeze=False)
    periods = sorted(table["period"].unique())
    for ax, actor in zip(axes.flat, actors, strict=False):
        cells = table[table["actor"] == actor].groupby("period").agg("mean", numeric_only=True)
        cells = cells.reindex(periods)
        x = range(len(periods))
        for stance in CONCEPTS:
            ax.plot(x, cells[stance], marker="o", color=COLOURS[stance], label=stance)
            ax.fill_between(
                x, cells[f"{stance}_lo"], cells[f"{stance}_hi"], color=COLOURS[stance], alpha=0.15
            )
            if cells[f"adj_{stance}"].notna().any():
                ax.plot(
                    x,
                    cells[f"adj_{stance}"],
                    ls="--",
                    marker="x",
                    color=COLOURS[stance],
                    label=f"{stance} (adjusted)",
                )
        ax.set_title(actor, fontsize=10)
        ax.set_ylim(0, 1)
        ax.set_xticks(list(x), periods, rotation=60, fontsize=7)
    for ax in list(axes.flat)[len(actors) :]:
        ax.set_visible(False)
    if actors:
        axes.flat[0].legend(fontsize=7)
    else:
        axes.flat[0].set_visible(True)
        axes.flat[0].text(0.5, 0.5, "no cell with enough documents", ha="center")
        axes.flat[0].set_axis_off()
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _draw(graph: nx.Graph, ax, two_mode_graph: bool) -> None:
    if graph.number_of_edges() == 0:
        ax.text(0.5, 0.5, "no edges", ha="center", va="center")
        ax.set_axis_off()
        return
    graph = graph.subgraph([n for n in graph if graph.degree(n) > 0])
    if two_mode_graph:
        actors = [n for n in graph if n not in CONCEPTS]
        layout = nx.bipartite_layout(graph, actors)
        colours = [COLOURS.get(n, "lightsteelblue") for n in graph]
    else:
        layout = nx.spring_layout(graph, seed=0, weight="weight")
        colours = "lightsteelblue"
    weights = [d["weight"] for _, _, d in graph.edges(data=True)]
    top = max(weights)
    nx.draw_networkx_edges(
        graph, layout, ax=ax, width=[0.5 + 4 * w / top for w in weights], alpha=0.6
    )
    nx.draw_networkx_nodes(graph, layout, ax=ax, node_color=colours, node_size=250)
    nx.draw_networkx_labels(graph, layout, ax=ax, font_size=7)
    ax.set_axis_off()


def network_figures(found: Networks, folder: Path, max_nodes: int) -> list[Path]:
    """One PNG per network, drawn with its `max_nodes` best-connected nodes."""
    paths = []
    for name, graph in found.items():
        keep = sorted(graph, key=lambda n: -graph.degree(n, weight="weight"))[:max_nodes]
        if name == "two_mode":
            keep = list(dict.fromkeys([*CONCEPTS, *keep]))[: max_nodes + 2]
        fig, ax = plt.subplots(figsize=(7, 6))
        _draw(graph.subgraph(keep), ax, name == "two_mode")
        ax.set_title(f"{name.replace('_', '-')} network (edge width = weight)")
        path = folder / f"network_{name}.png"
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)
        paths.append(path)
    return paths
