package dev.flaredeploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flaredeploy.cli.LocalProjects.Tenants;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A fleet run as a user runs it: the packaged CLI, a {@code flaredeploy dev-server} (with its worker), real
 * wrangler and workerd, five tenant environments of one project, each with its own D1 database and port.
 *
 * <p>Tenant c's database holds a note that puts it "in maintenance", so its release fails its smoke test. With
 * {@code --canary 1 --parallel 2 --max-failures 0}: the canary (a) succeeds, then b and c run together; c is rolled
 * back, nothing starts after its failure, d and e are reported skipped, exit 1. Tenant b's checks take a dozen
 * seconds (three slow requests), so c's failure comes while b still runs. A person repairs c's data and runs the
 * same command again: a and b are no-ops, c, d and e deploy, exit 0.
 */
class FleetEndToEndIT extends DevServerFixture {
  private static final List<String> TENANTS = List.of("tenant-a", "tenant-b", "tenant-c", "tenant-d", "tenant-e");

  @Test
  void canarySucceedsTheFailingTenantIsRolledBackTheRestSkippedAndARerunDeploysOnlyWhatIsNotLive() throws IOException {
    Tenants fleet = projects.tenants("fleet-e2e", TENANTS);
    TENANTS.forEach(t -> stopAfterwards(fleet.service(), "--env", t));
    Files.writeString(fleet.dir().resolve("flaredeploy.toml"), Files.readString(fleet.dir().resolve("flaredeploy.toml"))
        + """

        [env.tenant-b.smoke]
        timeout = "60s"

        [[env.tenant-b.smoke.check]]
        path = "/slow?ms=4000"
        [[env.tenant-b.smoke.check]]
        path = "/slow?ms=4000"
        [[env.tenant-b.smoke.check]]
        path = "/ready"
        expect_status = 200
        """);
    LocalProjects.Project c = fleet.project("tenant-c");
    projects.applyWithWrangler(c, "tenant-c");
    projects.execute(c, "tenant-c", "INSERT INTO notes (body, author) VALUES ('maintenance', 'ops')");
    String fleetId = "fleet:local:fleet-e2e:tenant-*";

    CliRunner.Result first = deployFleet(fleet);

    assertThat(first.exitCode()).as(first.toString()).isEqualTo(1);
    JsonNode report = first.json();
    assertThat(report.get("id").asText()).isEqualTo(fleetId);
    assertThat(report.get("state").asText()).isEqualTo("FAILED");
    assertThat(states(report)).containsExactly(Map.entry("tenant-a", "SUCCEEDED"), Map.entry("tenant-b", "SUCCEEDED"),
        Map.entry("tenant-c", "ROLLED_BACK"), Map.entry("tenant-d", "SKIPPED"), Map.entry("tenant-e", "SKIPPED"));
    JsonNode canary = member(report, "tenant-a");
    JsonNode failed = member(report, "tenant-c");
    for (JsonNode m : report.get("members")) {
      if (!m.get("environment").asText().equals("tenant-a")) {
        assertThat(Instant.parse(m.get("startedAt").asText("9999-01-01T00:00:00Z")))
            .as("%s starts after the canary ended", m.get("environment").asText())
            .isAfterOrEqualTo(Instant.parse(canary.get("finishedAt").asText()));
      }
      if (m.hasNonNull("startedAt")) {
        assertThat(Instant.parse(m.get("startedAt").asText())).as("no member starts after the failure")
            .isBefore(Instant.parse(failed.get("finishedAt").asText()));
      }
    }
    assertThat(failed.get("step").asText()).isEqualTo("smoke-test");
    assertThat(member(report, "tenant-d").get("summary").asText()).contains("not started", "--max-failures");
    assertThat(first.stderr()).contains("fleet " + fleetId + " started", "fleet-e2e (tenant-c): ROLLED_BACK",
        "fleet-e2e (tenant-d): SKIPPED");
    assertThat(CliRunner.get(fleet.ports().get("tenant-a"), "/ready").body()).contains("healthy");
    assertThat(CliRunner.listening(fleet.ports().get("tenant-c"))).as("c's release was stopped").isFalse();
    assertThat(CliRunner.listening(fleet.ports().get("tenant-d"))).isFalse();
    CliRunner.Result memberStatus = cli.run("status", fleet.id("tenant-c"), "--address", address, "--output", "json");
    assertThat(memberStatus.json().get("state").asText()).isEqualTo("ROLLED_BACK");
    assertThat(names(memberStatus.json().get("steps"))).contains("rollback-worker");
    assertThat(cli.run("status", fleet.id("tenant-d"), "--address", address).exitCode())
        .as("a skipped member never ran").isEqualTo(3);

    CliRunner.Result status = cli.run("status", fleetId, "--address", address);
    assertThat(status.exitCode()).as(status.toString()).isZero();
    assertThat(status.stdout()).contains(fleetId + ": FAILED", "tenant-c", "ROLLED_BACK", "smoke-test", "SKIPPED");
    CliRunner.Result byProject = cli.run("status", fleet.dir().toString(), "--env", "tenant-*", "--address", address,
        "--output", "json");
    assertThat(byProject.json().get("id").asText()).as("the project and its glob name the fleet").isEqualTo(fleetId);
    CliRunner.Result history = cli.run("history", fleetId, "--address", address);
    assertThat(history.stdout()).contains("requested by", "canary 1, then 2 at a time", fleet.id("tenant-c"));
    CliRunner.Result list = cli.run("list", "--address", address);
    assertThat(list.stdout()).contains(fleetId, fleet.id("tenant-a"));

    projects.execute(c, "tenant-c", "DELETE FROM notes WHERE body = 'maintenance'");
    CliRunner.Result rerun = deployFleet(fleet);

    assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
    JsonNode again = rerun.json();
    assertThat(again.get("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(member(again, "tenant-a").get("summary").asText()).startsWith("nothing to do");
    assertThat(member(again, "tenant-b").get("summary").asText()).startsWith("nothing to do");
    for (String tenant : List.of("tenant-c", "tenant-d", "tenant-e")) {
      assertThat(member(again, tenant).get("summary").asText()).startsWith("deployed release");
      assertThat(CliRunner.get(fleet.ports().get(tenant), "/ready").body()).contains("healthy");
    }
  }

  /**
   * Two Workers of one directory tree that share a D1 database, deployed as one fleet two at a time: the
   * members take turns migrating it (one waits for the other's lock), each shared migration is in the ledger
   * once, and both serve the same data.
   */
  @Test
  void twoWorkersSharingADatabaseInOneFleetMigrateItInTurnAndServeTheSameData() throws IOException {
    java.nio.file.Path tree = home.resolve("projects").resolve("fleet-monorepo");
    LocalProjects.Project api = projects.copy(tree.resolve("api"), "fleet-mono-api", "local-fleet-monorepo");
    LocalProjects.Project admin = projects.copy(tree.resolve("admin"), "fleet-mono-admin", "local-fleet-monorepo");
    stopAfterwards(api.service());
    stopAfterwards(admin.service());
    // a shared migration that takes seconds, so that the second member asks while the first applies it
    String slow = "CREATE TABLE tally (n INTEGER NOT NULL);\nINSERT INTO tally SELECT count(*) FROM (WITH RECURSIVE"
        + " c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 30000000) SELECT x FROM c);\n";
    for (LocalProjects.Project p : List.of(api, admin)) {
      LocalProjects.write(p.file("migrations/0003_tally.sql"), slow);
    }

    CliRunner.Result run = cli.run("deploy", api.dir().toString(), admin.dir().toString(), "--canary", "0",
        "--parallel", "2", "--address", address, "--output", "json");

    assertThat(run.exitCode()).as(run.toString()).isZero();
    List<String> memberStates = new ArrayList<>();
    run.json().get("members").forEach(m -> memberStates.add(m.get("service").asText() + " " + m.get("state").asText()));
    assertThat(memberStates).containsExactlyInAnyOrder("fleet-mono-api SUCCEEDED", "fleet-mono-admin SUCCEEDED");
    assertThat(projects.ledger(api)).as("one ledger, each migration once")
        .containsExactly("0001_create_notes.sql", "0002_add_author.sql", "0003_tally.sql");
    List<JsonNode> reports = new ArrayList<>();
    for (LocalProjects.Project p : List.of(api, admin)) {
      CliRunner.Result status = cli.run("status", p.id(), "--address", address, "--output", "json");
      assertThat(status.exitCode()).as(status.toString()).isZero();
      reports.add(status.json());
    }
    List<String> applied = new ArrayList<>();
    reports.forEach(r -> r.get("databases").get(0).get("applied").forEach(n -> applied.add(n.asText())));
    assertThat(applied).as("each migration applied by one member").containsExactlyInAnyOrder(
        "0001_create_notes.sql", "0002_add_author.sql", "0003_tally.sql");
    assertThat(reports).as("one member waited for the other's lock").filteredOn(r -> names(r.get("steps"))
        .contains("lock-database")).hasSize(1);
    assertThat(CliRunner.post(api.port(), "/notes", "{\"body\":\"one fleet, one database\"}").statusCode())
        .isEqualTo(201);
    assertThat(CliRunner.get(admin.port(), "/notes").body()).contains("one fleet, one database");
  }

  /** With no server, a fleet runs embedded; an interrupt cancels it and its members undo what they did. */
  @Test
  void withoutAServerAFleetRunsEmbeddedAndAnInterruptCancelsItsMembersWhichUndo() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeFalse(CliRunner.listening(7233),
        "something listens on 127.0.0.1:7233, so deploy would use it rather than run embedded");
    List<String> tenants = List.of("tenant-a", "tenant-b");
    Tenants fleet = projects.tenants("fleet-embedded", tenants);
    tenants.forEach(t -> stopAfterwards(fleet.service(), "--env", t));
    // slow checks, so that the interrupt lands while the members' releases are being checked
    LocalProjects.replace(fleet.dir().resolve("flaredeploy.toml"), "timeout = \"3s\"\n",
        "timeout = \"60s\"\n\n[[smoke.check]]\npath = \"/slow?ms=4000\"\n[[smoke.check]]\npath = \"/slow?ms=4000\"\n");
    java.nio.file.Path err = home.resolve("fleet-embedded.err");
    Process deploy = cli.command("deploy", fleet.dir().toString(), "--env", "tenant-*", "--canary", "0")
        .redirectOutput(home.resolve("fleet-embedded.out").toFile())
        .redirectError(err.toFile())
        .start();
    for (int i = 0; i < 480 && !Files.readString(err).matches("(?s).*: smoke-test\\n.*"); i++) {
      Thread.sleep(250);
    }
    assertThat(Files.readString(err)).contains("No Temporal server", "fleet fleet:local:fleet-embedded:tenant-* started");

    deploy.destroy(); // SIGTERM, as a closing terminal or CI runner sends
    assertThat(deploy.waitFor(3, java.util.concurrent.TimeUnit.MINUTES)).isTrue();

    assertThat(Files.readString(err)).contains("interrupted: cancelling fleet:local:fleet-embedded:tenant-*");
    for (String tenant : tenants) {
      assertThat(CliRunner.listening(fleet.ports().get(tenant))).as("%s serves nothing", tenant).isFalse();
      assertThat(projects.query(fleet.project(tenant), tenant,
              "SELECT count(*) AS n FROM sqlite_master WHERE name = 'notes'").get(0).get("n").asInt())
          .as("%s's database is as before the fleet", tenant).isZero();
    }
  }

  private static CliRunner.Result deployFleet(Tenants fleet) {
    return cli.run("deploy", fleet.dir().toString(), "--env", "tenant-*", "--canary", "1", "--parallel", "2",
        "--max-failures", "0", "--address", address, "--output", "json");
  }

  private static Map<String, String> states(JsonNode report) {
    Map<String, String> states = new LinkedHashMap<>();
    report.get("members").forEach(m -> states.put(m.get("environment").asText(), m.get("state").asText()));
    return states;
  }

  private static JsonNode member(JsonNode report, String environment) {
    for (JsonNode m : report.get("members")) {
      if (m.get("environment").asText().equals(environment)) {
        return m;
      }
    }
    throw new AssertionError("no member " + environment + " in " + report);
  }

  private static List<String> names(JsonNode steps) {
    List<String> names = new ArrayList<>();
    steps.forEach(s -> names.add(s.get("name").asText()));
    return names;
  }
}
