package dev.flaredeploy.workflows.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * The pre-deploy policies of one environment ({@code [policy]} in flaredeploy.toml) and the overrides the
 * deployment was started with. A rule that is not configured is not checked.
 *
 * @param freeze freeze windows; empty when none
 * @param branches glob patterns of the git branches this environment may be deployed from; null: any
 * @param cleanTree the source must be a git commit without uncommitted changes
 * @param requiredSecrets names of Worker secrets that must be set (checked by name, never by value); empty
 *     when none
 * @param overrides rules the deployment was told to skip, each with the reason given (from the request)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PolicySettings(
    List<FreezeWindow> freeze,
    List<String> branches,
    boolean cleanTree,
    List<String> requiredSecrets,
    List<PolicyOverride> overrides) {

  /** Rule names, as {@code --override} takes them and results name them. */
  public static final String FREEZE = "freeze";
  public static final String BRANCHES = "branches";
  public static final String CLEAN_TREE = "clean_tree";
  public static final String REQUIRED_SECRETS = "required_secrets";
  public static final List<String> RULES = List.of(FREEZE, BRANCHES, CLEAN_TREE, REQUIRED_SECRETS);

  public static final PolicySettings NONE = new PolicySettings(List.of(), null, false, List.of(), List.of());

  /** Whether the rule is configured, so that it is checked. */
  public boolean configures(String rule) {
    return switch (rule) {
      case FREEZE -> freeze != null && !freeze.isEmpty();
      case BRANCHES -> branches != null;
      case CLEAN_TREE -> cleanTree;
      case REQUIRED_SECRETS -> requiredSecrets != null && !requiredSecrets.isEmpty();
      default -> false;
    };
  }

  /** The same settings with the deployment's overrides. */
  public PolicySettings withOverrides(List<PolicyOverride> given) {
    return new PolicySettings(freeze, branches, cleanTree, requiredSecrets,
        given == null ? List.of() : List.copyOf(given));
  }
}
