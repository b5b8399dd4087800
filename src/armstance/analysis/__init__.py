"""`armstance analyze`: corpus-scale tables and discourse networks from predictions.

loading (the prediction table or JSONL) -> names (one name per actor across documents)
-> periods -> stance_tables (shares, intervals, adjusted shares, with adjustment) and
networks -> figures -> report; command ties them together and writes the folder.
"""
