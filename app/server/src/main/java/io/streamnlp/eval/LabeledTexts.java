package io.streamnlp.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An AG News style CSV: {@code label,text} (quoted fields, "" escapes, optional header), labels either
 * names or 1-based class ids resolved with a {@code classes.csv} beside the file (else AG News's
 * World, Sports, Business, Sci/Tech).
 */
public final class LabeledTexts {
    public record Row(String label, String text) {}

    public static final List<String> AG_NEWS = List.of("World", "Sports", "Business", "Sci/Tech");

    private LabeledTexts() {}

    public static List<Row> read(Path file) throws IOException {
        List<String> classes = classes(file);
        List<Row> rows = new ArrayList<>();
        String content = Files.readString(file, StandardCharsets.UTF_8);
        List<List<String>> records = parseCsv(content);
        for (int i = 0; i < records.size(); i++) {
            List<String> r = records.get(i);
            if (r.size() < 2) {
                continue;
            }
            String label = r.get(0).strip();
            if (i == 0 && label.equalsIgnoreCase("label")) {
                continue; // header
            }
            String text = String.join(" ", r.subList(1, r.size()));
            if (label.matches("\\d+")) {
                int id = Integer.parseInt(label);
                if (id < 1 || id > classes.size()) {
                    throw new IOException(file + ": class id " + id + " outside 1.." + classes.size());
                }
                label = classes.get(id - 1);
            }
            rows.add(new Row(label, text));
        }
        return rows;
    }

    static List<String> classes(Path file) throws IOException {
        Path c = file.resolveSibling("classes.csv");
        if (!Files.isRegularFile(c)) {
            return AG_NEWS;
        }
        Map<Integer, String> byId = new LinkedHashMap<>();
        for (List<String> r : parseCsv(Files.readString(c, StandardCharsets.UTF_8))) {
            if (r.size() >= 2 && r.get(0).strip().matches("\\d+")) {
                byId.put(Integer.parseInt(r.get(0).strip()), r.get(1).strip());
            } else if (r.size() == 1 && !r.get(0).isBlank()) {
                byId.put(byId.size() + 1, r.get(0).strip());
            }
        }
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= byId.size(); i++) {
            out.add(byId.getOrDefault(i, "class-" + i));
        }
        return out.isEmpty() ? AG_NEWS : out;
    }

    /** RFC 4180 CSV. */
    static List<List<String>> parseCsv(String s) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (quoted) {
                if (ch == '"') {
                    if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    field.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
                any = true;
            } else if (ch == ',') {
                row.add(field.toString());
                field.setLength(0);
                any = true;
            } else if (ch == '\n' || ch == '\r') {
                if (ch == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                    i++;
                }
                if (any || field.length() > 0) {
                    row.add(field.toString());
                    rows.add(row);
                }
                row = new ArrayList<>();
                field.setLength(0);
                any = false;
            } else {
                field.append(ch);
                any = true;
            }
        }
        if (any || field.length() > 0) {
            row.add(field.toString());
            rows.add(row);
        }
        return rows;
    }
}
