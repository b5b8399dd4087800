"""Fitting pipelines from labelled documents: the classifiers, cross-validation by document,
the pipeline a Hydra configuration describes, and the learning curve."""
