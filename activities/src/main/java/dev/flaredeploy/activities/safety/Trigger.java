package dev.flaredeploy.activities.safety;

/**
 * A trigger.
 *
 * @param table the table or view it fires on
 * @param definition its {@code CREATE TRIGGER} statement, normalized ({@link SqlLexer#normalize})
 */
public record Trigger(String name, String table, String definition) {}
