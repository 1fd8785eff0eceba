package dev.flaredeploy.cli.doctor;

import dev.flaredeploy.activities.cloudflare.CloudflareCredentials;
import dev.flaredeploy.activities.cloudflare.CloudflareException;
import dev.flaredeploy.activities.cloudflare.api.CloudflareApi;
import dev.flaredeploy.activities.cloudflare.api.CloudflareApiException;
import dev.flaredeploy.activities.process.ProcessRunner.Tick;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Whether this machine can deploy to Cloudflare: {@code CLOUDFLARE_API_TOKEN} is set, Cloudflare's token
 * verification accepts it, the account is known, and the token can read the account's D1 databases and Workers
 * (read calls only; the Edit permissions a deployment also needs only show when it writes). Calls go through
 * the deployment's own API client ({@link CloudflareApi}: the base URL and account as wrangler resolves them),
 * each sent once, since a person waits. It stops at the first check that fails, since the later ones would
 * fail for the same reason. The token never appears in what it reports (the client scrubs it).
 */
public final class CloudflareChecks {
  public static final String TOKEN = CloudflareCredentials.TOKEN;
  private static final String ACCOUNT_ID = CloudflareCredentials.ACCOUNT_ID;
  private static final String CREATE_TOKEN = "create an API token (Cloudflare dashboard → My Profile → API Tokens) with"
      + " Workers Scripts:Edit and D1:Edit on your account, and export it as " + TOKEN;
  /** One send per call, no waiting: doctor answers a person. */
  private static final CloudflareApi.Retries ONCE =
      new CloudflareApi.Retries(1, Duration.ZERO, Duration.ZERO, Duration.ZERO);

  private final Map<String, String> env;

  /** @param env the environment the deployment's worker would have (token, account, CLOUDFLARE_API_BASE_URL) */
  public CloudflareChecks(Map<String, String> env) {
    this.env = env;
  }

  public List<Check> run() {
    List<Check> checks = new ArrayList<>();
    String token = env.get(TOKEN);
    if (token == null || token.isBlank()) {
      checks.add(Check.fail("cloudflare-token", TOKEN + " is not set", CREATE_TOKEN
          + " (the worker that deploys needs it in its environment too)"));
      return checks;
    }
    CloudflareApi cloudflare = CloudflareApi.fromEnvironment(env, ONCE);
    Tick tick = Tick.NONE;
    String step = "cloudflare-token";
    try {
      CloudflareApi.TokenStatus status;
      try {
        status = cloudflare.verifyToken(tick);
      } catch (CloudflareApiException e) {
        if (e.status() / 100 != 4) {
          throw e;
        }
        checks.add(Check.fail(step, "Cloudflare rejected " + TOKEN + " at " + cloudflare.baseUrl() + ": "
            + errors(e), "the token is wrong, revoked or for another API: " + CREATE_TOKEN));
        return checks;
      }
      if (!status.active()) {
        checks.add(Check.fail(step, "the token is " + (status.status() == null ? "not active" : status.status()),
            "it has expired or was disabled: " + CREATE_TOKEN));
        return checks;
      }
      checks.add(Check.pass(step, "set, and Cloudflare's token verification says it is active"
          + (status.expiresOn() == null || status.expiresOn().isBlank() ? "" : " (it expires " + status.expiresOn() + ")")));

      step = "cloudflare-account";
      String accountId;
      if (cloudflare.accountIdFromEnvironment().isPresent()) {
        accountId = cloudflare.accountIdFromEnvironment().get();
        checks.add(Check.pass(step, "account " + accountId + " (" + ACCOUNT_ID + ")"));
      } else {
        List<CloudflareApi.Account> accounts = cloudflare.accounts(tick);
        if (accounts.size() != 1) {
          checks.add(Check.fail(step, ACCOUNT_ID + " is not set, and the token reaches " + accounts.size()
                  + " accounts" + (accounts.isEmpty() ? "" : ": " + String.join(", ",
                      accounts.stream().map(a -> a.id() + " (" + a.name() + ")").toList())),
              "export " + ACCOUNT_ID + " with the id of the account to deploy to (the dashboard shows it)"));
          return checks;
        }
        accountId = accounts.get(0).id();
        checks.add(Check.pass(step, "account " + accountId + ", the only one the token reaches ("
            + ACCOUNT_ID + " is not set)"));
      }

      step = "cloudflare-d1";
      cloudflare.databases(accountId, 1, tick);
      checks.add(Check.pass(step, "the token reads the account's D1 databases (D1:Edit, which"
          + " migrations need, shows when a deployment writes)"));

      step = "cloudflare-workers";
      int workers = cloudflare.workerNames(accountId, tick).size();
      checks.add(Check.pass(step, "the token reads the account's Workers (" + workers
          + "; Workers Scripts:Edit, which releases need, shows when a deployment writes)"));
    } catch (CloudflareApiException e) {
      checks.add(Check.fail(step, e.getMessage(), e.status() == 0
          ? "check the network (and CLOUDFLARE_API_BASE_URL if you set it)"
          : fixFor(step)));
    } catch (CloudflareException e) {
      checks.add(Check.fail(step, e.getMessage(), fixFor(step)));
    }
    return checks;
  }

  private static String fixFor(String step) {
    return switch (step) {
      case "cloudflare-account" -> "export " + ACCOUNT_ID + " with the id of the account to deploy to, or give"
          + " the token User → Memberships:Read";
      case "cloudflare-d1" -> "give the token D1:Edit on this account (or check " + ACCOUNT_ID + ")";
      case "cloudflare-workers" -> "give the token Workers Scripts:Edit on this account";
      default -> CREATE_TOKEN;
    };
  }

  /** Cloudflare's own words (scrubbed by the client), else the HTTP status. */
  private static String errors(CloudflareApiException e) {
    return e.errors().isEmpty() ? "HTTP " + e.status()
        : String.join("; ", e.errors().stream().map(x -> x.message() + " (" + x.code() + ")").toList());
  }
}
