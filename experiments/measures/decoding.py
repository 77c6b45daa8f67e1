"""Population decoding of a stimulus (e.g. a grating's drift direction) from single-trial
responses: a linear decoder, cross-validated, beside its shuffled-label chance level."""

from __future__ import annotations

import numpy as np


def decoding_accuracy(trial_responses) -> float:
    """Leave-one-trial-out accuracy of a linear decoder of the stimulus class.

    The decoder is linear discriminant analysis with a diagonal covariance (each cell's
    within-class variance, pooled over classes and shrunk half-way to the population's mean
    variance so that a cell seen to vary little is not trusted without bound): a trial's
    class is the one maximising ``Σᵢ (xᵢ μᵢ꜀ − μᵢ꜀² / 2) / σᵢ²``, linear in the responses
    ``x``. It is the Bayes-optimal decoder of independent Gaussian responses with class
    means ``μ`` and class-independent variances ``σ²`` once those are known. Trial ``t`` of
    every class is decoded by the decoder trained on the other trials.

    Parameters
    ----------
    trial_responses : ndarray, shape (n_cells, n_classes, n_trials)
        Single-trial responses (e.g. spike counts or rates); at least two trials.

    Returns
    -------
    float
        Fraction of the ``n_classes × n_trials`` held-out trials decoded correctly (chance:
        ``1 / n_classes``).

    Examples
    --------
    >>> responses = np.array([[[1.0, 1.2], [3.0, 3.1]], [[2.0, 2.2], [0.0, 0.1]]])
    >>> decoding_accuracy(responses)
    1.0
    """
    responses = np.asarray(trial_responses, dtype=float)
    n_trials = responses.shape[2]
    if n_trials < 2:
        raise ValueError(f"decoding needs at least 2 trials per class, got {n_trials}")
    correct = 0
    for held_out in range(n_trials):
        training = np.delete(responses, held_out, axis=2)
        means = training.mean(axis=2)  # (cell, class)
        weights = means / _shrunk_variance(training, means)[:, None]
        scores = (responses[:, :, held_out].T @ weights
                  - 0.5 * (means * weights).sum(axis=0))  # (trial's class, class)
        correct += int((scores.argmax(axis=1) == np.arange(len(scores))).sum())
    return correct / (responses.shape[1] * n_trials)


def _shrunk_variance(training, means):
    """Each cell's within-class variance pooled over classes, shrunk half-way to the mean over
    cells; one where no cell varies (one training trial per class, or a silent population)."""
    _, n_classes, n_trials = training.shape
    # One trial per class has no within-class spread: every deviation is 0.
    pooled = ((training - means[:, :, None]) ** 2).sum(axis=(1, 2)) / (
        n_classes * max(n_trials - 1, 1))
    mean = pooled.mean()
    if mean == 0:
        return np.ones_like(pooled)
    return 0.5 * (pooled + mean)


def shuffled_decoding_accuracy(trial_responses, rng, n_shuffles=20) -> np.ndarray:
    """`decoding_accuracy` after the class labels of all single trials are shuffled, once per
    shuffle: its mean is the decoder's chance level on these responses, its spread over
    shuffles the scale that an accuracy must clear (at ``1 / n_classes`` for any responses).

    Returns
    -------
    ndarray, shape (n_shuffles,)
    """
    responses = np.asarray(trial_responses, dtype=float)
    n_cells, n_classes, n_trials = responses.shape
    trials = responses.reshape(n_cells, n_classes * n_trials)
    return np.array([
        decoding_accuracy(trials[:, rng.permutation(n_classes * n_trials)].reshape(
            n_cells, n_classes, n_trials))
        for _ in range(n_shuffles)])
