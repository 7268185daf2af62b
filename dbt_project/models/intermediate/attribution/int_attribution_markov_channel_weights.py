"""One row per conversion type and channel: the channel's Markov removal effect.

For each conversion type, the transition counts of int_attribution_markov_transitions
make a first-order absorbing Markov chain: transient states '(start)' and the
channels, absorbing states '(conversion)' and '(null)', transition probabilities
P(a -> b) = count(a -> b) / count(a -> anything). The probability of conversion from
'(start)' solves (I - Q) x = r, with Q the transient-to-transient probabilities and r
the transient-to-conversion ones. Removing a channel sends every visit to it to
'(null)'; its removal effect is 1 - P(conversion without it) / P(conversion), and its
weight is its removal effect divided by the sum over the conversion type's channels.
fct_attribution_credit shares each converting path's credit among the channels on it
in proportion to these weights, split equally among each channel's touches.
"""

import numpy as np
import pandas as pd

START, CONVERSION, NULL = "(start)", "(conversion)", "(null)"
COLUMNS = ["conversion_type", "channel", "conversion_probability", "conversion_probability_without_channel",
           "removal_effect", "channel_weight", "transitions_into_channel"]


def conversion_probability(states: list[str], q: np.ndarray, r: np.ndarray) -> float:
    """P(reaching '(conversion)' from '(start)') of the chain with transient part q, r."""
    x = np.linalg.solve(np.eye(len(states)) - q, r)
    return float(x[states.index(START)])


def removal_effects(transitions: pd.DataFrame) -> pd.DataFrame:
    """The removal effect and normalized weight of every channel of one conversion type."""
    channels = sorted((set(transitions["from_state"]) | set(transitions["to_state"])) - {START, CONVERSION, NULL})
    states = [START] + channels
    index = {s: i for i, s in enumerate(states)}
    counts = np.zeros((len(states), len(states) + 2))  # + conversion, null
    for row in transitions.itertuples(index=False):
        to = {CONVERSION: len(states), NULL: len(states) + 1}.get(row.to_state, index.get(row.to_state))
        counts[index[row.from_state], to] += row.transition_count
    totals = counts.sum(axis=1, keepdims=True)
    probabilities = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    q, r = probabilities[:, : len(states)], probabilities[:, len(states)]
    base = conversion_probability(states, q, r)
    rows = []
    for channel in channels:
        i = index[channel]
        q_removed, r_removed = q.copy(), r.copy()
        q_removed[i, :] = 0.0
        r_removed[i] = 0.0
        without = conversion_probability(states, q_removed, r_removed)
        effect = 1.0 - without / base if base > 0 else 0.0
        rows.append((channel, base, without, max(effect, 0.0), int(counts[:, i].sum())))
    out = pd.DataFrame(rows, columns=["channel", "conversion_probability", "conversion_probability_without_channel",
                                      "removal_effect", "transitions_into_channel"])
    total_effect = out["removal_effect"].sum()
    out["channel_weight"] = out["removal_effect"] / total_effect if total_effect > 0 else np.nan
    return out


def model(dbt, session):
    dbt.config(materialized="table")
    transitions = dbt.ref("int_attribution_markov_transitions").df()
    frames = []
    for conversion_type, group in transitions.groupby("conversion_type", sort=True):
        result = removal_effects(group)
        result.insert(0, "conversion_type", conversion_type)
        frames.append(result)
    if not frames:
        return pd.DataFrame({
            "conversion_type": pd.Series([], dtype="object"), "channel": pd.Series([], dtype="object"),
            **{c: pd.Series([], dtype="float64") for c in COLUMNS[2:6]},
            "transitions_into_channel": pd.Series([], dtype="int64"),
        })
    return pd.concat(frames, ignore_index=True)[COLUMNS]
