package dev.flaredeploy.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.flaredeploy.workflows.DeploymentAttributes;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.common.SearchAttributeKey;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Static checks of {@code docker-compose.yml} and the {@code Dockerfile} at the repository root, for what
 * a user of {@code docker-compose up} relies on. No Docker engine is needed; when the {@code
 * docker-compose} binary is on the PATH, its own offline validation runs too.
 */
class ComposeFileTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A tag that names a release (at least major.minor), or a digest. */
  private static final Pattern PINNED = Pattern.compile("(:\\d+\\.\\d+[A-Za-z0-9_.-]*)?(@sha256:[0-9a-f]{64})?");

  private static Path root;
  private static Path composeFile;
  private static JsonNode services;

  @BeforeAll
  static void readComposeFile() throws IOException {
    root = repositoryRoot();
    composeFile = root.resolve("docker-compose.yml");
    services = YAML.readTree(composeFile.toFile()).path("services");
    assertThat(services.isObject()).as("services in %s", composeFile).isTrue();
  }

  @Test
  void everyImageHasAPinnedTag() throws IOException {
    List<String> images = new ArrayList<>();
    services.fields().forEachRemaining(service -> {
      JsonNode image = service.getValue().path("image");
      assertThat(image.isTextual() || service.getValue().has("build"))
          .as("service %s has an image or a build", service.getKey())
          .isTrue();
      if (image.isTextual()) {
        images.add(image.asText());
      }
    });
    for (Stage stage : dockerfileStages(workerDockerfile())) {
      if (!stage.fromStage()) {
        images.add(stage.image());
      }
    }
    assertThat(images).isNotEmpty().allSatisfy(image -> assertThat(isPinned(image))
        .as("image %s is pinned to a release tag such as name:1.2.3 (not latest, not a floating tag)", image)
        .isTrue());
  }

  @Test
  void servicesOthersWaitForExistAndCanGetThere() {
    services.fields().forEachRemaining(service ->
        service.getValue().path("depends_on").fields().forEachRemaining(dependency -> {
          String name = dependency.getKey();
          JsonNode target = services.path(name);
          String condition = dependency.getValue().path("condition").asText("service_started");
          assertThat(target.isObject())
              .as("%s depends on %s, which is not a service", service.getKey(), name)
              .isTrue();
          if (condition.equals("service_healthy")) {
            assertThat(target.path("healthcheck").path("test").isMissingNode())
                .as("%s waits for %s to be healthy, so %s needs a healthcheck", service.getKey(), name, name)
                .isFalse();
          }
          if (condition.equals("service_completed_successfully")) {
            assertThat(target.path("restart").asText("no"))
                .as("%s waits for the one-shot job %s to exit 0, so it must not be restarted", service.getKey(), name)
                .isIn("no", "on-failure");
          }
        }));
  }

  @Test
  void searchAttributeJobCreatesExactlyTheAttributesDeploymentsUse() {
    String job = serviceRunning("create-search-attributes.sh");
    List<String> created =
        Arrays.asList(environment(services.get(job)).getOrDefault("SEARCH_ATTRIBUTES", "").trim().split("\\s+"));
    List<String> used = DeploymentAttributes.ALL.stream().map(SearchAttributeKey::getName).toList();

    assertThat(created).as("SEARCH_ATTRIBUTES of %s", job).doesNotHaveDuplicates();
    assertThat(created).as("SEARCH_ATTRIBUTES of %s", job).containsExactlyInAnyOrderElementsOf(used);
    assertThat(DeploymentAttributes.ALL)
        .as("the job creates them all as Keyword, the type the workflow uses")
        .allSatisfy(key -> assertThat(key.getValueType()).isEqualTo(IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
    assertThat(hostPath(services.get(job), "/flaredeploy/compose/create-search-attributes.sh"))
        .as("the script %s runs", job)
        .hasValueSatisfying(script -> assertThat(script).content().contains("--type Keyword"));
    assertThat(services.path("flaredeploy-worker").path("depends_on").path(job).path("condition").asText())
        .as("the worker starts only once the search attributes exist")
        .isEqualTo("service_completed_successfully");
  }

  @Test
  void workerIsBuiltFromADockerfileWhoseFinalStageRunsTheWorker() throws IOException {
    JsonNode worker = services.path("flaredeploy-worker");
    Path dockerfile = workerDockerfile();
    assertThat(dockerfile).as("the worker's Dockerfile").isRegularFile();

    List<Stage> stages = dockerfileStages(dockerfile);
    Stage last = stages.get(stages.size() - 1);
    assertThat(execForm(last, "ENTRYPOINT"))
        .as("ENTRYPOINT of the final stage of %s", dockerfile)
        .containsExactly("java", "-jar", "/opt/flaredeploy/flaredeploy.jar");
    List<String> command = worker.has("command") ? strings(worker.get("command")) : execForm(last, "CMD");
    assertThat(command).as("the command the worker container runs").startsWith("worker");
    assertThat(last.instruction("USER"))
        .as("the final stage runs as a user other than root")
        .hasValueSatisfying(user -> assertThat(user).isNotIn("root", "0"));
  }

  @Test
  void dockerfileCopiesEveryMavenModule() throws IOException {
    String pom = Files.readString(root.resolve("pom.xml"));
    Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(pom);
    String build = dockerfileStages(workerDockerfile()).get(0).lines().toString();
    int modules = 0;
    while (module.find()) {
      modules++;
      assertThat(build).as("the build stage copies module %s", module.group(1))
          .contains("COPY " + module.group(1) + " " + module.group(1));
    }
    assertThat(modules).as("modules in pom.xml").isPositive();
  }

  @Test
  void scriptsTheJobsRunExistAreExecutableAndStartWithSetEu() throws IOException {
    Set<Path> scripts = new HashSet<>();
    services.fields().forEachRemaining(service -> {
      List<String> words = new ArrayList<>(strings(service.getValue().path("entrypoint")));
      words.addAll(strings(service.getValue().path("command")));
      for (String word : words) {
        if (word.endsWith(".sh")) {
          Optional<Path> onHost = hostPath(service.getValue(), word);
          assertThat(onHost).as("%s runs %s, which must come from a mounted directory of this repository",
              service.getKey(), word).isPresent();
          scripts.add(onHost.get());
        }
      }
    });
    assertThat(scripts).as("scripts the one-shot jobs run").hasSizeGreaterThanOrEqualTo(3);
    try (Stream<Path> all = Files.list(root.resolve("deploy/compose"))) {
      all.filter(p -> p.toString().endsWith(".sh")).forEach(scripts::add); // sourced helpers too
    }
    for (Path script : scripts) {
      assertThat(script).as("script").isRegularFile().isExecutable();
      List<String> lines = Files.readAllLines(script, StandardCharsets.UTF_8);
      assertThat(lines.get(0)).as("first line of %s", script).startsWith("#!/bin/sh");
      assertThat(lines.stream().skip(1).map(String::trim)
              .filter(line -> !line.isEmpty() && !line.startsWith("#")).findFirst())
          .as("first command of %s", script)
          .hasValue("set -eu");
    }
  }

  @Test
  void temporalServerReadsADynamicConfigFileThatExists() {
    JsonNode temporal = services.path("temporal");
    String file = environment(temporal).get("DYNAMIC_CONFIG_FILE_PATH");
    assertThat(file).as("DYNAMIC_CONFIG_FILE_PATH of temporal").isNotNull();
    assertThat(hostPath(temporal, "/etc/temporal/" + file))
        .as("%s mounted from this repository", file)
        .hasValueSatisfying(path -> assertThat(path).isRegularFile());
  }

  @Test
  void temporalAndTheUiArePublishedOnTheirUsualPorts() {
    Map<Integer, String> published = new LinkedHashMap<>();
    services.fields().forEachRemaining(service -> {
      for (String port : strings(service.getValue().path("ports"))) {
        String[] parts = port.replace("/tcp", "").split(":");
        published.put(Integer.parseInt(parts[parts.length - 2]), service.getKey() + ":" + parts[parts.length - 1]);
      }
    });
    assertThat(published).containsEntry(7233, "temporal:7233").containsEntry(8080, "temporal-ui:8080");
    assertThat(services.path("temporal").path("image").asText()).startsWith("temporalio/server:");
    assertThat(services.path("temporal-ui").path("image").asText()).startsWith("temporalio/ui:");
  }

  @Test
  void theWorkerServesItsMetricsOnAPortPublishedOnTheHostsLoopback() {
    JsonNode worker = services.path("flaredeploy-worker");
    List<String> command = strings(worker.path("command"));
    assertThat(command).as("the worker's command").startsWith("worker").contains("--metrics-port");
    String port = command.get(command.indexOf("--metrics-port") + 1);
    assertThat(command).as("listens beyond the container's loopback, so a scraper on the network reaches it")
        .containsSequence("--metrics-address", "0.0.0.0");
    assertThat(strings(worker.path("ports"))).as("published ports of the worker")
        .contains("127.0.0.1:" + port + ":" + port);
  }

  @Test
  void workerReachesTheTemporalServiceByItsName() {
    Map<String, String> env = environment(services.path("flaredeploy-worker"));
    assertThat(env.get("TEMPORAL_ADDRESS")).as("TEMPORAL_ADDRESS of the worker").isEqualTo("temporal:7233");
    assertThat(services.path("temporal").path("image").asText()).startsWith("temporalio/server:");
    assertThat(env.get("FLAREDEPLOY_HOME")).as("FLAREDEPLOY_HOME of the worker").isNotBlank();
    assertThat(strings(services.path("flaredeploy-worker").path("volumes")))
        .as("FLAREDEPLOY_HOME is on a volume, so local state survives a new container")
        .anySatisfy(volume -> assertThat(volume).endsWith(":" + env.get("FLAREDEPLOY_HOME")));
  }

  @Test
  void dockerComposeAcceptsTheFile() throws Exception {
    Optional<Path> binary = onPath("docker-compose");
    assumeTrue(binary.isPresent(), "docker-compose is not installed (apt-get install docker-compose)");
    Process process =
        new ProcessBuilder(binary.get().toString(), "-f", composeFile.toString(), "config", "-q")
            .directory(root.toFile())
            .redirectErrorStream(true)
            .start();
    process.getOutputStream().close();
    boolean exited = process.waitFor(60, TimeUnit.SECONDS);
    if (!exited) {
      process.destroyForcibly();
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(exited).as("docker-compose config exited within 60 s").isTrue();
    assertThat(process.exitValue()).as("docker-compose config -q said:%n%s", output).isZero();
  }

  // --- helpers ---------------------------------------------------------------------------------------

  private static boolean isPinned(String image) {
    String nameAndTag = image.substring(image.lastIndexOf('/') + 1);
    int colon = nameAndTag.indexOf(':');
    int at = nameAndTag.indexOf('@');
    int cut = colon >= 0 ? colon : at;
    if (cut < 0 || image.contains("${")) {
      return false; // no tag at all means latest; a variable hides what runs
    }
    String suffix = nameAndTag.substring(cut);
    return !suffix.isEmpty() && PINNED.matcher(suffix).matches();
  }

  private static String serviceRunning(String script) {
    List<String> found = new ArrayList<>();
    services.fields().forEachRemaining(service -> {
      List<String> words = new ArrayList<>(strings(service.getValue().path("entrypoint")));
      words.addAll(strings(service.getValue().path("command")));
      if (words.stream().anyMatch(word -> word.endsWith("/" + script))) {
        found.add(service.getKey());
      }
    });
    assertThat(found).as("services running %s", script).hasSize(1);
    return found.get(0);
  }

  /** A service's environment in either form; a variable passed through from the shell maps to "". */
  private static Map<String, String> environment(JsonNode service) {
    Map<String, String> env = new LinkedHashMap<>();
    JsonNode node = service.path("environment");
    if (node.isObject()) {
      node.fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText()));
    } else {
      for (String entry : strings(node)) {
        int eq = entry.indexOf('=');
        env.put(eq < 0 ? entry : entry.substring(0, eq), eq < 0 ? "" : entry.substring(eq + 1));
      }
    }
    return env;
  }

  /** A string, or a list of strings, as a list; a missing node as an empty list. */
  private static List<String> strings(JsonNode node) {
    if (node.isMissingNode() || node.isNull()) {
      return List.of();
    }
    if (node.isArray()) {
      List<String> values = new ArrayList<>();
      node.forEach(value -> values.add(value.asText()));
      return values;
    }
    return Arrays.asList(node.asText().trim().split("\\s+"));
  }

  /** Where a path inside a container comes from, when a bind mount of a repository directory holds it. */
  private static Optional<Path> hostPath(JsonNode service, String containerPath) {
    for (String volume : strings(service.path("volumes"))) {
      if (!volume.startsWith("./")) {
        continue; // named volumes and host paths outside the repository
      }
      String[] parts = volume.split(":");
      String mountPoint = parts[1].endsWith("/") ? parts[1] : parts[1] + "/";
      if (containerPath.startsWith(mountPoint)) {
        return Optional.of(root.resolve(parts[0]).resolve(containerPath.substring(mountPoint.length())).normalize());
      }
    }
    return Optional.empty();
  }

  private static Path workerDockerfile() {
    JsonNode build = services.path("flaredeploy-worker").path("build");
    String context = build.isTextual() ? build.asText() : build.path("context").asText(".");
    String dockerfile = build.path("dockerfile").asText("Dockerfile");
    return root.resolve(context).resolve(dockerfile).normalize();
  }

  /** One {@code FROM} of a Dockerfile and its instructions, continuation lines joined. */
  private record Stage(String image, boolean fromStage, List<String> lines) {
    Optional<String> instruction(String keyword) {
      String found = null;
      for (String line : lines) {
        if (line.regionMatches(true, 0, keyword + " ", 0, keyword.length() + 1)) {
          found = line.substring(keyword.length() + 1).trim(); // the last one counts
        }
      }
      return Optional.ofNullable(found);
    }
  }

  private static List<Stage> dockerfileStages(Path dockerfile) throws IOException {
    List<String> instructions = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String raw : Files.readAllLines(dockerfile, StandardCharsets.UTF_8)) {
      String line = raw.strip();
      if (line.startsWith("#") || (line.isEmpty() && current.length() == 0)) {
        continue;
      }
      if (line.endsWith("\\")) {
        current.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      current.append(line);
      instructions.add(current.toString().strip());
      current.setLength(0);
    }
    List<Stage> stages = new ArrayList<>();
    Set<String> stageNames = new HashSet<>();
    for (String instruction : instructions) {
      String[] words = instruction.split("\\s+");
      if (words[0].equalsIgnoreCase("FROM")) {
        List<String> args = Arrays.stream(words).skip(1).filter(w -> !w.startsWith("--")).toList();
        String image = args.get(0);
        stages.add(new Stage(image, stageNames.contains(image), new ArrayList<>()));
        if (args.size() >= 3 && args.get(1).equalsIgnoreCase("AS")) {
          stageNames.add(args.get(2));
        }
      } else {
        assertThat(stages).as("%s starts with FROM", dockerfile).isNotEmpty();
        stages.get(stages.size() - 1).lines().add(instruction);
      }
    }
    assertThat(stages).as("stages of %s", dockerfile).isNotEmpty();
    return stages;
  }

  private static List<String> execForm(Stage stage, String keyword) {
    String value = stage.instruction(keyword).orElse("");
    assertThat(value).as("%s in exec form (a JSON array)", keyword).startsWith("[");
    try {
      List<String> words = new ArrayList<>();
      JSON.readTree(value).forEach(word -> words.add(word.asText()));
      return words;
    } catch (IOException e) {
      throw new AssertionError(keyword + " is not a JSON array: " + value, e);
    }
  }

  private static Optional<Path> onPath(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private static Path repositoryRoot() {
    String configured = System.getProperty("flaredeploy.root");
    if (configured != null && Files.isRegularFile(Path.of(configured, "docker-compose.yml"))) {
      return Path.of(configured).toAbsolutePath().normalize();
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("docker-compose.yml"))) {
        return dir;
      }
    }
    throw new AssertionError("no docker-compose.yml in " + Path.of("").toAbsolutePath() + " or above");
  }
}
