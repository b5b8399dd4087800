"""Discourse networks (DNA / rDNA style) of actors and their stance toward arming Ukraine.

- **two-mode** (affiliation): actors on one side, the concepts `favor` and `against` on
  the other; an edge actor–concept weighted by the number of documents in which the model
  gives the actor that stance.
- **congruence** (one-mode): an edge between two actors for each period (`--window`) in
  which both hold the same majority stance, favor or against; weight = number of such
  periods.
- **conflict** (one-mode): the same for opposite majority stances (one favor, one against).

An actor's majority stance in a period is the stance of most of its documents there; a tie
has no majority. `none` never makes an edge: an actor whose majority is `none` is in no
one-mode edge for that period. docs/ANALYSIS.md works an example through.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

import networkx as nx
import pandas as pd

CONCEPTS = ("favor", "against")


@dataclass(frozen=True)
class Networks:
    two_mode: nx.Graph
    congruence: nx.Graph
    conflict: nx.Graph

    def items(self) -> list[tuple[str, nx.Graph]]:
        return [
            ("two_mode", self.two_mode),
            ("congruence", self.congruence),
            ("conflict", self.conflict),
        ]


def majority_stances(stances: pd.DataFrame) -> dict[str, dict[str, str]]:
    """period -> actor -> majority stance (favor or against only; ties and none left out)."""
    out: dict[str, dict[str, str]] = {}
    for (period, actor), cell in stances.groupby(["period", "actor"], sort=True):
        ranked = Counter(cell["stance"]).most_common()
        tie = len(ranked) > 1 and ranked[0][1] == ranked[1][1]
        if not tie and ranked[0][0] in CONCEPTS:
            out.setdefault(period, {})[actor] = ranked[0][0]
    return out


def two_mode(stances: pd.DataFrame) -> nx.Graph:
    graph = nx.Graph()
    graph.add_nodes_from(CONCEPTS, bipartite="concept")
    stanced = stances[stances["stance"].isin(CONCEPTS)]
    for (actor, stance), cell in stanced.groupby(["actor", "stance"], sort=True):
        graph.add_node(actor, bipartite="actor")
        graph.add_edge(actor, stance, weight=int(cell["doc_id"].nunique()))
    return graph


def one_mode(majorities: dict[str, dict[str, str]], agree: bool) -> nx.Graph:
    graph = nx.Graph()
    for majority in majorities.values():
        graph.add_nodes_from(majority)
        for a, b in combinations(sorted(majority), 2):
            if (majority[a] == majority[b]) == agree:
                weight = graph.get_edge_data(a, b, {"weight": 0})["weight"]
                graph.add_edge(a, b, weight=weight + 1)
    return graph


def networks(stances: pd.DataFrame) -> Networks:
    """The three networks of `stances` (document_stances with `period` = the window)."""
    majorities = majority_stances(stances)
    return Networks(two_mode(stances), one_mode(majorities, True), one_mode(majorities, False))


def edge_frame(graph: nx.Graph, two_mode_graph: bool = False) -> pd.DataFrame:
    """The edge list, heaviest first; a two-mode edge reads actor, stance."""
    names = ("actor", "stance") if two_mode_graph else ("source", "target")
    rows = []
    for a, b, data in graph.edges(data=True):
        if (two_mode_graph and a in CONCEPTS) or (not two_mode_graph and b < a):
            a, b = b, a
        rows.append({names[0]: a, names[1]: b, "weight": data["weight"]})
    frame = pd.DataFrame(rows, columns=[*names, "weight"])
    return frame.sort_values(["weight", *names], ascending=[False, True, True]).reset_index(
        drop=True
    )


def write_networks(found: Networks, folder: Path) -> list[Path]:
    """GraphML and CSV edge list of each network in `folder`; returns the files."""
    written = []
    for name, graph in found.items():
        graphml, csv = folder / f"network_{name}.graphml", folder / f"network_{name}_edges.csv"
        nx.write_graphml(graph, graphml)
        edge_frame(graph, name == "two_mode").to_csv(csv, index=False)
        written += [graphml, csv]
    return written
