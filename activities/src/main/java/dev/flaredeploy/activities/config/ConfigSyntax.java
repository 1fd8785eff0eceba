package dev.flaredeploy.activities.config;

/** The language a config file is written in; it decides how hints show a key to add. */
enum ConfigSyntax {
  TOML("a table"),
  JSON("an object");

  private final String tableWord;

  ConfigSyntax(String tableWord) {
    this.tableWord = tableWord;
  }

  /** "a table" or "an object", as a user of this syntax calls a map. */
  String tableWord() {
    return tableWord;
  }
}
