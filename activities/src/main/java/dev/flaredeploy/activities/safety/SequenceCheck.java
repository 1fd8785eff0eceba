package dev.flaredeploy.activities.safety;

import dev.flaredeploy.activities.config.MigrationOrder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;

/**
 * Checks the names in a migrations directory against the way wrangler reads them ({@link
 * MigrationOrder}): only names ending in {@code .sql} are applied, in the order of the number before the
 * first underscore as JavaScript's {@code parseInt} reads it, and equal or missing numbers leave the order
 * to the directory listing, which differs between machines.
 */
public final class SequenceCheck {
  private SequenceCheck() {}

  /**
   * @param fileNames the names of the regular files directly in the migrations directory
   * @return ERRORs for duplicate numbers ({@code sequence.duplicate}), names without a number ({@code
   *     sequence.unnumbered}) and files named like SQL that wrangler skips ({@code sequence.ignored});
   *     WARNINGs for gaps ({@code sequence.gap}), other skipped files that look like migrations, numbers
   *     that are not what the name shows ({@code sequence.prefix}) and an order that differs from the
   *     names' alphabetical order ({@code sequence.order})
   */
  public static List<Finding> check(Collection<String> fileNames) {
    List<Finding> findings = new ArrayList<>();
    List<String> migrations = new ArrayList<>();
    for (String name : fileNames) {
      if (name.endsWith(".sql")) {
        migrations.add(name);
      } else {
        ignored(name, findings);
      }
    }
    List<String> ordered = MigrationOrder.sort(migrations);
    Map<Double, List<String>> byNumber = new TreeMap<>();
    for (String name : ordered) {
      OptionalDouble number = MigrationOrder.number(name);
      if (number.isEmpty()) {
        findings.add(
            new Finding(
                Finding.Severity.ERROR,
                "sequence.unnumbered",
                name,
                "has no number before its first underscore: wrangler cannot order it and applies it"
                    + " wherever the directory listing puts it, which differs between machines",
                "rename it with the next free number, e.g. " + nextName(ordered, name)));
        continue;
      }
      byNumber.computeIfAbsent(number.getAsDouble(), n -> new ArrayList<>()).add(name);
      String prefix = name.contains("_") ? name.substring(0, name.indexOf('_')) : name;
      if (!prefix.chars().allMatch(c -> c >= '0' && c <= '9')) {
        findings.add(
            new Finding(
                Finding.Severity.WARNING,
                "sequence.prefix",
                name,
                "wrangler reads its number as " + format(number.getAsDouble()) + " (parseInt of \""
                    + prefix + "\")",
                "start the name with plain digits followed by an underscore"));
      }
    }
    byNumber.forEach(
        (number, names) -> {
          if (names.size() > 1) {
            findings.add(
                new Finding(
                    Finding.Severity.ERROR,
                    "sequence.duplicate",
                    String.join(", ", names),
                    String.join(" and ", names) + " share number " + format(number)
                        + ": wrangler applies them in directory order, which differs between"
                        + " machines",
                    "renumber the one that has not been applied anywhere yet"));
          }
        });
    gaps(byNumber, findings);
    for (int i = 0; i + 1 < ordered.size(); i++) {
      String first = ordered.get(i);
      String second = ordered.get(i + 1);
      OptionalDouble a = MigrationOrder.number(first);
      OptionalDouble b = MigrationOrder.number(second);
      if (a.isPresent() && b.isPresent() && a.getAsDouble() != b.getAsDouble()
          && second.compareTo(first) < 0) {
        findings.add(
            new Finding(
                Finding.Severity.WARNING,
                "sequence.order",
                first + ", " + second,
                "wrangler applies " + first + " before " + second + ", but " + second
                    + " sorts first by name (in ls, editors and other tools)",
                "pad the numbers to one width, e.g. " + padded(first, ordered) + " and "
                    + padded(second, ordered)));
      }
    }
    return List.copyOf(findings);
  }

  private static void ignored(String name, List<Finding> findings) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".sql")) {
      findings.add(
          new Finding(
              Finding.Severity.ERROR,
              "sequence.ignored",
              name,
              "is never applied: wrangler only reads names ending in \".sql\" (in lower case)",
              "rename it to end in .sql"));
    } else if (lower.contains(".sql") || MigrationOrder.number(name).isPresent()) {
      findings.add(
          new Finding(
              Finding.Severity.WARNING,
              "sequence.ignored",
              name,
              "looks like a migration but is never applied: wrangler only reads names ending in"
                  + " \".sql\"",
              "rename it to end in .sql, or move it out of the migrations directory"));
    }
  }

  private static void gaps(Map<Double, List<String>> byNumber, List<Finding> findings) {
    Double previous = null;
    for (Map.Entry<Double, List<String>> entry : byNumber.entrySet()) {
      double number = entry.getKey();
      if (number < 0 || number != Math.rint(number)) {
        continue;
      }
      if (previous != null && number - previous > 1) {
        String missing =
            number - previous == 2
                ? "number " + format(previous + 1)
                : "numbers " + format(previous + 1) + "–" + format(number - 1);
        String before = byNumber.get(previous).get(0);
        String after = entry.getValue().get(0);
        findings.add(
            new Finding(
                Finding.Severity.WARNING,
                "sequence.gap",
                before + ", " + after,
                "no migration has " + missing + " (between " + before + " and " + after
                    + "): a file may be missing or not yet merged",
                "nothing to do if the numbers were skipped on purpose"));
      }
      previous = number;
    }
  }

  private static String format(double number) {
    return number == Math.rint(number) && Math.abs(number) < 1e15
        ? Long.toString((long) number)
        : Double.toString(number);
  }

  private static String nextName(List<String> ordered, String name) {
    double max =
        ordered.stream()
            .map(MigrationOrder::number)
            .filter(OptionalDouble::isPresent)
            .mapToDouble(OptionalDouble::getAsDouble)
            .max()
            .orElse(0);
    return String.format(Locale.ROOT, "%04d_%s", (long) max + 1, name);
  }

  private static String padded(String name, List<String> ordered) {
    int width =
        ordered.stream()
            .map(n -> n.contains("_") ? n.substring(0, n.indexOf('_')) : n)
            .filter(p -> p.chars().allMatch(c -> c >= '0' && c <= '9') && !p.isEmpty())
            .mapToInt(String::length)
            .max()
            .orElse(4);
    width = Math.max(width, 4);
    int underscore = name.indexOf('_');
    String prefix = underscore < 0 ? name : name.substring(0, underscore);
    if (!prefix.chars().allMatch(c -> c >= '0' && c <= '9') || prefix.isEmpty()) {
      return name;
    }
    return "0".repeat(Math.max(0, width - prefix.length())) + name;
  }
}
