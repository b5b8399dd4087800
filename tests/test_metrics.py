import numpy as np
import pytest

from armstance.evaluation.metrics import (
    class_f1,
    cohen_kappa,
    confusion_matrix,
    f_avg,
    macro_f1,
    optional,
)
from armstance.schema import STANCES

# Rows are gold, columns predicted, in STANCES order (favor, against, none).
GOLD = ["favor", "favor", "against", "none", "none", "none"]
PRED = ["favor", "against", "against", "none", "favor", "none"]


def cm(gold, pred):
    return confusion_matrix(gold, pred, STANCES)


def test_confusion_matrix_counts_gold_rows_pred_columns():
    assert cm(GOLD, PRED).tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]


def test_per_class_f1_by_hand():
    # favor:   TP 1, gold 2, pred 2 -> 2*1/(2+2) = 0.5
    # against: TP 1, gold 1, pred 2 -> 2*1/(1+2) = 2/3
    # none:    TP 2, gold 3, pred 2 -> 2*2/(3+2) = 0.8
    assert class_f1(cm(GOLD, PRED)) == pytest.approx([0.5, 2 / 3, 0.8])


def test_f_avg_and_macro_f1_by_hand():
    # F_avg = (0.5 + 2/3) / 2 = 0.58333; macro = (0.5 + 2/3 + 0.8) / 3 = 0.65556
    assert optional(f_avg(cm(GOLD, PRED))) == pytest.approx(7 / 12)
    assert optional(macro_f1(cm(GOLD, PRED))) == pytest.approx((0.5 + 2 / 3 + 0.8) / 3)


def test_cohen_kappa_by_hand():
    # p_o = 4/6; gold counts (2,1,3), pred counts (2,2,2): p_e = (4+2+6)/36 = 1/3;
    # kappa = (2/3 - 1/3) / (1 - 1/3) = 0.5
    assert optional(cohen_kappa(cm(GOLD, PRED))) == pytest.approx(0.5)
    # Total disagreement on two items: p_o = 0, p_e = (1+1)/4 = 0.5 -> kappa = -1
    assert optional(cohen_kappa(cm(["favor", "against"], ["against", "favor"]))) == -1.0


def test_class_absent_from_both_sides_is_na_not_zero():
    matrix = cm(["favor", "none"], ["favor", "none"])
    f1 = class_f1(matrix)
    assert f1[0] == 1.0 and np.isnan(f1[1]) and f1[2] == 1.0
    # against is n/a: F_avg is the mean over favor alone, macro-F1 over favor and none.
    assert optional(f_avg(matrix)) == 1.0
    assert optional(macro_f1(matrix)) == 1.0


def test_class_on_one_side_only_scores_zero():
    # favor: gold 1, pred 0 -> 0; against: gold 0, pred 1 -> 0; none: 2*1/(1+1) = 1
    matrix = cm(["favor", "none"], ["against", "none"])
    assert class_f1(matrix) == pytest.approx([0.0, 0.0, 1.0])
    assert optional(f_avg(matrix)) == 0.0
    assert optional(macro_f1(matrix)) == pytest.approx(1 / 3)


def test_only_none_leaves_f_avg_and_kappa_na():
    matrix = cm(["none", "none"], ["none", "none"])
    assert optional(f_avg(matrix)) is None
    assert optional(macro_f1(matrix)) == 1.0
    # p_e = 1: kappa would be 0/0
    assert optional(cohen_kappa(matrix)) is None


def test_empty_matrix_is_na_everywhere():
    matrix = cm([], [])
    for metric in (f_avg, macro_f1, cohen_kappa):
        assert optional(metric(matrix)) is None


def test_batched_matrices_score_like_single_ones():
    singles = [cm(GOLD, PRED), cm(["favor", "none"], ["favor", "none"]), cm(["none"], ["none"])]
    for metric in (f_avg, macro_f1, cohen_kappa):
        # The last matrix gives NaN for F_avg and kappa; assert_allclose equates NaNs.
        np.testing.assert_allclose(metric(np.stack(singles)), [metric(m) for m in singles])
