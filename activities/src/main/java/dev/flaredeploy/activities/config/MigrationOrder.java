package dev.flaredeploy.activities.config;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The order in which wrangler applies migration files: by {@code parseInt(name.split("_")[0])} with
 * JavaScript's {@code parseInt} (leading whitespace, an optional sign, {@code 0x} for hex, then the leading
 * digits; {@code "0001_init.sql"} → 1, {@code "10.sql"} → 10, {@code "init.sql"} → NaN).
 *
 * <p>Wrangler's comparator treats NaN and equal numbers as ties and leaves them in directory order, which
 * differs between machines. Here ties are broken by name and names without a number sort after all
 * numbered ones, by name, so the order is total and the same everywhere; for any directory in which every
 * file has a distinct number it is exactly wrangler's order.
 */
public final class MigrationOrder {
  /** Orders migration file names as described above. */
  public static final Comparator<String> COMPARATOR = MigrationOrder::compare;

  private MigrationOrder() {}

  /** The names in the order wrangler applies them. */
  public static List<String> sort(Collection<String> names) {
    List<String> sorted = new ArrayList<>(names);
    sorted.sort(COMPARATOR);
    return sorted;
  }

  /** JavaScript's {@code parseInt(name.split("_")[0])}; empty for NaN. */
  public static OptionalDouble number(String name) {
    int underscore = name.indexOf('_');
    return parseInt(underscore < 0 ? name : name.substring(0, underscore));
  }

  private static int compare(String a, String b) {
    OptionalDouble numberA = number(a);
    OptionalDouble numberB = number(b);
    if (numberA.isPresent() && numberB.isPresent()) {
      double x = numberA.getAsDouble();
      double y = numberB.getAsDouble();
      if (x < y) {
        return -1;
      }
      if (x > y) {
        return 1;
      }
    } else if (numberA.isPresent() != numberB.isPresent()) {
      return numberA.isPresent() ? -1 : 1;
    }
    return a.compareTo(b);
  }

  /** JavaScript's {@code parseInt(text)} without a radix (ECMA-262 §19.2.5). */
  static OptionalDouble parseInt(String text) {
    int i = 0;
    while (i < text.length() && isJsWhitespace(text.charAt(i))) {
      i++;
    }
    boolean negative = false;
    if (i < text.length() && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
      negative = text.charAt(i) == '-';
      i++;
    }
    int radix = 10;
    if (text.startsWith("0x", i) || text.startsWith("0X", i)) {
      radix = 16;
      i += 2;
    }
    int start = i;
    while (i < text.length() && Character.digit(text.charAt(i), radix) >= 0 && text.charAt(i) < 128) {
      i++;
    }
    if (i == start) {
      return OptionalDouble.empty();
    }
    double value = new BigInteger(text.substring(start, i), radix).doubleValue();
    return OptionalDouble.of(negative ? -value : value);
  }

  private static boolean isJsWhitespace(char c) {
    // WhiteSpace and LineTerminator of ECMA-262: TAB VT FF ZWNBSP, the Zs category, LF CR LS PS
    return (c >= '\t' && c <= '\r') || c == '\uFEFF' || Character.isSpaceChar(c);
  }
}
