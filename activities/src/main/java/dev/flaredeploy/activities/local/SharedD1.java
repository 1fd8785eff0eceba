package dev.flaredeploy.activities.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flaredeploy.workflows.model.DatabasePlan;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The local target's D1 databases, one per local database id, shared by every service and environment that
 * binds it, as one {@code database_id} is one database on Cloudflare (and as one multi-Worker {@code wrangler
 * dev} session shares them). They live in one place, {@link LocalWorkspace#d1Dir} ({@code
 * d1/miniflare-D1DatabaseObject/<object id>.sqlite}, named by {@link D1Files} after the local id), and each
 * environment's state links to it ({@code state/v3/d1 → d1}), so the {@code wrangler dev} of every service
 * reads and writes the same file that restore points, reads and applies use.
 *
 * <p>Installations from before kept a database per environment, in {@code state/v3/d1} itself. Such an
 * environment moves to the shared place on its first write ({@link #adopt}): each database is copied there
 * with SQLite's online backup (a consistent copy) and published atomically (a new name appears whole or not
 * at all), then the old files go and the state is linked. Reads move nothing: until then they read the old
 * file. When both places hold the same database and the two differ, nothing is chosen for the user: reads and
 * writes refuse ({@link LocalDatabaseConflictException}) naming both files and what to do.
 *
 * <p>A database without {@code database_id} (nor {@code preview_database_id}) is known to wrangler's local
 * mode by its binding name only; two services (or environments) with such a binding of the same name would
 * share a database without having said so. {@link #requireUsable} refuses that, reading who uses each
 * database from {@link LocalWorkspace#d1BindingsDir} (written on first write, under the database's lock).
 */
public final class SharedD1 {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final LocalWorkspace workspace;

  public SharedD1(LocalWorkspace workspace) {
    this.workspace = workspace;
  }

  /** Who uses a shared database: one binding of one environment. */
  public record Usage(String localId, String databaseId, String service, String environment, String binding) {}

  /** The shared database {@code localId} (it may not exist yet). */
  public Path file(String localId) {
    return D1Files.databaseIn(workspace.d1Dir(), localId);
  }

  /** The environment's own D1 state ({@code state/v3/d1}): a link to the shared place once moved. */
  Path ownRoot(String service, String environment) {
    return D1Files.root(workspace.stateDir(service, environment));
  }

  /** True when the environment's D1 state is the shared one already. */
  public boolean linked(String service, String environment) {
    return Files.isSymbolicLink(ownRoot(service, environment));
  }

  /** True when the environment has a D1 state of its own (from before databases were shared). */
  public boolean hasOwnState(String service, String environment) {
    Path own = ownRoot(service, environment);
    return Files.isDirectory(own) && !Files.isSymbolicLink(own);
  }

  /**
   * The file a read of {@code localId} for this environment uses: the shared one, unless the environment
   * still has the database in its own state and the shared place does not (or holds the same). Creates
   * nothing.
   *
   * @throws LocalDatabaseConflictException when both exist and differ
   */
  public Path forRead(String service, String environment, String localId) {
    Path shared = file(localId);
    if (!hasOwnState(service, environment)) {
      return shared;
    }
    Path own = D1Files.databaseIn(ownRoot(service, environment), localId);
    if (!Files.isRegularFile(own)) {
      return shared;
    }
    if (!Files.isRegularFile(shared)) {
      return own;
    }
    requireSame(service, environment, localId, own, shared);
    return shared;
  }

  /**
   * Moves the environment's own D1 state to the shared place and links it there; nothing when it is linked
   * already. Nothing may have the environment's databases open meanwhile (its release stopped): the caller
   * sees to it. Idempotent, and safe to repeat after a crash at any point.
   *
   * @throws LocalDatabaseConflictException when a database exists in both places and the two differ (nothing
   *     of that database is moved; databases moved before it stay moved)
   */
  public void adopt(String service, String environment) {
    Path own = ownRoot(service, environment);
    try {
      Files.createDirectories(workspace.d1Dir().resolve(D1Files.NAMESPACE));
      if (Files.isSymbolicLink(own)) {
        return;
      }
      if (Files.isDirectory(own)) {
        Path ownDatabases = own.resolve(D1Files.NAMESPACE);
        for (Path database : databasesIn(ownDatabases)) {
          move(service, environment, database);
        }
        Path aside = own.resolveSibling("d1.moved-" + UUID.randomUUID());
        Files.move(own, aside, StandardCopyOption.ATOMIC_MOVE);
        LocalWorkspace.deleteTree(aside); // what is left: miniflare's own metadata, recreated in the shared place
      }
      Files.createDirectories(own.getParent());
      try {
        Files.createSymbolicLink(own, workspace.d1Dir());
      } catch (FileAlreadyExistsException raced) {
        if (!Files.isSymbolicLink(own)) {
          throw raced;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not move the local D1 databases of " + service + " (" + environment
          + ") to " + workspace.d1Dir(), e);
    }
  }

  /**
   * Refuses a database that has no id of its own ({@code database_id} or {@code preview_database_id}) when
   * another service or environment already uses a database of that name on this machine. Reads only.
   *
   * @throws LocalDatabaseConflictException naming both users and what to do
   */
  public void requireUsable(String service, String environment, DatabasePlan db, String localId) {
    if (db.databaseId() != null || !localId.equals(db.binding())) {
      return;
    }
    List<Usage> others = usages(localId).stream()
        .filter(u -> !(u.service().equals(service) && u.environment().equals(environment)))
        .toList();
    if (!others.isEmpty()) {
      Usage other = others.get(0);
      throw new LocalDatabaseConflictException("D1 binding " + db.binding() + " of " + service + " (" + environment
          + ") has no database_id, so wrangler's local mode knows its database by the binding name \""
          + db.binding() + "\" only, and " + other.service() + " (" + other.environment() + ") already has a local"
          + " database of that name (" + file(localId) + "): on this machine the two would be one database."
          + " Give the binding a database_id in the wrangler config (for the local target any unique id will do,"
          + " e.g. \"" + service + "-" + db.binding().toLowerCase(java.util.Locale.ROOT) + "\"); use the same"
          + " database_id as " + other.service() + " only if they are meant to share one database.");
    }
  }

  /** Records that this binding uses the shared database {@code localId} (for {@link #requireUsable}, status). */
  public void register(String service, String environment, DatabasePlan db, String localId) {
    Path dir = workspace.d1BindingsDir().resolve(D1Files.objectId(localId));
    Path entry = dir.resolve(service + "@" + environment + "@" + db.binding() + ".json");
    if (Files.isRegularFile(entry)) {
      return;
    }
    try {
      Files.createDirectories(dir);
      Path partial = dir.resolve("." + entry.getFileName() + ".partial-" + UUID.randomUUID());
      JSON.writeValue(partial.toFile(), new Usage(localId, db.databaseId(), service, environment, db.binding()));
      Files.move(partial, entry, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("could not record the use of the local database " + localId + " in " + dir, e);
    }
  }

  /** Every recorded use of the shared database {@code localId}. */
  public List<Usage> usages(String localId) {
    return usagesIn(workspace.d1BindingsDir().resolve(D1Files.objectId(localId)));
  }

  /** Every recorded use of every shared database, by database then service. */
  public List<Usage> usages() {
    List<Usage> all = new ArrayList<>();
    Path root = workspace.d1BindingsDir();
    if (Files.isDirectory(root)) {
      try (Stream<Path> dirs = Files.list(root)) {
        for (Path dir : dirs.sorted().toList()) {
          all.addAll(usagesIn(dir));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("could not list " + root, e);
      }
    }
    all.sort(Comparator.comparing(Usage::localId).thenComparing(Usage::service).thenComparing(Usage::environment));
    return all;
  }

  private static List<Usage> usagesIn(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Usage> usages = new ArrayList<>();
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path entry : entries.filter(p -> p.getFileName().toString().endsWith(".json")
          && !p.getFileName().toString().startsWith(".")).sorted().toList()) {
        usages.add(JSON.readValue(entry.toFile(), Usage.class));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the uses recorded in " + dir, e);
    }
    return usages;
  }

  // ---- moving one database ----------------------------------------------------------------------

  /**
   * One database of an environment's own state into the shared place: a consistent copy published under
   * the shared name only if nothing is there yet; when something is, kept only if it is the same database.
   * Then the old file and its companions go.
   */
  private void move(String service, String environment, Path own) throws IOException {
    Path shared = workspace.d1Dir().resolve(D1Files.NAMESPACE).resolve(own.getFileName());
    if (!Files.isRegularFile(shared)) {
      Path partial = shared.resolveSibling("." + own.getFileName() + ".partial-" + UUID.randomUUID());
      try {
        if (D1Connections.backup(own, partial, D1Connections.BUSY_TIMEOUT, "WAL")) { // as workerd keeps its databases
          try {
            Files.createLink(shared, partial); // appears whole, and only if nothing is there yet
          } catch (FileAlreadyExistsException raced) {
            // another environment moved the same database meanwhile: compared below
          }
        }
      } catch (SQLException e) {
        throw new D1CommandException(own.getFileName().toString(), "could not copy " + own + " to " + shared + ": "
            + LocalDatabases.d1Message(e));
      } finally {
        Files.deleteIfExists(partial);
        D1Connections.deleteCompanions(partial);
      }
    }
    requireSame(service, environment, null, own, shared);
    Files.deleteIfExists(own);
    D1Connections.deleteCompanions(own);
  }

  /** Both files hold the same database (schema and rows), or a conflict a person must settle. */
  private void requireSame(String service, String environment, String localId, Path own, Path shared) {
    String ownDump;
    String sharedDump;
    try {
      ownDump = D1Connections.read(own, SqlDump::of).orElse("");
      sharedDump = D1Connections.read(shared, SqlDump::of).orElse("");
    } catch (SQLException e) {
      throw new D1CommandException(localId == null ? own.getFileName().toString() : localId,
          "could not compare " + own + " with " + shared + ": " + LocalDatabases.d1Message(e));
    }
    if (!ownDump.equals(sharedDump)) {
      throw new LocalDatabaseConflictException("the local D1 database " + (localId == null ? "" : localId + " ")
          + "of " + service + " (" + environment + ") exists twice and the two differ: " + own + " (this"
          + " environment's own, from before the local target shared databases) and " + shared + " (the shared"
          + " one, which every service binding this database uses now). flaredeploy will not choose between them."
          + " Keep the one you want: to keep this environment's, stop the local releases that use the database"
          + " (`flaredeploy local status` lists them) and move " + own + " over " + shared + "; to keep the"
          + " shared one, delete " + own + ". Then deploy again.");
    }
  }

  private static List<Path> databasesIn(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".sqlite")
              && !p.getFileName().toString().equals("metadata.sqlite")
              && !p.getFileName().toString().startsWith("."))
          .sorted().toList();
    }
  }
}
