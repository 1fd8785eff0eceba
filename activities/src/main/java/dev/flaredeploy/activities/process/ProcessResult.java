package dev.flaredeploy.activities.process;

/** Exit code and output of a finished process; output has ANSI escapes removed. */
public record ProcessResult(int exitCode, String stdout, String stderr) {
  public boolean succeeded() {
    return exitCode == 0;
  }

  /** stderr, or stdout when stderr is empty: where wrangler put its complaint. */
  public String diagnostics() {
    return stderr.isBlank() ? stdout : stderr;
  }
}
