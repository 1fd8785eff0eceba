package dev.flaredeploy.cli;

import dev.flaredeploy.cli.client.ApprovalRefusedException;
import dev.flaredeploy.cli.render.Json;
import dev.flaredeploy.worker.TemporalConnection;
import dev.flaredeploy.workflows.model.ApprovalDecision;
import dev.flaredeploy.workflows.model.ApprovalOutcome;
import dev.flaredeploy.workflows.model.PlanDigest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "approve", mixinStandardHelpOptions = true,
    header = "Approve the plan a deployment waits on, by its digest; its checks then run again.",
    description = {"The digest is the one `status`, `deploy` and the waiting_for_approval notification show. You are",
        "user@host of this process; [approval] approvers may limit who can decide. Refused (exit 3, nothing",
        "changed) when nothing waits, when the digest is not the one waiting, or when you are not an approver.",
        "Returns once the checks ran again: exit 0 when the plan is unchanged and the deployment proceeds, 3 when",
        "it changed while it waited (the new digest waits for a new approval)."})
class ApproveCommand implements Callable<Integer> {
  static final Duration UPDATE_TIMEOUT = Duration.ofMinutes(5);
  private static final Pattern DIGEST = Pattern.compile("[0-9a-fA-F]{" + PlanDigest.LENGTH + "}");

  @Mixin DeploymentOptions deployment;
  @Mixin TemporalOptions temporal;
  @Mixin OutputOptions output;

  @Option(names = "--digest", required = true, paramLabel = "D",
      description = "the plan digest you approve (" + PlanDigest.LENGTH + " hex digits), as shown")
  String digest;

  @Option(names = "--reason", paramLabel = "TEXT", description = "why, for the history (optional)")
  String reason;

  @Override
  public Integer call() {
    if (!DIGEST.matcher(digest.strip()).matches()) {
      throw new CliException(ExitCode.INVALID_INPUT, "--digest " + digest + " is not a plan digest: it has "
          + PlanDigest.LENGTH + " hex digits, as `flaredeploy status` shows it (nothing was sent)");
    }
    String id = deployment.id();
    ApprovalDecision decision = new ApprovalDecision(digest.strip().toLowerCase(), ProjectInput.requestedBy(), reason);
    ApprovalOutcome outcome = send(temporal, connection -> temporal.deployments(connection)
        .approve(id, decision, UPDATE_TIMEOUT));
    render(output, id, decision.by(), outcome);
    return ApprovalOutcome.PROCEEDING.equals(outcome.result()) ? ExitCode.SUCCEEDED
        : ApprovalOutcome.ASKING_AGAIN.equals(outcome.result()) ? ExitCode.REFUSED : ExitCode.FAILED;
  }

  /** Sends an approve or reject: a refusal is exit 3 with the deployment's own words, no worker exit 4. */
  static ApprovalOutcome send(TemporalOptions temporal,
      java.util.function.Function<TemporalConnection, ApprovalOutcome> update) {
    try (TemporalConnection connection = temporal.connect()) {
      return update.apply(connection);
    } catch (ApprovalRefusedException e) {
      throw new CliException(ExitCode.REFUSED, "refused (" + e.type() + "): " + e.getMessage());
    } catch (IllegalStateException e) {
      throw new CliException(ExitCode.UNAVAILABLE, e.getMessage(), e);
    }
  }

  static void render(OutputOptions output, String id, String by, ApprovalOutcome outcome) {
    if (output.json()) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("id", id);
      json.put("by", by);
      json.put("result", outcome.result());
      json.put("digest", outcome.digest());
      json.put("detail", outcome.detail());
      output.out().println(Json.write(json));
    } else {
      output.out().println(id + ": " + outcome.result() + " (plan " + outcome.digest() + "): " + outcome.detail());
      if (ApprovalOutcome.ASKING_AGAIN.equals(outcome.result())) {
        output.out().println("  to approve the new plan: flaredeploy approve " + id + " --digest " + outcome.digest());
      }
    }
    output.out().flush();
  }
}
