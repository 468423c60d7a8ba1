"""The analysis statistics computed by independent implementations, on data Chorus's test generated.

Input (stdin, JSON): {"scenarios": S, "groups": [...], "minGroupSize": m, "confidence": c,
  "rows": [{"participant", "group", "scenario", "world": [rank of A..D], "personal": [...] | null,
            "unacceptable": [bool A..D] | null}]}

Output (stdout, JSON), per scenario and pooled:
- Krippendorff's alpha (ordinal) from NLTK's AnnotationTask (coders = participants, items = responses);
- Kruskal-Wallis of each response's rank across groups of at least m assessments (scipy.stats.kruskal),
  Holm-adjusted over all tests (a plain loop over the sorted p-values);
- world vs personal: mean Kendall tau-b (scipy.stats.kendalltau), share of identical rankings;
- Wilson score intervals of the unacceptable shares (scipy.stats.binomtest(...).proportion_ci).
"""

import json
import math
import sys
from collections import Counter

from nltk.metrics.agreement import AnnotationTask
from scipy import stats

LABELS = "ABCD"


def ordinal_alpha(triples):
    """NLTK's alpha with Krippendorff's ordinal metric built from the pairable values' frequencies."""
    per_item = Counter(item for _, item, _ in triples)
    pairable = Counter(value for _, item, value in triples if per_item[item] >= 2)
    ordered = sorted(pairable)

    def distance(a, b):
        low, high = sorted((ordered.index(a), ordered.index(b)))
        between = sum(pairable[ordered[g]] for g in range(low, high + 1))
        return (between - (pairable[ordered[low]] + pairable[ordered[high]]) / 2) ** 2

    if len(pairable) < 2:
        return None
    return AnnotationTask(data=triples, distance=distance).alpha()


def holm(p_values):
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [1.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def wilson(k, n, confidence):
    interval = stats.binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    return [interval.low, interval.high]


def main():
    data = json.load(sys.stdin)
    rows, scenarios, groups = data["rows"], data["scenarios"], data["groups"]
    minimum, confidence = data["minGroupSize"], data["confidence"]
    out = {"scenarios": [], "pooled": {}}

    pooled_triples = []
    tests = []
    for s in range(scenarios):
        here = [row for row in rows if row["scenario"] == s]
        triples = [(row["participant"], label, row["world"][i]) for row in here for i, label in enumerate(LABELS)]
        pooled_triples += [(coder, (s, item), value) for coder, item, value in triples]
        entry = {"alpha": ordinal_alpha(triples), "kruskal": {}}
        sizes = Counter(row["group"] for row in here)
        included = [g for g in range(len(groups)) if sizes[g] >= minimum]
        for i, label in enumerate(LABELS):
            samples = [[row["world"][i] for row in here if row["group"] == g] for g in included]
            if len(samples) >= 2 and len({v for sample in samples for v in sample}) > 1:
                result = stats.kruskal(*samples)
                entry["kruskal"][label] = {"h": result.statistic, "p": result.pvalue, "df": len(samples) - 1}
                tests.append((s, label, result.pvalue))
            else:
                entry["kruskal"][label] = None

        both = [row for row in here if row["personal"] is not None]
        taus = [stats.kendalltau(row["world"], row["personal"]).statistic for row in both]
        taus = [t for t in taus if not math.isnan(t)]
        entry["tauB"] = sum(taus) / len(taus) if taus else None
        entry["identical"] = sum(row["world"] == row["personal"] for row in both) / len(both) if both else None

        asked = [row for row in here if row["unacceptable"] is not None]
        entry["unacceptable"] = {"asked": len(asked)}
        if asked:
            for i, label in enumerate(LABELS):
                k = sum(row["unacceptable"][i] for row in asked)
                entry["unacceptable"][label] = {"k": k, "interval": wilson(k, len(asked), confidence)}
            k = sum(any(row["unacceptable"]) for row in asked)
            entry["unacceptable"]["any"] = {"k": k, "interval": wilson(k, len(asked), confidence)}
        out["scenarios"].append(entry)

    adjusted = holm([p for _, _, p in tests])
    for (s, label, _), p_holm in zip(tests, adjusted):
        out["scenarios"][s]["kruskal"][label]["pHolm"] = p_holm
    out["pooled"]["alpha"] = ordinal_alpha(pooled_triples)
    both = [row for row in rows if row["personal"] is not None]
    taus = [stats.kendalltau(row["world"], row["personal"]).statistic for row in both]
    taus = [t for t in taus if not math.isnan(t)]
    out["pooled"]["tauB"] = sum(taus) / len(taus)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
