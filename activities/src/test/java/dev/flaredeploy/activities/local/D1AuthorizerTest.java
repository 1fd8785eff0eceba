package dev.flaredeploy.activities.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each case as {@code wrangler d1 execute --local --command} (wrangler 4.86, workerd 1.20260426) answered it. */
class D1AuthorizerTest {
  @ParameterizedTest(name = "{0} → allowed: {1}")
  @CsvSource(delimiter = '|', value = {
      "PRAGMA foreign_keys = OFF                 | true",
      "PRAGMA defer_foreign_keys = true;         | true",
      "PRAGMA main.foreign_keys = ON             | true",
      "PRAGMA table_info(notes)                  | true",
      "PRAGMA optimize                           | true",
      "PRAGMA quick_check                        | true",
      "PRAGMA user_version = 3                   | false",
      "PRAGMA synchronous = OFF                  | false",
      "PRAGMA page_size = 8192                   | false",
      "pragma JOURNAL_MODE=delete;               | false",
      "CREATE TEMP TABLE tt (x)                  | false",
      "CREATE VIRTUAL TABLE ft USING fts5(body)  | true",
      "CREATE VIRTUAL TABLE f4 USING fts4(body)  | false",
      "CREATE TABLE _cf_mine (x)                 | false",
      "CREATE TABLE notes (id INTEGER PRIMARY KEY) | true",
      "ATTACH 'other.db' AS other                | false",
      "INSERT INTO notes (body) VALUES ('PRAGMA user_version = 3') | true",
  })
  void refusesWhatLocalD1Refuses(String statement, boolean allowed) {
    assertThat(D1Authorizer.allowed(statement)).isEqualTo(allowed);
  }
}
