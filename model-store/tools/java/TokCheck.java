import ai.djl.huggingface.tokenizers.*;
import java.nio.file.*;
import java.io.*;
import java.util.*;

public class TokCheck {
  public static void main(String[] a) throws Exception {
    try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(Paths.get(a[0]), Map.of("maxLength", "100000", "truncation", "false"));
         PrintWriter out = new PrintWriter(a[2])) {
      for (String line : Files.readAllLines(Paths.get(a[1]))) {
        Encoding e = tok.encode(line);
        StringBuilder sb = new StringBuilder();
        for (long id : e.getIds()) sb.append(id).append(' ');
        sb.append('|');
        for (long w : e.getWordIds()) sb.append(' ').append(w);
        out.println(sb);
      }
    }
  }
}
