package dev.flaredeploy.cli;

import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Options that may be given before or after a command's name ({@code flaredeploy --address X status} and
 * {@code flaredeploy status --address X}): each command and the root carry the same mixin, and a value not
 * given on the command comes from the nearest command above it that was given one.
 */
final class Inherited {
  private Inherited() {}

  /** The nearest non-null {@code value} of a {@code type} mixin, from {@code mixee} up to the root. */
  static <M, V> V nearest(CommandSpec mixee, Class<M> type, Function<M, V> value) {
    for (CommandSpec command = mixee; command != null; command = command.parent()) {
      for (CommandSpec mixin : command.mixins().values()) {
        if (type.isInstance(mixin.userObject())) {
          V found = value.apply(type.cast(mixin.userObject()));
          if (found != null) {
            return found;
          }
        }
      }
    }
    return null;
  }
}
