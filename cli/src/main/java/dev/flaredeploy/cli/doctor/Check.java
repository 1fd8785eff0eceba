package dev.flaredeploy.cli.doctor;

/**
 * One line of {@code flaredeploy doctor}.
 *
 * @param name short and stable, e.g. {@code wrangler} ({@code --output json} consumers match on it)
 * @param detail what was seen
 * @param fix what to do, when the check failed; null when it passed
 */
public record Check(String name, boolean ok, String detail, String fix) {
  public static Check pass(String name, String detail) {
    return new Check(name, true, detail, null);
  }

  public static Check fail(String name, String detail, String fix) {
    return new Check(name, false, detail, fix);
  }
}
