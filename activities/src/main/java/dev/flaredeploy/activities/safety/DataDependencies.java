package dev.flaredeploy.activities.safety;

import dev.flaredeploy.activities.safety.DataDependency.Kind;
import dev.flaredeploy.activities.safety.SqlLexer.Token;
import dev.flaredeploy.activities.safety.SqlLexer.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Finds, statement by statement while pending migrations run in a shadow of the live schema, the
 * statements whose outcome depends on the live rows (which the shadow does not hold), and composes the
 * read-only probe that decides each one ({@link DataDependency}):
 *
 * <ul>
 *   <li>{@code CREATE UNIQUE INDEX} on a table with live rows: duplicates of the key;
 *   <li>{@code INSERT … SELECT} (a table rebuild's copy, a backfill) whose rows come from live rows, into a
 *       table with NOT NULL, CHECK, UNIQUE or foreign keys: the copied rows that break one; also {@code
 *       INSERT … VALUES} into a table with live rows (duplicates of the rows there);
 *   <li>{@code UPDATE} of live rows that sets constrained columns: the updated rows that break one;
 *   <li>{@code ALTER TABLE … ADD COLUMN … CHECK}: SQLite tests the check on every existing row;
 *   <li>{@code DROP TABLE} of a table that rows of another table refer to (a rebuild of a referenced
 *       table): D1's deferred foreign key check fails at the end of the migration.
 * </ul>
 *
 * <p>A probe reads the live database as the migration would only while the tables it reads are as they
 * are live: once a statement of this deployment wrote to, altered, renamed or created a table, a later
 * statement that depends on its rows is {@link DataDependency#undecided} (the shadow cannot hold them
 * either). Constraints a copy keeps from its source (a column copied unchanged from a NOT NULL column, a
 * key copied from a unique one, an identical CHECK or foreign key) are not probed again.
 */
final class DataDependencies implements ShadowDatabase.StatementObserver {
  private static final String ROWS = "flaredeploy_rows";
  private static final String SOURCE = "flaredeploy_source";
  private static final String KEYS = "flaredeploy_keys";
  private static final String KEY = "flaredeploy_key_";
  private static final int LIMIT = DataDependency.KEYS_SHOWN + 1;

  /** Tables (and views) of the live database. */
  private final Set<String> live = names();
  /** Live tables no statement so far changed: a probe of them reads what the migration would. */
  private Set<String> untouched = names();
  /** Tables whose rows may come from live rows (the shadow's copy of them is incomplete). */
  private Set<String> liveRows = names();
  /** Table → the statement that changed it first, for messages. */
  private Map<String, String> changedBy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

  private String migration;
  private boolean foreignKeysInShadow = true;
  private List<DataDependency> found = new ArrayList<>();
  private Runnable afterStatement;
  private State atStart;

  private record State(Set<String> untouched, Set<String> liveRows, Map<String, String> changedBy) {}

  DataDependencies(Schema liveSchema) {
    live.addAll(liveSchema.tables().keySet());
    live.addAll(liveSchema.views().keySet());
    untouched.addAll(live);
    liveRows.addAll(live);
  }

  /**
   * Starts watching one migration.
   *
   * @param foreignKeysInShadow whether the shadow enforces foreign keys while it runs (then it decides the
   *     references among rows it holds); false when it runs again without them because the references went
   *     to live rows it does not hold
   */
  void start(String migrationName, boolean foreignKeysInShadow) {
    this.migration = migrationName;
    this.foreignKeysInShadow = foreignKeysInShadow;
    this.found = new ArrayList<>();
    this.afterStatement = null;
    this.atStart = new State(copy(untouched), copy(liveRows), new TreeMap<>(changedBy));
  }

  /** Forgets what the migration started last changed (it failed in the shadow and runs again). */
  void rollback() {
    untouched = copy(atStart.untouched());
    liveRows = copy(atStart.liveRows());
    changedBy = new TreeMap<>(atStart.changedBy());
    found = new ArrayList<>();
  }

  /** What the migration started last depends on. */
  List<DataDependency> found() {
    return List.copyOf(found);
  }

  @Override
  public void before(SqlStatement statement, ShadowDatabase shadow) {
    afterStatement = null;
    List<Token> tokens = new ArrayList<>(SqlLexer.significant(SqlLexer.tokens(statement.sql())));
    while (!tokens.isEmpty() && tokens.get(tokens.size() - 1).type() == Type.SEMICOLON) {
      tokens.remove(tokens.size() - 1);
    }
    if (tokens.isEmpty()) {
      return;
    }
    Parsed p = new Parsed(statement, tokens, shadow);
    int main = 0;
    if (tokens.get(0).is("WITH")) {
      main = p.mainVerb();
      if (main < 0) {
        return;
      }
    }
    switch (tokens.get(main).upper()) {
      case "CREATE" -> create(p, main);
      case "ALTER" -> alter(p, main);
      case "DROP" -> drop(p, main);
      case "INSERT", "REPLACE" -> insert(p, main);
      case "UPDATE" -> update(p, main);
      case "DELETE" -> {
        if (main + 2 < tokens.size() && tokens.get(main + 1).is("FROM")) {
          touch(p.name(main + 2).name(), p);
        }
      }
      default -> {
        // SELECT, PRAGMA, …: reads or settings only
      }
    }
  }

  @Override
  public void after(SqlStatement statement, ShadowDatabase shadow) {
    if (afterStatement != null) {
      afterStatement.run();
      afterStatement = null;
    }
  }

  // ---- statements ----

  private void create(Parsed p, int i) {
    int j = i + 1;
    if (p.is(j, "TEMP") || p.is(j, "TEMPORARY")) {
      j++;
    }
    boolean unique = p.is(j, "UNIQUE");
    if (unique) {
      j++;
    }
    if (p.is(j, "INDEX")) {
      if (unique) {
        uniqueIndex(p, p.skipIfNotExists(j + 1));
      }
      return;
    }
    if (p.is(j, "VIRTUAL")) {
      j++;
    }
    if (!p.is(j, "TABLE")) {
      return; // a view or trigger: no rows
    }
    Name table = p.name(p.skipIfNotExists(j + 1));
    if (table.name() == null || p.shadow.exists(table.name())) {
      return; // IF NOT EXISTS of an existing table: nothing happens
    }
    boolean asSelect = p.is(table.next(), "AS");
    boolean fromLive = asSelect && p.reads(table.next()).stream().anyMatch(liveRows::contains);
    touch(table.name(), p);
    if (fromLive) {
      liveRows.add(table.name());
    } else {
      liveRows.remove(table.name());
    }
  }

  /** {@code CREATE UNIQUE INDEX [IF NOT EXISTS] name ON table (…) [WHERE …]}: duplicates of the key. */
  private void uniqueIndex(Parsed p, int j) {
    Name index = p.name(j);
    if (index.name() == null || !p.is(index.next(), "ON") || p.shadow.exists(index.name())) {
      return;
    }
    String table = p.name(index.next() + 1).name();
    if (table == null || !liveRows.contains(table)) {
      return; // every row of the table is in the shadow, which ran the statement on them
    }
    boolean asLive = untouched.contains(table);
    afterStatement = () -> {
      Optional<Index> created = p.shadow.snapshot().table(table).flatMap(t -> t.index(index.name()));
      if (created.isEmpty()) {
        return;
      }
      String constraint = created.get().describe();
      if (!asLive) {
        found.add(DataDependency.undecided(migration, p.statement, Kind.UNIQUE, constraint,
            changedWhy(table)));
        return;
      }
      uniqueProbe(p, constraint, created.get().columns(), created.get().where(), null, q(table), null);
    };
  }

  private void alter(Parsed p, int i) {
    if (!p.is(i + 1, "TABLE")) {
      return;
    }
    Name table = p.name(i + 2);
    if (table.name() == null) {
      return;
    }
    int j = table.next();
    if (p.is(j, "RENAME") && p.is(j + 1, "TO")) {
      String to = p.name(j + 2).name();
      boolean rows = liveRows.remove(table.name());
      touch(table.name(), p);
      touch(to, p);
      if (rows) {
        liveRows.add(to);
      }
      return;
    }
    if (p.is(j, "ADD") && p.tokens.stream().anyMatch(t -> t.is("CHECK"))) {
      addColumn(p, table.name());
    }
    touch(table.name(), p);
  }

  /** {@code ALTER TABLE … ADD COLUMN … CHECK (…)}: SQLite tests the new checks on every existing row. */
  private void addColumn(Parsed p, String table) {
    if (!liveRows.contains(table)) {
      return;
    }
    boolean asLive = untouched.contains(table);
    Optional<Table> before = p.shadow.snapshot().table(table);
    if (before.isEmpty()) {
      return;
    }
    afterStatement = () -> {
      Optional<Table> after = p.shadow.snapshot().table(table);
      if (after.isEmpty() || after.get().columns().size() <= before.get().columns().size()) {
        return;
      }
      Column added = after.get().columns().get(after.get().columns().size() - 1);
      for (String check : after.get().checks()) {
        if (before.get().checks().contains(check)) {
          continue;
        }
        String constraint = "CHECK (" + check + ") of " + table + " for the new column " + added.name();
        if (!asLive) {
          found.add(DataDependency.undecided(migration, p.statement, Kind.CHECK, constraint, changedWhy(table)));
          continue;
        }
        Keys keys = Keys.of(before.get(), null);
        String rows = "SELECT " + keys.select() + ", *, " + (added.defaultValue() == null ? "NULL"
            : "(" + added.defaultValue() + ")") + " AS " + q(added.name()) + " FROM " + q(table);
        probe(p, Kind.CHECK, constraint, "WITH " + q(ROWS) + " AS (" + rows + ") SELECT " + keys.carried()
            + " FROM " + q(ROWS) + " WHERE NOT (" + check + ") LIMIT " + LIMIT, keys, false, true);
      }
    };
  }

  private void drop(Parsed p, int i) {
    if (!p.is(i + 1, "TABLE")) {
      return;
    }
    String table = p.name(p.skipIfExists(i + 2)).name();
    if (table == null || !p.shadow.exists(table)) {
      return;
    }
    referencingRows(p, table);
    touch(table, p);
    liveRows.remove(table);
  }

  /**
   * Dropping a table deletes its rows first: rows of other tables that refer to it then break their foreign
   * key (D1 checks it at the end of the migration, even when the table is recreated under its name), or
   * are deleted or changed by an {@code ON DELETE} action.
   */
  private void referencingRows(Parsed p, String dropped) {
    for (Table child : p.shadow.snapshot().tables().values()) {
      if (child.name().equalsIgnoreCase(dropped) || !liveRows.contains(child.name())) {
        continue;
      }
      for (ForeignKey key : child.foreignKeys()) {
        if (!key.table().equalsIgnoreCase(dropped)) {
          continue;
        }
        String action = key.onDelete() == null ? "NO ACTION" : key.onDelete().toUpperCase(Locale.ROOT);
        boolean fails = action.equals("NO ACTION") || action.equals("RESTRICT");
        String constraint = "foreign key " + child.name() + key.describe() + " (ON DELETE " + action + ")";
        if (!untouched.contains(child.name())) {
          found.add(DataDependency.undecided(migration, p.statement, Kind.REFERENCED, constraint,
              changedWhy(child.name())));
          continue;
        }
        Keys keys = Keys.of(child, null);
        String notNull = key.columns().stream().map(c -> q(c) + " IS NOT NULL").collect(Collectors.joining(" AND "));
        probe(p, Kind.REFERENCED, constraint, "SELECT " + keys.select() + " FROM " + q(child.name()) + " WHERE "
            + notNull + " LIMIT " + LIMIT, keys, false, fails);
      }
    }
  }

  /** {@code INSERT|REPLACE [OR x] INTO table [(columns)] (SELECT …|VALUES …|DEFAULT VALUES) [upsert]}. */
  private void insert(Parsed p, int i) {
    int j = i + 1;
    String conflict = p.is(i, "REPLACE") ? "REPLACE" : "ABORT";
    if (p.is(j, "OR")) {
      conflict = p.upper(j + 1);
      j += 2;
    }
    if (!p.is(j, "INTO")) {
      return;
    }
    Name target = p.name(j + 1);
    if (target.name() == null) {
      return;
    }
    j = target.next();
    if (p.is(j, "AS")) {
      j += 2;
    }
    Optional<Table> written = p.shadow.snapshot().table(target.name());
    List<String> columns = null;
    if (p.type(j) == Type.OPEN) {
      int close = SqlLexer.closing(p.tokens, j);
      columns = p.identifiers(j + 1, close);
      j = close + 1;
    }
    int end = p.sourceEnd(j);
    boolean upsert = p.is(end, "ON");
    String source = p.is(j, "DEFAULT") ? null : p.prefix(i) + p.text(j, end);
    Set<String> reads = p.reads(j, end);
    reads.addAll(p.reads(0, i));
    if (written.isEmpty() || written.get().virtualModule() != null) {
      touch(target.name(), p);
      return;
    }
    Table table = written.get();
    boolean sourceLive = reads.stream().anyMatch(liveRows::contains);
    boolean targetLive = liveRows.contains(table.name());
    if (source != null) {
      List<String> insertColumns = columns != null ? columns
          : table.columns().stream().filter(c -> c.generated() == Column.Generated.NONE && !c.hidden())
              .map(Column::name).toList();
      Rows rows = Rows.inserted(table, insertColumns, source);
      new Written(p, table, rows, reads, sourceLive, targetLive, conflict, upsert, null).plan();
    }
    touch(table.name(), p);
    if (sourceLive) {
      liveRows.add(table.name());
    }
  }

  /** {@code UPDATE [OR x] table [[AS] alias] SET … [WHERE …]}. */
  private void update(Parsed p, int i) {
    int j = i + 1;
    String conflict = "ABORT";
    if (p.is(j, "OR")) {
      conflict = p.upper(j + 1);
      j += 2;
    }
    Name target = p.name(j);
    if (target.name() == null) {
      return;
    }
    Optional<Table> written = p.shadow.snapshot().table(target.name());
    Set<String> reads = p.reads(target.next(), p.tokens.size());
    String name = target.name();
    boolean targetLive = liveRows.contains(name);
    boolean sourceLive = targetLive || reads.stream().anyMatch(liveRows::contains);
    if (written.isPresent() && sourceLive) {
      Table table = written.get();
      Rows rows = Rows.updated(p, target.next(), table);
      reads.remove(name);
      String why = rows.unsupported != null ? rows.unsupported
          : !untouched.contains(name) ? changedWhy(name) : null;
      new Written(p, table, rows, reads, sourceLive, targetLive, conflict, false, why).plan();
    }
    touch(name, p);
    if (sourceLive) {
      liveRows.add(name);
    }
  }

  // ---- the constraints a write must satisfy ----

  /** The rows a statement writes into {@code table}, and what must hold of them. */
  private final class Written {
    private final Parsed p;
    private final Table table;
    private final Rows rows;
    private final Set<String> reads;
    private final boolean sourceLive;
    private final boolean targetLive;
    private final String conflict;
    private final boolean upsert;
    private final String unsupported;
    private final Keys keys;

    Written(Parsed p, Table table, Rows rows, Set<String> reads, boolean sourceLive, boolean targetLive,
        String conflict, boolean upsert, String unsupported) {
      this.p = p;
      this.table = table;
      this.rows = rows;
      this.reads = reads;
      this.sourceLive = sourceLive;
      this.targetLive = targetLive;
      this.conflict = conflict;
      this.upsert = upsert;
      this.unsupported = unsupported;
      this.keys = Keys.of(table, rows.isUpdate() ? null : ROWS);
    }

    void plan() {
      List<Runnable> probes = new ArrayList<>();
      List<String> constraints = new ArrayList<>();
      boolean ignore = conflict.equals("IGNORE");
      Source source = rows.isUpdate() ? null : Source.of(p, rows.source);
      for (Column column : table.columns()) {
        if (!column.notNull() || column.generated() != Column.Generated.NONE || column.isRowidAlias()
            || !rows.sets(column.name()) || !sourceLive || ignore
            || (conflict.equals("REPLACE") && column.defaultValue() != null)) {
          continue;
        }
        if (source != null && source.keeps(p, rows.sourceExpression(column.name()), c -> c.notNull())) {
          continue;
        }
        String constraint = "NOT NULL " + table.name() + "." + column.name();
        constraints.add(constraint);
        probes.add(() -> probe(p, Kind.NOT_NULL, constraint, rows.cte(false) + " SELECT " + rows.keySelect(keys)
            + " FROM " + q(ROWS) + " WHERE " + q(column.name()) + " IS NULL LIMIT " + LIMIT, keys, false, true));
      }
      for (String check : table.checks()) {
        Set<String> referenced = referencedColumns(check);
        if (!sourceLive || ignore || referenced.stream().noneMatch(rows::sets)) {
          continue;
        }
        String constraint = "CHECK (" + check + ") of " + table.name();
        if (source != null && source.keepsCheck(p, rows, check, referenced)) {
          continue;
        }
        constraints.add(constraint);
        if (referenced.stream().anyMatch(c -> table.column(c).map(col -> col.generated() != Column.Generated.NONE)
            .orElse(false))) {
          probes.add(() -> found.add(DataDependency.undecided(migration, p.statement, Kind.CHECK, constraint,
              "the check refers to a generated column")));
          continue;
        }
        probes.add(() -> probe(p, Kind.CHECK, constraint, rows.cte(false) + " SELECT " + rows.keySelect(keys) + " FROM "
            + q(ROWS) + " WHERE NOT (" + check + ") LIMIT " + LIMIT, keys, false, true));
      }
      if (!ignore && !upsert && !conflict.equals("REPLACE") && (sourceLive || targetLive)) {
        for (UniqueKey key : uniqueKeys(table)) {
          if (key.columns().stream().noneMatch(c -> rows.sets(c.name()))) {
            continue;
          }
          if (!targetLive && source != null && source.keepsUnique(p, rows, key)) {
            continue;
          }
          constraints.add(key.describe());
          probes.add(() -> uniqueWrite(key));
        }
      }
      for (ForeignKey key : table.foreignKeys()) {
        boolean parentLive = liveRows.contains(key.table());
        if (key.columns().stream().noneMatch(rows::sets) || !(sourceLive || (!foreignKeysInShadow && parentLive))) {
          continue;
        }
        if (source != null && source.keepsForeignKey(p, rows, key)) {
          continue;
        }
        String constraint = "foreign key " + table.name() + key.describe();
        constraints.add(constraint);
        probes.add(() -> foreignKey(key, constraint));
      }
      if (constraints.isEmpty()) {
        return;
      }
      String why = unsupported;
      if (why == null) {
        why = reads.stream().filter(t -> !untouched.contains(t)).findFirst()
            .map(t -> "it reads " + t + (live.contains(t) ? ", and " + changedWhy(t)
                : ", which this deployment creates or fills (" + changedBy.getOrDefault(t, "earlier") + ")"))
            .orElse(null);
      }
      if (why != null) {
        found.add(DataDependency.undecided(migration, p.statement, kindOf(constraints), String.join("; ",
            constraints), why));
        return;
      }
      probes.forEach(Runnable::run);
    }

    private Kind kindOf(List<String> constraints) {
      String first = constraints.get(0);
      return first.startsWith("NOT NULL") ? Kind.NOT_NULL : first.startsWith("CHECK") ? Kind.CHECK
          : first.startsWith("foreign key") ? Kind.FOREIGN_KEY : Kind.UNIQUE;
    }

    private void uniqueWrite(UniqueKey key) {
      boolean withExisting = false;
      if (!rows.isUpdate()) {
        if (targetLive && !untouched.contains(table.name())) {
          found.add(DataDependency.undecided(migration, p.statement, Kind.UNIQUE, key.describe(),
              changedWhy(table.name())));
          return;
        }
        if (!targetLive && !p.shadow.isEmpty(table.name())) {
          found.add(DataDependency.undecided(migration, p.statement, Kind.UNIQUE, key.describe(),
              table.name() + " already holds rows this deployment wrote, which no probe of the live database sees"));
          return;
        }
        withExisting = targetLive;
      }
      uniqueProbe(p, key.describe(), key.columns(), key.where(), rows.cte(true), q(ROWS),
          withExisting ? q(table.name()) : null);
    }

    private void foreignKey(ForeignKey key, String constraint) {
      boolean self = key.table().equalsIgnoreCase(table.name());
      Optional<Table> parent = p.shadow.snapshot().table(key.table());
      List<String> targetColumns = key.targetColumns().isEmpty()
          ? parent.map(Table::primaryKey).orElse(List.of()) : key.targetColumns();
      if (parent.isEmpty() || targetColumns.size() != key.columns().size()) {
        found.add(DataDependency.undecided(migration, p.statement, Kind.FOREIGN_KEY, constraint,
            "its parent key cannot be read from the schema"));
        return;
      }
      if (self && rows.isUpdate()) {
        found.add(DataDependency.undecided(migration, p.statement, Kind.FOREIGN_KEY, constraint,
            "the table refers to itself and the statement updates the key"));
        return;
      }
      List<String> parents = new ArrayList<>();
      if (self) {
        parents.add(q(ROWS)); // the rows written refer to each other
      }
      if (!self || targetLive) {
        if (!untouched.contains(key.table())) {
          found.add(DataDependency.undecided(migration, p.statement, Kind.FOREIGN_KEY, constraint,
              live.contains(key.table()) ? changedWhy(key.table()) : "its parent table " + key.table()
                  + " is created or filled by this deployment (" + changedBy.getOrDefault(key.table(), "earlier")
                  + ")"));
          return;
        }
        parents.add(q(key.table()));
      }
      StringBuilder where = new StringBuilder();
      for (String column : key.columns()) {
        where.append(q(column)).append(" IS NOT NULL AND ");
      }
      List<String> missing = new ArrayList<>();
      for (String parentTable : parents) {
        StringBuilder match = new StringBuilder();
        for (int k = 0; k < key.columns().size(); k++) {
          match.append(k == 0 ? "" : " AND ").append(q("flaredeploy_parent")).append('.')
              .append(q(targetColumns.get(k))).append(" = ").append(q(ROWS)).append('.').append(q(key.columns().get(k)));
        }
        missing.add("NOT EXISTS (SELECT 1 FROM " + parentTable + " AS " + q("flaredeploy_parent") + " WHERE " + match
            + ")");
      }
      Keys fk = Keys.ofColumns(key.columns());
      probe(p, Kind.FOREIGN_KEY, constraint, rows.cte(false) + " SELECT DISTINCT " + fk.select() + " FROM "
          + q(ROWS) + " WHERE " + where + String.join(" AND ", missing) + " LIMIT " + LIMIT, fk, false, true);
    }
  }

  /**
   * Duplicates of {@code columns} among the rows of {@code rowsFrom} (and of {@code existingFrom}), NULLs
   * aside (SQLite's unique indexes let any number of NULLs through), grouped with the key's collations.
   *
   * @param cte a {@code WITH …} that {@code rowsFrom} is defined in, or null
   */
  private void uniqueProbe(Parsed p, String constraint, List<Index.IndexColumn> columns, String where,
      String cte, String rowsFrom, String existingFrom) {
    if (columns.stream().anyMatch(c -> c.name().equals("<expression>"))) {
      found.add(DataDependency.undecided(migration, p.statement, Kind.UNIQUE, constraint,
          "the key is an expression"));
      return;
    }
    String names = columns.stream().map(c -> q(c.name())).collect(Collectors.joining(", "));
    String filter = where == null ? "" : " WHERE " + where;
    String union = "SELECT " + names + " FROM " + rowsFrom + filter
        + (existingFrom == null ? "" : " UNION ALL SELECT " + names + " FROM " + existingFrom + filter);
    String notNull = columns.stream().map(c -> q(c.name()) + " IS NOT NULL").collect(Collectors.joining(" AND "));
    String groupBy = columns.stream()
        .map(c -> q(c.name()) + ("BINARY".equalsIgnoreCase(c.collation()) ? "" : " COLLATE " + c.collation()))
        .collect(Collectors.joining(", "));
    String sql = (cte == null ? "WITH " : cte + ", ") + q(KEYS) + " AS (" + union + ") SELECT " + names
        + ", COUNT(*) AS " + q(DataDependency.COUNT) + " FROM " + q(KEYS) + " WHERE " + notNull + " GROUP BY "
        + groupBy + " HAVING COUNT(*) > 1 LIMIT " + LIMIT;
    List<String> labels = columns.stream().map(Index.IndexColumn::name).toList();
    found.add(DataDependency.probe(migration, p.statement, Kind.UNIQUE, constraint, sql, labels, labels, true,
        true));
  }

  private void probe(Parsed p, Kind kind, String constraint, String sql, Keys keys, boolean counted,
      boolean fails) {
    found.add(DataDependency.probe(migration, p.statement, kind, constraint, sql, keys.names, keys.labels,
        counted, fails));
  }

  /** A unique key of a table: a unique index or constraint, or the rowid alias primary key. */
  private record UniqueKey(String describe, List<Index.IndexColumn> columns, String where) {}

  private static List<UniqueKey> uniqueKeys(Table table) {
    List<UniqueKey> keys = new ArrayList<>();
    table.columns().stream().filter(Column::isRowidAlias).findFirst().ifPresent(c -> keys.add(new UniqueKey(
        "PRIMARY KEY " + table.name() + "(" + c.name() + ")", List.of(new Index.IndexColumn(c.name(), false,
            "BINARY")), null)));
    for (Index index : table.indexes()) {
      if (index.unique()) {
        keys.add(new UniqueKey(index.describe(), index.columns(), index.where()));
      }
    }
    return keys;
  }

  // ---- bookkeeping ----

  private void touch(String table, Parsed p) {
    if (table == null) {
      return;
    }
    untouched.remove(table);
    changedBy.putIfAbsent(table, migration + " statement " + p.statement.index() + ", line " + p.statement.line());
  }

  private String changedWhy(String table) {
    return table + " was changed earlier in this deployment (" + changedBy.getOrDefault(table, "earlier")
        + "), so its rows are not the ones in the database now";
  }

  /** The identifiers of a CHECK condition: the columns it may refer to (a superset). */
  private static Set<String> referencedColumns(String check) {
    Set<String> names = names();
    for (Token token : SqlLexer.significant(SqlLexer.tokens(check))) {
      if (token.type() == Type.WORD || token.type() == Type.QUOTED_IDENTIFIER) {
        names.add(SqlLexer.identifier(token));
      }
    }
    return names;
  }

  private static SortedSet<String> names() {
    return new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
  }

  private static Set<String> copy(Set<String> set) {
    SortedSet<String> copy = names();
    copy.addAll(set);
    return copy;
  }

  static String q(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  // ---- what a probe reports of an offending row ----

  /** The result columns that identify an offending row: the primary key, else the rowid. */
  private record Keys(List<String> names, List<String> labels, List<String> expressions) {
    /** The primary key of {@code table}; its rowid when it has none ({@code rowsCte}: no rowid there). */
    static Keys of(Table table, String rowsCte) {
      List<String> primaryKey = table.primaryKey();
      if (!primaryKey.isEmpty()) {
        List<String> names = primaryKey.stream().map(c -> KEY + c).toList();
        return new Keys(names, primaryKey, primaryKey.stream().map(DataDependencies::q).toList());
      }
      if (rowsCte != null || table.withoutRowid()) {
        return new Keys(List.of(), List.of(), List.of());
      }
      return new Keys(List.of(KEY + "rowid"), List.of("rowid"), List.of("rowid"));
    }

    static Keys ofColumns(List<String> columns) {
      return new Keys(columns.stream().map(c -> KEY + c).toList(), columns,
          columns.stream().map(DataDependencies::q).toList());
    }

    /** {@code "id" AS "flaredeploy_key_id"}: the key computed; a constant when there is no key. */
    String select() {
      if (names.isEmpty()) {
        return "1 AS " + q(KEY + "row");
      }
      List<String> parts = new ArrayList<>();
      for (int i = 0; i < names.size(); i++) {
        parts.add(expressions.get(i) + " AS " + q(names.get(i)));
      }
      return String.join(", ", parts);
    }

    /** {@code "flaredeploy_key_id"}: the key as rows that carry it under its names hold it. */
    String carried() {
      return names.isEmpty() ? "1 AS " + q(KEY + "row")
          : names.stream().map(DataDependencies::q).collect(Collectors.joining(", "));
    }
  }

  // ---- the rows a statement writes, as a CTE named ROWS with the table's columns ----

  private static final class Rows {
    private final Table table;
    private final List<String> insertColumns;
    private final String source;
    private final Map<String, String> assignments;
    private final String alias;
    private final String where;
    private final String unsupported;

    private Rows(Table table, List<String> insertColumns, String source, Map<String, String> assignments,
        String alias, String where, String unsupported) {
      this.table = table;
      this.insertColumns = insertColumns;
      this.source = source;
      this.assignments = assignments;
      this.alias = alias;
      this.where = where;
      this.unsupported = unsupported;
    }

    static Rows inserted(Table table, List<String> columns, String source) {
      return new Rows(table, columns, source, null, null, null, null);
    }

    /** {@code [[AS] alias] [INDEXED BY i | NOT INDEXED] SET c = e, … [FROM …] [WHERE w] [RETURNING …]}. */
    static Rows updated(Parsed p, int j, Table table) {
      String alias = null;
      if (p.is(j, "AS")) {
        alias = p.identifier(j + 1);
        j += 2;
      } else if (p.type(j) == Type.WORD && !p.is(j, "SET") && !p.is(j, "INDEXED") && !p.is(j, "NOT")) {
        alias = p.identifier(j);
        j++;
      }
      if (p.is(j, "INDEXED")) {
        j += 3;
      } else if (p.is(j, "NOT") && p.is(j + 1, "INDEXED")) {
        j += 2;
      }
      Map<String, String> assignments = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      if (!p.is(j, "SET")) {
        return new Rows(table, null, null, assignments, alias, null, "the UPDATE could not be read");
      }
      int end = p.depthZero(j + 1, "FROM", "WHERE", "RETURNING", "ORDER", "LIMIT");
      String unsupported = p.tokens.get(0).is("WITH") ? "the UPDATE has a WITH clause" : null;
      for (int[] part : p.split(j + 1, end)) {
        if (p.type(part[0]) == Type.OPEN) {
          unsupported = "the UPDATE sets several columns from one row value";
          continue;
        }
        if (part[1] - part[0] < 3 || !p.text(part[0] + 1, part[0] + 2).equals("=")) {
          unsupported = "an assignment of the UPDATE could not be read";
          continue;
        }
        assignments.put(p.identifier(part[0]), p.text(part[0] + 2, part[1]));
      }
      String where = null;
      if (p.is(end, "FROM")) {
        unsupported = "the UPDATE reads other tables (UPDATE … FROM)";
      } else if (p.is(end, "ORDER") || p.is(end, "LIMIT")) {
        unsupported = "the UPDATE is limited (ORDER BY / LIMIT)";
      } else if (p.is(end, "WHERE")) {
        int whereEnd = p.depthZero(end + 1, "RETURNING", "ORDER", "LIMIT");
        where = p.text(end + 1, whereEnd);
        if (whereEnd < p.tokens.size() && !p.is(whereEnd, "RETURNING")) {
          unsupported = "the UPDATE is limited (ORDER BY / LIMIT)";
        }
      }
      return new Rows(table, null, null, assignments, alias, where, unsupported);
    }

    boolean isUpdate() {
      return assignments != null;
    }

    /** The key of each row of {@link #cte}: an UPDATE's rows carry the key they had; an INSERT's compute it. */
    String keySelect(Keys keys) {
      return isUpdate() ? keys.carried() : keys.select();
    }

    boolean sets(String column) {
      if (isUpdate()) {
        return assignments.containsKey(column);
      }
      return table.column(column).isPresent();
    }

    /** The expression an INSERT's source gives {@code column}, as its position in the source: -1 if none. */
    int sourceExpression(String column) {
      if (insertColumns == null) {
        return -1;
      }
      for (int i = 0; i < insertColumns.size(); i++) {
        if (insertColumns.get(i).equalsIgnoreCase(column)) {
          return i;
        }
      }
      return -1;
    }

    /**
     * {@code WITH "flaredeploy_rows" AS (…)}: one row per row the statement writes, with the table's
     * (non-generated) columns as they will be, and the key columns of {@link Keys} under their own names.
     * For an UPDATE with {@code allRows}, also the rows it leaves alone (unique keys concern the whole table).
     */
    String cte(boolean allRows) {
      List<Column> columns = table.columns().stream().filter(c -> c.generated() == Column.Generated.NONE).toList();
      if (!isUpdate()) {
        String names = insertColumns.stream().map(DataDependencies::q).collect(Collectors.joining(", "));
        List<String> select = new ArrayList<>();
        for (Column column : columns) {
          if (insertColumns.stream().anyMatch(c -> c.equalsIgnoreCase(column.name()))) {
            select.add(q(column.name()));
          } else {
            select.add((column.defaultValue() == null ? "NULL" : "(" + column.defaultValue() + ")") + " AS "
                + q(column.name()));
          }
        }
        return "WITH " + q(SOURCE) + "(" + names + ") AS (" + source + "), " + q(ROWS) + " AS (SELECT "
            + String.join(", ", select) + " FROM " + q(SOURCE) + ")";
      }
      Keys keys = Keys.of(table, null);
      String from = " FROM " + q(table.name()) + (alias == null ? "" : " AS " + q(alias));
      List<String> updated = new ArrayList<>();
      List<String> kept = new ArrayList<>();
      for (Column column : columns) {
        String value = assignments.get(column.name());
        updated.add((value == null ? q(column.name()) : "(" + value + ")") + " AS " + q(column.name()));
        kept.add(q(column.name()));
      }
      for (int i = 0; i < keys.names().size(); i++) {
        updated.add(keys.expressions().get(i) + " AS " + q(keys.names().get(i)));
        kept.add(keys.expressions().get(i));
      }
      String rows = "SELECT " + String.join(", ", updated) + from + (where == null ? "" : " WHERE (" + where + ")");
      if (allRows && where != null) {
        rows += " UNION ALL SELECT " + String.join(", ", kept) + from + " WHERE NOT COALESCE((" + where + "), 0)";
      }
      return "WITH " + q(ROWS) + " AS (" + rows + ")";
    }
  }

  // ---- what an INSERT … SELECT copies: columns of one source table, to skip constraints it keeps ----

  private record Source(Table table, List<String> expressions) {
    /** The source of {@code INSERT … SELECT a, b FROM t [alias] [WHERE …]}; null for anything else. */
    static Source of(Parsed p, String source) {
      if (source == null) {
        return null;
      }
      List<Token> tokens = SqlLexer.significant(SqlLexer.tokens(source));
      if (tokens.isEmpty() || !tokens.get(0).is("SELECT")) {
        return null;
      }
      Parsed sub = new Parsed(p.statement, tokens, p.shadow, source);
      int start = sub.is(1, "DISTINCT") || sub.is(1, "ALL") ? 2 : 1;
      int from = sub.depthZero(start, "FROM");
      if (from >= tokens.size()) {
        return null;
      }
      Name table = sub.name(from + 1);
      int after = table.next();
      if (sub.is(after, "AS")) {
        after += 2;
      } else if (sub.type(after) == Type.WORD && !sub.is(after, "WHERE") && !sub.is(after, "ORDER")
          && !sub.is(after, "LIMIT")) {
        after++;
      }
      if (after < tokens.size() && !sub.is(after, "WHERE") && !sub.is(after, "ORDER") && !sub.is(after, "LIMIT")) {
        return null; // a join, a compound select, grouping: not a plain copy
      }
      if (sub.depthZero(start, "UNION", "INTERSECT", "EXCEPT", "GROUP") < tokens.size()) {
        return null;
      }
      Optional<Table> found = p.shadow.snapshot().table(table.name());
      if (found.isEmpty()) {
        return null;
      }
      List<String> expressions = new ArrayList<>();
      for (int[] part : sub.split(start, from)) {
        if (part[1] - part[0] == 1 && sub.text(part[0], part[1]).equals("*")) {
          found.get().columns().stream().filter(c -> c.generated() == Column.Generated.NONE && !c.hidden())
              .forEach(c -> expressions.add(c.name()));
          continue;
        }
        if (sub.text(part[0], part[1]).endsWith("*")) {
          return null; // alias.*: columns this reader does not count
        }
        // a bare column (c, alias.c) names it; anything else is an expression
        if (part[1] - part[0] == 1 && sub.isName(part[0])) {
          expressions.add(sub.identifier(part[0]));
        } else if (part[1] - part[0] == 3 && sub.isName(part[0]) && sub.text(part[0] + 1, part[0] + 2).equals(".")
            && sub.isName(part[0] + 2)) {
          expressions.add(sub.identifier(part[0] + 2));
        } else {
          expressions.add(null);
        }
      }
      return new Source(found.get(), expressions);
    }

    /** The source column copied unchanged into position {@code index}, if it is one. */
    Optional<Column> column(int index) {
      if (index < 0 || index >= expressions.size() || expressions.get(index) == null) {
        return Optional.empty();
      }
      return table.column(expressions.get(index));
    }

    boolean keeps(Parsed p, int index, java.util.function.Predicate<Column> constraint) {
      return column(index).map(c -> constraint.test(c) || c.isRowidAlias()).orElse(false);
    }

    /** The same CHECK holds in the source, over the same columns copied unchanged. */
    boolean keepsCheck(Parsed p, Rows rows, String check, Set<String> referenced) {
      if (!table.checks().contains(check)) {
        return false;
      }
      for (String name : referenced) {
        if (rows.table.column(name).isEmpty()) {
          continue; // not a column: a function or a keyword
        }
        Optional<Column> copied = column(rows.sourceExpression(name));
        if (copied.isEmpty() || !copied.get().name().equalsIgnoreCase(name)) {
          return false;
        }
      }
      return true;
    }

    /** The source has a unique key over the columns copied into the key's (a subset of them suffices). */
    boolean keepsUnique(Parsed p, Rows rows, UniqueKey key) {
      if (key.where() != null) {
        return false;
      }
      Map<String, Index.IndexColumn> copied = new LinkedHashMap<>();
      for (Index.IndexColumn column : key.columns()) {
        Optional<Column> from = column(rows.sourceExpression(column.name()));
        if (from.isEmpty()) {
          return false;
        }
        copied.put(from.get().name().toLowerCase(Locale.ROOT), column);
      }
      for (UniqueKey sourceKey : uniqueKeys(table)) {
        if (sourceKey.where() != null) {
          continue;
        }
        boolean within = sourceKey.columns().stream().allMatch(c -> {
          Index.IndexColumn target = copied.get(c.name().toLowerCase(Locale.ROOT));
          return target != null && target.collation().equalsIgnoreCase(c.collation());
        });
        if (within) {
          return true;
        }
      }
      return false;
    }

    /** The source has the same foreign key over the columns copied unchanged into it. */
    boolean keepsForeignKey(Parsed p, Rows rows, ForeignKey key) {
      List<String> from = new ArrayList<>();
      for (String column : key.columns()) {
        Optional<Column> copied = column(rows.sourceExpression(column));
        if (copied.isEmpty()) {
          return false;
        }
        from.add(copied.get().name().toLowerCase(Locale.ROOT));
      }
      return table.foreignKeys().stream().anyMatch(k -> k.table().equalsIgnoreCase(key.table())
          && k.columns().stream().map(c -> c.toLowerCase(Locale.ROOT)).toList().equals(from)
          && k.targetColumns().stream().map(c -> c.toLowerCase(Locale.ROOT)).toList()
              .equals(key.targetColumns().stream().map(c -> c.toLowerCase(Locale.ROOT)).toList()));
    }
  }

  // ---- reading a statement ----

  /** A possibly schema-qualified name, and the index of the token after it. */
  private record Name(String name, int next) {}

  /** One statement's significant tokens, with helpers to read it. */
  private static final class Parsed {
    private final SqlStatement statement;
    private final List<Token> tokens;
    private final ShadowDatabase shadow;
    private final String sql;

    Parsed(SqlStatement statement, List<Token> tokens, ShadowDatabase shadow) {
      this(statement, tokens, shadow, statement.sql());
    }

    Parsed(SqlStatement statement, List<Token> tokens, ShadowDatabase shadow, String sql) {
      this.statement = statement;
      this.tokens = tokens;
      this.shadow = shadow;
      this.sql = sql;
    }

    boolean is(int i, String word) {
      return i >= 0 && i < tokens.size() && tokens.get(i).is(word);
    }

    String upper(int i) {
      return i < tokens.size() ? tokens.get(i).upper() : "";
    }

    Type type(int i) {
      return i < tokens.size() ? tokens.get(i).type() : Type.SEMICOLON;
    }

    boolean isName(int i) {
      return type(i) == Type.WORD || type(i) == Type.QUOTED_IDENTIFIER;
    }

    String identifier(int i) {
      return i < tokens.size() ? SqlLexer.identifier(tokens.get(i)) : null;
    }

    /** The SQL text of tokens {@code [from, to)}. */
    String text(int from, int to) {
      if (from >= to || from >= tokens.size()) {
        return "";
      }
      Token last = tokens.get(Math.min(to, tokens.size()) - 1);
      return sql.substring(tokens.get(from).start(), last.start() + last.text().length());
    }

    /** The WITH clause before the statement's verb at {@code verb}, with a trailing space; "" if none. */
    String prefix(int verb) {
      return verb == 0 ? "" : text(0, verb) + " ";
    }

    int skipIfNotExists(int i) {
      return is(i, "IF") && is(i + 1, "NOT") && is(i + 2, "EXISTS") ? i + 3 : i;
    }

    int skipIfExists(int i) {
      return is(i, "IF") && is(i + 1, "EXISTS") ? i + 2 : i;
    }

    Name name(int i) {
      if (!isName(i)) {
        return new Name(null, i);
      }
      if (type(i + 1) == Type.PUNCTUATION && tokens.get(i + 1).text().equals(".") && isName(i + 2)) {
        return new Name(identifier(i + 2), i + 3);
      }
      return new Name(identifier(i), i + 1);
    }

    /** The verb after a leading WITH clause: the first INSERT, REPLACE, UPDATE, DELETE or SELECT at depth 0. */
    int mainVerb() {
      int i = depthZero(1, "INSERT", "REPLACE", "UPDATE", "DELETE", "SELECT");
      return i < tokens.size() ? i : -1;
    }

    /** The first index from {@code from} whose token is one of {@code words} outside parentheses; else size. */
    int depthZero(int from, String... words) {
      return firstOutsideParentheses(from, i -> java.util.Arrays.stream(words).anyMatch(w -> tokens.get(i).is(w)));
    }

    /** Where an INSERT's rows end: its upsert clause ({@code ON CONFLICT}), {@code RETURNING}, or the end. */
    int sourceEnd(int from) {
      return firstOutsideParentheses(from,
          i -> tokens.get(i).is("RETURNING") || (tokens.get(i).is("ON") && is(i + 1, "CONFLICT")));
    }

    private int firstOutsideParentheses(int from, java.util.function.IntPredicate stop) {
      int depth = 0;
      for (int i = from; i < tokens.size(); i++) {
        Type t = tokens.get(i).type();
        if (t == Type.OPEN) {
          depth++;
        } else if (t == Type.CLOSE) {
          depth--;
        } else if (depth == 0 && stop.test(i)) {
          return i;
        }
      }
      return tokens.size();
    }

    /** The comma-separated parts of {@code [from, to)} at depth 0, as {@code [start, end)} pairs. */
    List<int[]> split(int from, int to) {
      List<int[]> parts = new ArrayList<>();
      int depth = 0;
      int start = from;
      for (int i = from; i < to; i++) {
        Type t = tokens.get(i).type();
        if (t == Type.OPEN) {
          depth++;
        } else if (t == Type.CLOSE) {
          depth--;
        } else if (depth == 0 && t == Type.PUNCTUATION && tokens.get(i).text().equals(",")) {
          parts.add(new int[] {start, i});
          start = i + 1;
        }
      }
      if (start < to) {
        parts.add(new int[] {start, to});
      }
      return parts;
    }

    /** The identifiers of {@code [from, to)} (a column list). */
    List<String> identifiers(int from, int to) {
      List<String> names = new ArrayList<>();
      for (int i = from; i < to; i++) {
        if (isName(i)) {
          names.add(identifier(i));
        }
      }
      return names;
    }

    /** The tables and views of the shadow that tokens {@code [from, to)} name: what the statement reads. */
    Set<String> reads(int from, int to) {
      Set<String> tables = shadow.tableNames();
      Set<String> read = names();
      for (int i = from; i < Math.min(to, tokens.size()); i++) {
        if (isName(i) && tables.contains(identifier(i))) {
          read.add(identifier(i));
        }
      }
      return read;
    }

    Set<String> reads(int from) {
      return reads(from, tokens.size());
    }
  }
}
