"""Scoring against gold labels (DESIGN.md, Contracts: Scoring) and annotator agreement."""
