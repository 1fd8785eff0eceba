package dev.flaredeploy.cli;

import dev.flaredeploy.activities.config.ConfigException;
import dev.flaredeploy.activities.config.LoadedProject;
import dev.flaredeploy.activities.config.ServiceBinding;
import dev.flaredeploy.activities.config.WranglerProject;
import dev.flaredeploy.cli.client.EnvironmentGlob;
import dev.flaredeploy.workflows.FleetIds;
import dev.flaredeploy.workflows.model.NotifyTarget;
import dev.flaredeploy.workflows.model.PolicyOverride;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@code deploy DIR... --env NAME|GLOB...} selects: (service, environment) pairs in the order they deploy,
 * each checked as a single deployment is before anything starts (bad input: exit 2).
 *
 * <ul>
 *   <li>Directories in the order given; in each, its environments in the order of its wrangler config ({@code
 *       default} for the top level), those an {@code --env} value names or matches.
 *   <li>A glob ({@code *}, {@code ?}, {@code [..]}) matches environment names of each directory and must match at
 *       least one in the selection; a plain name must be an environment of every directory.
 *   <li>The same (service, environment) twice, a directory without a wrangler config, or members on different
 *       targets: exit 2.
 *   <li>Then service bindings: a Worker that binds another Worker of the selection deploys after it (and waits
 *       for it to succeed); bindings that form a cycle are exit 2.
 * </ul>
 *
 * @param members in the order they deploy
 * @param after per member, the indexes of the members it binds (all lower than its own)
 * @param id the fleet id ({@link FleetIds})
 * @param text the selection as a person reads it: {@code hello-d1 --env tenant-*}
 * @param parallel {@code [fleet] parallel} of the first directory's flaredeploy.toml, null when not set
 * @param notifications where the fleet sends its own outcome: the top-level {@code [[notify]]} of every directory,
 *     one entry per (variable, format) with the events any of them wants
 */
record FleetSelection(
    List<ProjectInput> members, List<List<Integer>> after, String id, String target, String text, Integer parallel,
    List<NotifyTarget> notifications) {

  /**
   * @param directories the projects as given (directories, or the service name of the project in the current
   *     directory); empty: the current directory
   * @param environments the {@code --env} values; empty: {@code default}
   * @param target {@code --target}, or null for each project's configured one
   */
  static FleetSelection resolve(List<String> directories, List<String> environments, String target, String commit,
      boolean allowDestructive, List<PolicyOverride> overrides, Path workingDir, PrintWriter err) {
    List<String> given = directories.isEmpty() ? List.of(".") : directories;
    List<String> patterns = environments.isEmpty() ? List.of("default") : environments;
    Map<String, Integer> matched = new LinkedHashMap<>();
    patterns.forEach(p -> matched.put(p, 0));

    record Pair(Path dir, String environment) {}
    List<Pair> pairs = new ArrayList<>();
    for (String argument : given) {
      Path dir = ProjectArgument.resolve(argument, workingDir).requireDirectory("deploy");
      List<String> available;
      try {
        available = WranglerProject.environmentNames(dir);
      } catch (ConfigException e) {
        throw new CliException(ExitCode.INVALID_INPUT, e.getMessage() + " (nothing was started)", e);
      }
      for (String environment : available) {
        List<String> by = patterns.stream().filter(p -> EnvironmentGlob.matches(p, environment)).toList();
        by.forEach(p -> matched.merge(p, 1, Integer::sum));
        if (by.size() > 1) {
          throw new CliException(ExitCode.INVALID_INPUT, "--env " + String.join(" and --env ", by) + " both select "
              + environment + " of " + dir + ": each (service, environment) may be selected once (nothing was started)");
        }
        if (!by.isEmpty()) {
          pairs.add(new Pair(dir, environment));
        }
      }
      for (String p : patterns) {
        if (!EnvironmentGlob.isGlob(p) && !available.contains(p)) {
          pairs.add(new Pair(dir, p)); // loading it says what is wrong, as a single deploy does
        }
      }
    }
    matched.forEach((pattern, count) -> {
      if (EnvironmentGlob.isGlob(pattern) && count == 0) {
        throw new CliException(ExitCode.INVALID_INPUT, "--env " + pattern + " matches no environment of "
            + String.join(", ", given) + " (environments are matched by name; \"default\" is the top level);"
            + " nothing was started");
      }
    });

    StringWriter warnings = new StringWriter();
    PrintWriter collect = new PrintWriter(warnings);
    List<ProjectInput> inputs = new ArrayList<>();
    Map<String, Path> seen = new LinkedHashMap<>();
    for (Pair pair : pairs) {
      ProjectInput input = ProjectInput.of(pair.dir(), pair.environment(), target, commit, allowDestructive,
          overrides, collect);
      String key = input.request().service() + " (" + pair.environment() + ")";
      Path earlier = seen.putIfAbsent(key, pair.dir());
      if (earlier != null) {
        throw new CliException(ExitCode.INVALID_INPUT, key + " is selected twice (from " + earlier
            + (earlier.equals(pair.dir()) ? "" : " and " + pair.dir()) + "); each (service, environment) may be"
            + " deployed once per run (nothing was started)");
      }
      inputs.add(input);
    }
    collect.flush();
    new LinkedHashSet<>(warnings.toString().lines().toList()).forEach(err::println);

    Set<String> targets = new LinkedHashSet<>();
    inputs.forEach(i -> targets.add(i.request().target()));
    if (targets.size() > 1) {
      throw new CliException(ExitCode.INVALID_INPUT, "the selection deploys to " + String.join(" and ", targets)
          + " (each project's flaredeploy.toml target); a fleet runs on one target: choose it with --target"
          + " (nothing was started)");
    }
    Ordered ordered = orderByBindings(inputs);
    String chosen = targets.iterator().next();
    List<String> services = ordered.members().stream().map(i -> i.request().service()).toList();
    String id = FleetIds.fleetId(chosen, services, patterns);
    String text = String.join(", ", new LinkedHashSet<>(services)) + " --env " + String.join(",", patterns);
    return new FleetSelection(ordered.members(), ordered.after(), id, chosen, text,
        inputs.get(0).project().fleetParallel(), fleetNotifications(inputs));
  }

  /** The top-level {@code [[notify]]} of the members' projects, one per (variable, format), events merged. */
  static List<NotifyTarget> fleetNotifications(List<ProjectInput> inputs) {
    Map<String, Set<String>> events = new LinkedHashMap<>();
    Map<String, NotifyTarget> first = new LinkedHashMap<>();
    for (ProjectInput input : inputs) {
      for (NotifyTarget target : input.project().fleetNotifications()) {
        String key = target.urlEnv() + " " + target.format();
        first.putIfAbsent(key, target);
        events.computeIfAbsent(key, k -> new LinkedHashSet<>()).addAll(target.events());
      }
    }
    return first.entrySet().stream()
        .map(e -> new NotifyTarget(e.getValue().urlEnv(),
            NotifyTarget.EVENTS.stream().filter(events.get(e.getKey())::contains).toList(), e.getValue().format()))
        .toList();
  }

  private record Ordered(List<ProjectInput> members, List<List<Integer>> after) {}

  /**
   * Keeps the given order except that a Worker comes after the Workers of the selection it binds (stable: each
   * time, the first member in the given order whose bound Workers are all placed).
   */
  private static Ordered orderByBindings(List<ProjectInput> inputs) {
    List<Set<Integer>> binds = new ArrayList<>();
    for (ProjectInput member : inputs) {
      Set<Integer> bound = new LinkedHashSet<>();
      for (ServiceBinding binding : member.project().services()) {
        for (int j = 0; j < inputs.size(); j++) {
          if (inputs.get(j) != member && isBound(binding, inputs.get(j).project())) {
            bound.add(j);
          }
        }
      }
      binds.add(bound);
    }
    List<Integer> order = new ArrayList<>();
    List<Integer> remaining = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      remaining.add(i);
    }
    while (!remaining.isEmpty()) {
      Integer next = remaining.stream().filter(i -> order.containsAll(binds.get(i))).findFirst().orElse(null);
      if (next == null) {
        throw new CliException(ExitCode.INVALID_INPUT, "the service bindings of " + String.join(", ", remaining
            .stream().map(i -> name(inputs.get(i))).toList()) + " form a cycle, so no order deploys each Worker after"
            + " the Workers it binds; deploy them in separate runs (nothing was started)");
      }
      order.add(next);
      remaining.remove(next);
    }
    List<ProjectInput> members = order.stream().map(inputs::get).toList();
    List<List<Integer>> after = order.stream()
        .map(i -> binds.get(i).stream().map(order::indexOf).sorted().toList())
        .toList();
    return new Ordered(members, after);
  }

  private static boolean isBound(ServiceBinding binding, LoadedProject candidate) {
    if (binding.environment() != null) {
      return binding.service().equals(candidate.service()) && binding.environment().equals(candidate.environment());
    }
    return binding.service().equals(candidate.workerName());
  }

  static String name(ProjectInput input) {
    return input.request().service() + " (" + input.request().environment() + ")";
  }
}
