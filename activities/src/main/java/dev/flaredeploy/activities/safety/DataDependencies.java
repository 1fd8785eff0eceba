package dev.flaredeploy.activities.safety;

import dev.flaredeploy.activities.safety.DataDependency.Kind;
import dev.flaredeploy.activities.safety.SqlLexer.Token;
import dev.flaredeploy.activities.safety.SqlLexer.Type;
import java.util.ArrayList;
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
  static final String ROWS = "flaredeploy_rows";
  static final String SOURCE = "flaredeploy_source";
  private static final String KEYS = "flaredeploy_keys";
  static final String KEY = "flaredeploy_key_";
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
    StatementReader p = new StatementReader(statement, tokens, shadow);
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

  private void create(StatementReader p, int i) {
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
    StatementReader.Name table = p.name(p.skipIfNotExists(j + 1));
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
  private void uniqueIndex(StatementReader p, int j) {
    StatementReader.Name index = p.name(j);
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

  private void alter(StatementReader p, int i) {
    if (!p.is(i + 1, "TABLE")) {
      return;
    }
    StatementReader.Name table = p.name(i + 2);
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
  private void addColumn(StatementReader p, String table) {
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
        RowKeys keys = RowKeys.of(before.get(), null);
        String rows = "SELECT " + keys.select() + ", *, " + (added.defaultValue() == null ? "NULL"
            : "(" + added.defaultValue() + ")") + " AS " + q(added.name()) + " FROM " + q(table);
        probe(p, Kind.CHECK, constraint, "WITH " + q(ROWS) + " AS (" + rows + ") SELECT " + keys.carried()
            + " FROM " + q(ROWS) + " WHERE NOT (" + check + ") LIMIT " + LIMIT, keys, false, true);
      }
    };
  }

  private void drop(StatementReader p, int i) {
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
  private void referencingRows(StatementReader p, String dropped) {
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
        RowKeys keys = RowKeys.of(child, null);
        String notNull = key.columns().stream().map(c -> q(c) + " IS NOT NULL").collect(Collectors.joining(" AND "));
        probe(p, Kind.REFERENCED, constraint, "SELECT " + keys.select() + " FROM " + q(child.name()) + " WHERE "
            + notNull + " LIMIT " + LIMIT, keys, false, fails);
      }
    }
  }

  /** {@code INSERT|REPLACE [OR x] INTO table [(columns)] (SELECT …|VALUES …|DEFAULT VALUES) [upsert]}. */
  private void insert(StatementReader p, int i) {
    int j = i + 1;
    String conflict = p.is(i, "REPLACE") ? "REPLACE" : "ABORT";
    if (p.is(j, "OR")) {
      conflict = p.upper(j + 1);
      j += 2;
    }
    if (!p.is(j, "INTO")) {
      return;
    }
    StatementReader.Name target = p.name(j + 1);
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
      WrittenRows rows = WrittenRows.inserted(table, insertColumns, source);
      new Written(p, table, rows, reads, sourceLive, targetLive, conflict, upsert, null).plan();
    }
    touch(table.name(), p);
    if (sourceLive) {
      liveRows.add(table.name());
    }
  }

  /** {@code UPDATE [OR x] table [[AS] alias] SET … [WHERE …]}. */
  private void update(StatementReader p, int i) {
    int j = i + 1;
    String conflict = "ABORT";
    if (p.is(j, "OR")) {
      conflict = p.upper(j + 1);
      j += 2;
    }
    StatementReader.Name target = p.name(j);
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
      WrittenRows rows = WrittenRows.updated(p, target.next(), table);
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
    private final StatementReader p;
    private final Table table;
    private final WrittenRows rows;
    private final Set<String> reads;
    private final boolean sourceLive;
    private final boolean targetLive;
    private final String conflict;
    private final boolean upsert;
    private final String unsupported;
    private final RowKeys keys;

    Written(StatementReader p, Table table, WrittenRows rows, Set<String> reads, boolean sourceLive, boolean targetLive,
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
      this.keys = RowKeys.of(table, rows.isUpdate() ? null : ROWS);
    }

    void plan() {
      List<Runnable> probes = new ArrayList<>();
      List<String> constraints = new ArrayList<>();
      boolean ignore = conflict.equals("IGNORE");
      CopiedColumns source = rows.isUpdate() ? null : CopiedColumns.of(p, rows.source);
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
      RowKeys fk = RowKeys.ofColumns(key.columns());
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
  private void uniqueProbe(StatementReader p, String constraint, List<Index.IndexColumn> columns, String where,
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

  private void probe(StatementReader p, Kind kind, String constraint, String sql, RowKeys keys, boolean counted,
      boolean fails) {
    found.add(DataDependency.probe(migration, p.statement, kind, constraint, sql, keys.names(), keys.labels(),
        counted, fails));
  }

  /** A unique key of a table: a unique index or constraint, or the rowid alias primary key. */
  record UniqueKey(String describe, List<Index.IndexColumn> columns, String where) {}

  static List<UniqueKey> uniqueKeys(Table table) {
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

  private void touch(String table, StatementReader p) {
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

  static SortedSet<String> names() {
    return new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
  }

  private static Set<String> copy(Set<String> set) {
    SortedSet<String> copy = names();
    copy.addAll(set);
    return copy;
  }

  static String q(String identifier) {
    return SqlStatements.quoteIdentifier(identifier);
  }
}
