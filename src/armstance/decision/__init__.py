"""Decision rules between the unit probabilities and the labels: per-class weights
(rules.py), fitted by nested cross-validation on training documents only (fit.py)."""
