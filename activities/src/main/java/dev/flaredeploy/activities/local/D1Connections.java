package dev.flaredeploy.activities.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Connections to a local D1 database file while {@code wrangler dev} (workerd) may hold it open.
 *
 * <p>Why this is safe: workerd opens a Durable Object's database on a real directory through SQLite's own
 * unix VFS (it only redirects paths to the directory's descriptor: {@code makeWrappedNativeVfs} in
 * workerd's {@code src/workerd/util/sqlite.c++}), so it takes the same POSIX locks and shares the same
 * {@code -shm} wal-index as any other SQLite process, and it puts every database in WAL mode ({@code
 * PRAGMA journal_mode=WAL} in {@code server.c++}). Readers therefore never block it nor it them; a writer
 * here waits for its write lock with a busy timeout. workerd itself sets no busy handler: while a write
 * transaction here holds the lock (a migration, a restore), a write through the release fails at once with
 * {@code D1_ERROR … SQLITE_BUSY}, exactly as it did while {@code wrangler d1} wrote the file from its own
 * workerd.
 *
 * <p>Reads create nothing: a missing file is reported as missing, never created; a database nobody has
 * open (no {@code -wal} file) is read as an immutable file, so not even SQLite's {@code -wal} and {@code
 * -shm} companions appear, and the read is discarded and repeated normally if the file changed meanwhile.
 */
final class D1Connections {
  /** The online backup retries a busy lock this often. */
  private static final int BACKUP_RETRY_MILLIS = 100;

  /** How long a write waits for workerd's (or another writer's) write lock, by default. */
  static final Duration BUSY_TIMEOUT = Duration.ofSeconds(30);

  /**
   * The limits workerd sets on every Durable Object database ({@code SqliteDatabase::setupSecurity}), set
   * on the connection that applies migrations so a migration that local D1 refuses (a statement over
   * 100,000 bytes, a table of more than 100 columns, a value over 4 MiB, an ATTACH) is refused here too.
   * Pairs of {@code sqlite3_limit} id and value.
   */
  private static final int[][] WORKERD_LIMITS = {
    {0, 4 * 1024 * 1024}, // SQLITE_LIMIT_LENGTH
    {1, 100_000}, // SQLITE_LIMIT_SQL_LENGTH
    {2, 100}, // SQLITE_LIMIT_COLUMN
    {3, 100}, // SQLITE_LIMIT_EXPR_DEPTH
    {4, 5}, // SQLITE_LIMIT_COMPOUND_SELECT
    {5, 25_000}, // SQLITE_LIMIT_VDBE_OP
    {6, 127}, // SQLITE_LIMIT_FUNCTION_ARG
    {7, 0}, // SQLITE_LIMIT_ATTACHED
    {8, 50}, // SQLITE_LIMIT_LIKE_PATTERN_LENGTH
    {9, 100}, // SQLITE_LIMIT_VARIABLE_NUMBER
    {10, 10}, // SQLITE_LIMIT_TRIGGER_DEPTH
  };

  /** Work on an open connection. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  private D1Connections() {
    // static helpers
  }

  /**
   * Runs read-only {@code work} on {@code file}; empty when the file does not exist (nothing is created).
   * The connection is read-only and {@code query_only}. The work must not return null.
   */
  static <T> Optional<T> read(Path file, Work<T> work) throws SQLException {
    return read(file, BUSY_TIMEOUT, work);
  }

  /** As {@link #read(Path, Work)}, waiting at most {@code busyTimeout} for a lock (WAL recovery). */
  static <T> Optional<T> read(Path file, Duration busyTimeout, Work<T> work) throws SQLException {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    if (!companionsExist(file)) {
      Optional<Stamp> before = Stamp.of(file);
      if (before.isPresent()) {
        try (Connection connection = open(file, "?immutable=1", readOnlyConfig(busyTimeout))) {
          T result = work.run(connection);
          if (!companionsExist(file) && before.equals(Stamp.of(file))) {
            return Optional.of(result);
          }
        } catch (SQLException e) {
          if (!companionsExist(file) && before.equals(Stamp.of(file))) {
            throw e;
          } // someone opened and wrote the file meanwhile: read again, normally
        }
      }
    }
    try (Connection connection = open(file, "?mode=ro", readOnlyConfig(busyTimeout))) {
      return Optional.of(work.run(connection));
    }
  }

  /**
   * Runs {@code work} on a read-write connection to {@code file} (foreign keys enforced, as D1 does, and a
   * busy timeout: {@code busyTimeout}), creating the file in WAL mode, as workerd would, when it does not exist yet. {@code
   * migrationLimits} sets workerd's limits on the connection. The work manages its own transactions.
   */
  static <T> T write(Path file, Duration busyTimeout, boolean migrationLimits, Work<T> work) throws SQLException {
    boolean created = !Files.exists(file);
    if (created) {
      try {
        Files.createDirectories(file.getParent());
      } catch (IOException e) {
        throw new UncheckedIOException("could not create " + file.getParent(), e);
      }
    }
    SQLiteConfig config = new SQLiteConfig();
    config.setBusyTimeout((int) busyTimeout.toMillis());
    config.enforceForeignKeys(true);
    try (Connection connection = open(file, "", config)) {
      if (created) {
        execute(connection, "PRAGMA journal_mode=WAL");
      }
      if (migrationLimits) {
        for (int[] limit : WORKERD_LIMITS) {
          connection.unwrap(SQLiteConnection.class).getDatabase().limit(limit[0], limit[1]);
        }
      }
      return work.run(connection);
    }
  }

  /** Runs {@code work} on a plain read-write connection to a file of our own (a restore point). */
  static <T> T file(Path file, Work<T> work) throws SQLException {
    try (Connection connection = open(file, "", new SQLiteConfig())) {
      return work.run(connection);
    }
  }

  /**
   * Copies the database file {@code source} onto the new file {@code partial} ({@link #copy}, in one read
   * transaction of {@code source}) and puts the copy in {@code journalMode}; false, and nothing written,
   * when {@code source} does not exist. The caller deletes {@code partial}'s companions
   * ({@link #deleteCompanions}) once it is done with it.
   */
  static boolean backup(Path source, Path partial, Duration busyTimeout, String journalMode) throws SQLException {
    Optional<Boolean> copied = read(source, busyTimeout, connection -> {
      copy(connection, partial, busyTimeout);
      return true;
    });
    if (copied.isPresent()) {
      file(partial, connection -> {
        execute(connection, "PRAGMA journal_mode=" + journalMode);
        return null;
      });
    }
    return copied.isPresent();
  }

  /** Deletes what a connection may leave beside {@code file}: its {@code -wal}, {@code -shm} and {@code -journal}. */
  static void deleteCompanions(Path file) throws IOException {
    for (String suffix : List.of("-wal", "-shm", "-journal")) {
      Files.deleteIfExists(sibling(file, suffix));
    }
  }

  /**
   * Copies the main database of {@code source} onto the file {@code destination} with SQLite's online
   * backup API: every page in one step, so one read transaction on the source and one write transaction on
   * the destination (all or nothing), retrying a busy destination lock for about {@code busyTimeout}.
   *
   * <p>The copy always goes from a connection to a file path because sqlite-jdbc reports the errors of the
   * connection it opens on that path only: its {@code restore} (file onto connection) returns success when
   * the connection's database was locked and nothing was copied. So the side that may fail (the live
   * database a restore writes, the new file a checkpoint writes) is always the path.
   */
  static void copy(Connection source, Path destination, Duration busyTimeout) throws SQLException {
    int retries = (int) Math.max(1, busyTimeout.toMillis() / BACKUP_RETRY_MILLIS);
    int rc = source.unwrap(SQLiteConnection.class).getDatabase()
        .backup("main", destination.toString(), null, BACKUP_RETRY_MILLIS, retries, -1);
    if (rc != 0) {
      SQLiteErrorCode code = SQLiteErrorCode.getErrorCode(rc);
      throw new SQLiteException("[" + code.name() + "] " + code.message + " (the online backup could not copy onto "
          + destination + ")", code);
    }
  }

  /** Runs every statement of {@code sql} (SQLite's {@code sqlite3_exec}: rows are discarded). */
  static void exec(Connection connection, String sql) throws SQLException {
    connection.unwrap(SQLiteConnection.class).getDatabase()._exec(sql);
  }

  /** Runs one statement that returns nothing worth reading. */
  static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  /**
   * The rows of one query, column → value as text (null for SQL NULL), as {@code wrangler d1 execute
   * --json} shows them: integers without a fraction, blobs as {@code [1, 2]}.
   */
  static List<Map<String, String>> rows(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(sql)) {
      ResultSetMetaData meta = result.getMetaData();
      List<Map<String, String>> rows = new ArrayList<>();
      while (result.next()) {
        Map<String, String> row = new LinkedHashMap<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          row.put(meta.getColumnLabel(i), text(result, i));
        }
        rows.add(row);
      }
      return rows;
    }
  }

  /** True when {@code table} (or view) exists in the connection's main database. */
  static boolean tableExists(Connection connection, String table) throws SQLException {
    try (var statement = connection.prepareStatement(
        "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ? COLLATE NOCASE")) {
      statement.setString(1, table);
      try (ResultSet result = statement.executeQuery()) {
        return result.next();
      }
    }
  }

  private static String text(ResultSet result, int column) throws SQLException {
    Object value = result.getObject(column);
    if (value == null) {
      return null;
    }
    if (value instanceof byte[] bytes) {
      StringBuilder text = new StringBuilder("[");
      for (int i = 0; i < bytes.length; i++) {
        text.append(i == 0 ? "" : ", ").append(bytes[i] & 0xff);
      }
      return text.append(']').toString();
    }
    if (value instanceof Double d && d == Math.rint(d) && !d.isInfinite() && Math.abs(d) < 1e15) {
      return Long.toString(d.longValue());
    }
    if (result.getMetaData().getColumnType(column) == Types.REAL && value instanceof Number n) {
      return Double.toString(n.doubleValue());
    }
    return value.toString();
  }

  private static SQLiteConfig readOnlyConfig(Duration busyTimeout) {
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    config.setBusyTimeout((int) busyTimeout.toMillis());
    return config;
  }

  private static Connection open(Path file, String query, SQLiteConfig config) throws SQLException {
    Objects.requireNonNull(file, "file");
    String uri = "file:" + file.toAbsolutePath().normalize().toUri().getRawPath() + query;
    Connection connection = DriverManager.getConnection("jdbc:sqlite:" + uri, config.toProperties());
    if (!query.isEmpty()) {
      try {
        execute(connection, "PRAGMA query_only = 1");
      } catch (SQLException e) {
        connection.close();
        throw e;
      }
    }
    return connection;
  }

  /** A database nobody has open has no {@code -wal} (WAL mode) nor {@code -journal} (rollback mode). */
  private static boolean companionsExist(Path file) {
    return Files.exists(sibling(file, "-wal")) || Files.exists(sibling(file, "-journal"));
  }

  static Path sibling(Path file, String suffix) {
    return file.resolveSibling(file.getFileName() + suffix);
  }

  /** What tells that a file changed: its size, modification time and identity. */
  private record Stamp(long size, long modifiedNanos, Object key) {
    static Optional<Stamp> of(Path file) {
      try {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        return Optional.of(new Stamp(attributes.size(),
            attributes.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS), attributes.fileKey()));
      } catch (IOException e) {
        return Optional.empty();
      }
    }
  }
}
