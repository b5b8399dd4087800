"""`armstance compare`: the leaderboard of the experiments logged in MLflow, paired
bootstrap tests between runs, the results report (experiments/README.md) and promotion."""
