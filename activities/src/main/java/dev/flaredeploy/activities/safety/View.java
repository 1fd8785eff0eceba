package dev.flaredeploy.activities.safety;

import java.util.List;

/**
 * A view.
 *
 * @param definition its {@code CREATE VIEW} statement, normalized ({@link SqlLexer#normalize})
 * @param columns the names of the columns it yields
 */
public record View(String name, String definition, List<String> columns) {
  public View {
    columns = List.copyOf(columns);
  }
}
