package dev.flaredeploy.cli.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Whether this machine can deploy to Cloudflare: {@code CLOUDFLARE_API_TOKEN} is set, Cloudflare's token
 * verification accepts it, the account is known, and the token can read the account's D1 databases and Workers
 * (read calls only; the Edit permissions a deployment also needs only show when it writes). It stops at the
 * first check that fails, since the later ones would fail for the same reason. The token never appears in what
 * it reports, even when the API quotes it back.
 */
public final class CloudflareChecks {
  public static final String TOKEN = "CLOUDFLARE_API_TOKEN";
  public static final String ACCOUNT_ID = "CLOUDFLARE_ACCOUNT_ID";
  public static final String API_BASE_URL = "CLOUDFLARE_API_BASE_URL";
  private static final String CREATE_TOKEN = "create an API token (Cloudflare dashboard → My Profile → API Tokens) with"
      + " Workers Scripts:Edit and D1:Edit on your account, and export it as " + TOKEN;

  private final Map<String, String> env;
  private final Function<String, CloudflareApi> api;

  /** @param api the API for a token (so tests can point it anywhere); the default is {@link HttpCloudflareApi} */
  public CloudflareChecks(Map<String, String> env, Function<String, CloudflareApi> api) {
    this.env = env;
    this.api = api;
  }

  public CloudflareChecks(Map<String, String> env) {
    this(env, token -> new HttpCloudflareApi(env.get(API_BASE_URL), token));
  }

  public List<Check> run() {
    List<Check> checks = new ArrayList<>();
    String token = blankToNull(env.get(TOKEN));
    if (token == null) {
      checks.add(Check.fail("cloudflare-token", TOKEN + " is not set", CREATE_TOKEN
          + " (the worker that deploys needs it in its environment too)"));
      return checks;
    }
    CloudflareApi cloudflare = api.apply(token);
    Scrubber scrub = new Scrubber(token);
    try {
      CloudflareApi.Reply verify = cloudflare.get("/user/tokens/verify");
      String status = verify.result().path("status").asText("");
      if (!verify.ok()) {
        checks.add(Check.fail("cloudflare-token", scrub.apply("Cloudflare rejected " + TOKEN + " at "
            + cloudflare.baseUrl() + ": " + verify.errors()),
            "the token is wrong, revoked or for another API: " + CREATE_TOKEN));
        return checks;
      }
      if (!status.equals("active")) {
        checks.add(Check.fail("cloudflare-token", "the token is " + (status.isEmpty() ? "not active" : status),
            "it has expired or was disabled: " + CREATE_TOKEN));
        return checks;
      }
      checks.add(Check.pass("cloudflare-token", "set, and Cloudflare's token verification says it is active"
          + expiry(verify.result())));

      String accountId = blankToNull(env.get(ACCOUNT_ID));
      if (accountId == null) {
        CloudflareApi.Reply memberships = cloudflare.get("/memberships");
        List<String> accounts = new ArrayList<>();
        for (JsonNode m : memberships.result()) {
          accounts.add(m.path("account").path("id").asText() + " (" + m.path("account").path("name").asText() + ")");
        }
        if (!memberships.ok() || accounts.size() != 1) {
          checks.add(Check.fail("cloudflare-account", scrub.apply(!memberships.ok()
                  ? ACCOUNT_ID + " is not set, and the token may not list its accounts: " + memberships.errors()
                  : ACCOUNT_ID + " is not set, and the token reaches " + accounts.size() + " accounts"
                      + (accounts.isEmpty() ? "" : ": " + String.join(", ", accounts))),
              "export " + ACCOUNT_ID + " with the id of the account to deploy to (the dashboard shows it)"));
          return checks;
        }
        accountId = memberships.result().get(0).path("account").path("id").asText();
        checks.add(Check.pass("cloudflare-account", "account " + accountId + ", the only one the token reaches ("
            + ACCOUNT_ID + " is not set)"));
      } else {
        checks.add(Check.pass("cloudflare-account", "account " + accountId + " (" + ACCOUNT_ID + ")"));
      }

      CloudflareApi.Reply d1 = cloudflare.get("/accounts/" + accountId + "/d1/database?per_page=1");
      if (!d1.ok()) {
        checks.add(Check.fail("cloudflare-d1", scrub.apply("the token cannot read the D1 databases of account "
            + accountId + ": " + d1.errors()), "give the token D1:Edit on this account (or check " + ACCOUNT_ID + ")"));
        return checks;
      }
      checks.add(Check.pass("cloudflare-d1", "the token reads the account's D1 databases (D1:Edit, which"
          + " migrations need, shows when a deployment writes)"));

      CloudflareApi.Reply workers = cloudflare.get("/accounts/" + accountId + "/workers/scripts");
      if (!workers.ok()) {
        checks.add(Check.fail("cloudflare-workers", scrub.apply("the token cannot read the Workers of account "
            + accountId + ": " + workers.errors()), "give the token Workers Scripts:Edit on this account"));
        return checks;
      }
      checks.add(Check.pass("cloudflare-workers", "the token reads the account's Workers (" + workers.result().size()
          + "; Workers Scripts:Edit, which releases need, shows when a deployment writes)"));
    } catch (IOException | RuntimeException e) {
      checks.add(Check.fail(checks.isEmpty() ? "cloudflare-token" : "cloudflare-api",
          scrub.apply("could not reach Cloudflare's API at " + cloudflare.baseUrl() + ": "
              + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())),
          "check the network (and " + API_BASE_URL + " if you set it)"));
    }
    return checks;
  }

  private static String expiry(JsonNode result) {
    String expires = result.path("expires_on").asText("");
    return expires.isEmpty() ? "" : " (it expires " + expires + ")";
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }

  /** Takes the token out of anything shown, should the API quote it back. */
  private record Scrubber(String token) implements Function<String, String> {
    @Override
    public String apply(String text) {
      return text == null ? null : text.replace(token, "***");
    }
  }
}
