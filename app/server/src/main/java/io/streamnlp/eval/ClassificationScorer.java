package io.streamnlp.eval;

import java.util.List;
import java.util.Locale;

/** Accuracy, per-class precision/recall/F1 and the confusion matrix of a single-label classifier. */
public final class ClassificationScorer {
    private final List<String> labels;
    private final long[][] confusion;
    private long unknown;

    public ClassificationScorer(List<String> labels) {
        this.labels = List.copyOf(labels);
        this.confusion = new long[labels.size()][labels.size()];
    }

    public void add(String gold, String predicted) {
        int g = labels.indexOf(gold);
        int p = labels.indexOf(predicted);
        if (g < 0) {
            throw new IllegalArgumentException("unknown gold label " + gold);
        }
        if (p < 0) {
            unknown++;
            return;
        }
        confusion[g][p]++;
    }

    public long total() {
        long n = unknown;
        for (long[] row : confusion) for (long v : row) n += v;
        return n;
    }

    /** Accuracy in percent. */
    public double accuracy() {
        long ok = 0;
        for (int i = 0; i < labels.size(); i++) ok += confusion[i][i];
        return total() == 0 ? 0 : 100.0 * ok / total();
    }

    public double[] prf(int k) {
        long tp = confusion[k][k], predicted = 0, support = 0;
        for (int i = 0; i < labels.size(); i++) {
            predicted += confusion[i][k];
            support += confusion[k][i];
        }
        double p = predicted == 0 ? 0 : 100.0 * tp / predicted;
        double r = support == 0 ? 0 : 100.0 * tp / support;
        return new double[] {p, r, p + r == 0 ? 0 : 2 * p * r / (p + r), support};
    }

    public String report() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "accuracy: %.2f%% (%d records)%n%n", accuracy(), total()));
        sb.append(String.format(
                Locale.ROOT, "%-12s %9s %9s %9s %9s%n", "class", "precision", "recall", "f1-score", "support"));
        double mp = 0, mr = 0, mf = 0;
        for (int k = 0; k < labels.size(); k++) {
            double[] v = prf(k);
            mp += v[0];
            mr += v[1];
            mf += v[2];
            sb.append(String.format(
                    Locale.ROOT, "%-12s %9.2f %9.2f %9.2f %9d%n", labels.get(k), v[0], v[1], v[2], (long) v[3]));
        }
        int n = labels.size();
        sb.append(String.format(
                Locale.ROOT, "%-12s %9.2f %9.2f %9.2f %9d%n%n", "macro avg", mp / n, mr / n, mf / n, total()));
        sb.append("confusion (rows gold, columns predicted):").append(System.lineSeparator());
        sb.append(String.format(Locale.ROOT, "%-12s", ""));
        for (String l : labels) sb.append(String.format(Locale.ROOT, " %9s", l));
        sb.append(System.lineSeparator());
        for (int i = 0; i < n; i++) {
            sb.append(String.format(Locale.ROOT, "%-12s", labels.get(i)));
            for (int j = 0; j < n; j++) sb.append(String.format(Locale.ROOT, " %9d", confusion[i][j]));
            sb.append(System.lineSeparator());
        }
        return sb.toString();
    }
}
