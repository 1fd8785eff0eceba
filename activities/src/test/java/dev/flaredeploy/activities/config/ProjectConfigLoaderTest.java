package dev.flaredeploy.activities.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.flaredeploy.workflows.Steps;
import dev.flaredeploy.workflows.model.DatabasePlan;
import dev.flaredeploy.workflows.model.MigrationFile;
import dev.flaredeploy.workflows.model.SmokeCheck;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProjectConfigLoaderTest {
  private static final String TOML =
      """
      name = "shop"
      main = "src/index.js"

      [[d1_databases]]
      binding = "DB"
      database_name = "shop-db"
      database_id = "id-prod"

      [env.staging]
      [[env.staging.d1_databases]]
      binding = "DB"
      database_name = "shop-db-staging"
      database_id = "id-staging"

      [env.qa]
      name = "shop-qa-custom"
      [[env.qa.d1_databases]]
      binding = "QA_DB"
      database_name = "shop-db-qa"
      migrations_dir = "qa-migrations"
      migrations_table = "schema_history"
      """;

  @TempDir Path dir;
  private ProjectFiles project;
  private final ProjectConfigLoader loader = new ProjectConfigLoader();

  @BeforeEach
  void setUp() {
    project = new ProjectFiles(dir).withWorkerAndMigrations();
  }

  @Test
  void loadsTheExampleProject() {
    Path example = Path.of(System.getProperty("flaredeploy.root", "..")).resolve("examples/hello-d1");

    LoadedProject loaded = loader.load(example, "default");

    assertThat(loaded.service()).isEqualTo("hello-d1");
    assertThat(loaded.workerName()).isEqualTo("hello-d1");
    assertThat(loaded.configFile()).isAbsolute().hasFileName("wrangler.toml");
    assertThat(loaded.main()).isEqualTo("src/index.js");
    assertThat(loaded.databases()).singleElement().satisfies(db -> {
      assertThat(db.binding()).isEqualTo("DB");
      assertThat(db.databaseName()).isEqualTo("hello-d1-db");
      assertThat(db.migrationsTable()).isEqualTo("d1_migrations");
      assertThat(db.migrations())
          .extracting(MigrationFile::name)
          .containsExactly("0001_create_notes.sql", "0002_add_author.sql");
    });
    assertThat(loaded.smoke().timeoutMillis()).isEqualTo(30_000);
    assertThat(loaded.smoke().checks()).containsExactly(new SmokeCheck("/health", 200, "healthy"));
    assertThat(loaded.local().port()).isEqualTo(8787);
    assertThat(loaded.target()).isEqualTo("local");
    assertThat(loaded.restoreDatabaseOn()).isEqualTo(Steps.DEFAULT_RESTORE_DATABASE_ON);
    assertThat(loaded.warnings()).isEmpty();
  }

  @Test
  void loadsTheExampleProjectsStagingWithItsOwnDatabaseAndPort() {
    Path example = Path.of(System.getProperty("flaredeploy.root", "..")).resolve("examples/hello-d1");

    LoadedProject staging = loader.load(example, "staging");

    assertThat(staging.service()).isEqualTo("hello-d1");
    assertThat(staging.environment()).isEqualTo("staging");
    assertThat(staging.workerName()).isEqualTo("hello-d1-staging");
    assertThat(staging.local().port()).isEqualTo(8788);
    assertThat(staging.smoke().checks()).containsExactly(new SmokeCheck("/health", 200, "healthy"));
    assertThat(staging.databases()).singleElement().satisfies(db -> {
      assertThat(db.databaseName()).isEqualTo("hello-d1-db-staging");
      assertThat(db.databaseId()).isEqualTo("7c9a1d7e-4b7e-4f0a-9b53-6d1f0e2a3c02");
      assertThat(db.migrations()).hasSize(2);
    });
  }

  @Test
  void readsBindingsOfTheSelectedEnvironmentOnly() {
    project.write("wrangler.toml", TOML).write("qa-migrations/1_qa.sql", "SELECT 1;\n");

    LoadedProject qa = loader.load(dir, "qa");

    assertThat(qa.workerName()).isEqualTo("shop-qa-custom");
    assertThat(qa.main()).isEqualTo("src/index.js");
    assertThat(qa.databases())
        .containsExactly(
            new DatabasePlan(
                "QA_DB",
                "shop-db-qa",
                null,
                "qa-migrations",
                "schema_history",
                java.util.List.of(new MigrationFile("1_qa.sql", sha256("SELECT 1;\n"))),
                "QA_DB")); // no database_id: wrangler's local mode keeps it under its binding
  }

  @Test
  void namesAnEnvironmentWithoutItsOwnNameAfterTheServiceAndEnvironment() {
    project.write("wrangler.toml", TOML);

    LoadedProject staging = loader.load(dir, "staging");

    assertThat(staging.service()).isEqualTo("shop");
    assertThat(staging.workerName()).isEqualTo("shop-staging");
    assertThat(staging.databases()).extracting(DatabasePlan::databaseId).containsExactly("id-staging");
  }

  @Test
  void loadsTheTopLevelAsTheDefaultEnvironment() {
    project.write("wrangler.toml", TOML);

    LoadedProject loaded = loader.load(dir, "default");

    assertThat(loaded.isDefaultEnvironment()).isTrue();
    assertThat(loaded.configFile()).isEqualTo(dir.resolve("wrangler.toml").toAbsolutePath());
    assertThat(loaded.databases()).singleElement().satisfies(db -> {
      assertThat(db.databaseId()).isEqualTo("id-prod");
      assertThat(db.migrationsDir()).isEqualTo("migrations");
      assertThat(db.migrations())
          .containsExactly(
              new MigrationFile("0001_init.sql", sha256("CREATE TABLE t (id INTEGER);\n")),
              new MigrationFile("0002_more.sql", sha256("ALTER TABLE t ADD COLUMN x TEXT;\n")));
    });
  }

  @Test
  void loadsWranglerJson() {
    project.write(
        "wrangler.json",
        """
        {
          "name": "shop",
          "main": "src/index.js",
          "d1_databases": [{"binding": "DB", "database_name": "shop-db"}],
          "env": {"staging": {"d1_databases": [{"binding": "DB", "database_id": "id-staging"}]}}
        }
        """);

    assertThat(loader.load(dir, "default").databases())
        .extracting(DatabasePlan::databaseName)
        .containsExactly("shop-db");
    assertThat(loader.load(dir, "staging").databases())
        .extracting(DatabasePlan::databaseId)
        .containsExactly("id-staging");
  }

  @Test
  void loadsWranglerJsoncWithCommentsAndTrailingCommas() {
    project.write(
        "wrangler.jsonc",
        """
        // the shop Worker
        {
          "name": "shop", /* the service */
          "main": "src/index.js",
          "d1_databases": [
            {"binding": "DB", "database_name": "shop-db",}, // trailing comma in the object
          ],
        }
        """);

    LoadedProject loaded = loader.load(dir, "default");

    assertThat(loaded.configFile()).hasFileName("wrangler.jsonc");
    assertThat(loaded.databases()).extracting(DatabasePlan::binding).containsExactly("DB");
    assertThat(loaded.databases().get(0).migrations()).hasSize(2);
  }

  @Test
  void prefersWranglerJsonOverJsoncOverTomlAndWarnsAboutTheOthers() {
    project
        .write("wrangler.toml", "name = \"from-toml\"\nmain = \"src/index.js\"\n")
        .write("wrangler.jsonc", "{\"name\": \"from-jsonc\", \"main\": \"src/index.js\"}")
        .write("wrangler.json", "{\"name\": \"from-json\", \"main\": \"src/index.js\"}");

    LoadedProject loaded = loader.load(dir, "default");

    assertThat(loaded.service()).isEqualTo("from-json");
    assertThat(loaded.warnings()).singleElement().asString().contains("using wrangler.json");
  }

  @Test
  void prefersWranglerJsoncOverToml() {
    project
        .write("wrangler.toml", "name = \"from-toml\"\nmain = \"src/index.js\"\n")
        .write("wrangler.jsonc", "{\"name\": \"from-jsonc\", \"main\": \"src/index.js\"}");

    assertThat(loader.load(dir, "default").service()).isEqualTo("from-jsonc");
  }

  @Test
  void doesNotLookForTheConfigInParentDirectories() {
    project.write("wrangler.toml", TOML).write("sub/placeholder.txt", "");

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir.resolve("sub"), "default"));

    assertThat(e).hasMessageContaining("no wrangler config in").hasMessageContaining("wrangler.toml");
  }

  @Test
  void refusesAnEnvironmentThatDoesNotRepeatTheDatabaseBindings() {
    project.write(
        "wrangler.toml",
        """
        name = "shop"
        main = "src/index.js"

        [[d1_databases]]
        binding = "DB"
        database_name = "shop-db"

        [env.staging]
        name = "shop-staging"
        """);

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "staging"));

    assertThat(e.line()).hasValue(8);
    assertThat(e.key()).contains("env.staging");
    assertThat(e)
        .hasMessageStartingWith("wrangler.toml:8: env.staging: ")
        .hasMessageContaining("does not inherit d1_databases")
        .hasMessageContaining("[[env.staging.d1_databases]]");
  }

  @Test
  void acceptsAnEnvironmentThatSaysItHasNoDatabases() {
    project.write(
        "wrangler.toml",
        """
        name = "shop"
        main = "src/index.js"
        [[d1_databases]]
        binding = "DB"
        database_name = "shop-db"
        [env.preview]
        d1_databases = []
        """);

    assertThat(loader.load(dir, "preview").databases()).isEmpty();
  }

  @Test
  void refusesAnUnknownEnvironmentListingTheAvailableOnes() {
    project.write("wrangler.toml", TOML);

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "prod"));

    assertThat(e)
        .hasMessageContaining("no environment \"prod\"")
        .hasMessageContaining("\"staging\", \"qa\"")
        .hasMessageContaining("\"default\" for the top level");
  }

  @Test
  void refusesADatabaseWithoutBindingNamingTheLineOfItsEntry() {
    project.write(
        "wrangler.toml",
        """
        name = "shop"
        main = "src/index.js"

        [[d1_databases]]
        database_name = "shop-db"
        """);

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default"));

    assertThat(e.line()).hasValue(4);
    assertThat(e.key()).contains("d1_databases[0].binding");
    assertThat(e).hasMessageStartingWith("wrangler.toml:4: d1_databases[0].binding: missing;");
  }

  @Test
  void refusesABindingOfTheWrongTypeNamingKeyAndLine() {
    project.write(
        "wrangler.toml",
        """
        name = "shop"
        main = "src/index.js"

        [[d1_databases]]
        binding = 3
        database_name = "shop-db"
        """);

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default"));

    assertThat(e).hasMessage("wrangler.toml:5: d1_databases[0].binding: expected a string, got 3");
  }

  @Test
  void refusesAWrongTypeInJsonNamingKeyAndLine() {
    project.write(
        "wrangler.jsonc",
        """
        {
          "name": "shop",
          "main": "src/index.js",
          "d1_databases": [
            {"binding": "DB", "database_name": false}
          ]
        }
        """);

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default"));

    assertThat(e).hasMessage("wrangler.jsonc:5: d1_databases[0].database_name: expected a string, got false");
  }

  @Test
  void refusesABindingThatIsNotAJavaScriptIdentifier() {
    project.write(
        "wrangler.toml",
        "name = \"shop\"\nmain = \"src/index.js\"\n[[d1_databases]]\nbinding = \"my-db\"\ndatabase_name = \"x\"\n");

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default"));

    assertThat(e.line()).hasValue(4);
    assertThat(e).hasMessageContaining("expected a JavaScript identifier");
  }

  @Test
  void refusesADatabaseWithNeitherNameNorId() {
    project.write("wrangler.toml", "name = \"shop\"\nmain = \"src/index.js\"\n[[d1_databases]]\nbinding = \"DB\"\n");

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default"));

    assertThat(e)
        .hasMessageStartingWith("wrangler.toml:3: d1_databases[0]: ")
        .hasMessageContaining("add database_name");
  }

  @Test
  void refusesAMigrationsTableThatIsNotAPlainSqlIdentifier() {
    project.write(
        "wrangler.toml",
        """
        name = "shop"
        main = "src/index.js"
        [[d1_databases]]
        binding = "DB"
        database_name = "x"
        migrations_table = "d1; DROP TABLE t"
        """);

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default"));

    assertThat(e.line()).hasValue(6);
    assertThat(e.key()).contains("d1_databases[0].migrations_table");
  }

  @Test
  void refusesTheSameBindingTwice() {
    project.write(
        "wrangler.toml",
        """
        name = "shop"
        main = "src/index.js"

        [[d1_databases]]
        binding = "DB"
        database_name = "a"

        [[d1_databases]]
        binding = "DB"
        database_name = "b"
        """);

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default"));

    assertThat(e)
        .hasMessageStartingWith(
            "wrangler.toml:9: d1_databases[1].binding: \"DB\" is already bound by"
                + " d1_databases[0].binding (line 5)");
  }

  @Test
  void reportsMalformedTomlWithItsLine() {
    project.write("wrangler.toml", "name = \"shop\"\nmain = \"src/index.js\"\n\n[[d1_databases]\nbinding = \"DB\"\n");

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default"));

    assertThat(e.line()).hasValue(4);
    assertThat(e.file()).isEqualTo(dir.resolve("wrangler.toml").toAbsolutePath());
    assertThat(e).hasMessageStartingWith("wrangler.toml:4: not valid TOML: ");
  }

  @Test
  void reportsMalformedJsonWithItsLine() {
    project.write("wrangler.json", "{\n  \"name\": \"shop\"\n  \"main\": \"src/index.js\"\n}\n");

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default"));

    assertThat(e.line()).hasValue(3);
    assertThat(e).hasMessageStartingWith("wrangler.json:3: not valid JSON: ");
  }

  @Test
  void requiresTheTopLevelName() {
    project.write("wrangler.toml", "main = \"src/index.js\"\n[env.staging]\nname = \"x\"\n");

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "staging"));

    assertThat(e.key()).contains("name");
    assertThat(e).hasMessageContaining("missing").hasMessageContaining("name = \"my-worker\"");
  }

  @Test
  void requiresMainToExist() {
    project.write("wrangler.toml", "name = \"shop\"\n\nmain = \"src/missing.js\"\n");

    ConfigException e = catchThrowableOfType(ConfigException.class, () -> loader.load(dir, "default"));

    assertThat(e).hasMessageStartingWith("wrangler.toml:3: main: \"src/missing.js\" is not a file");
  }

  @Test
  void ignoresWranglerKeysItDoesNotUse() {
    project.write(
        "wrangler.toml",
        """
        name = "shop"
        main = "src/index.js"
        compatibility_date = "2025-06-01"
        workers_dev = true
        [vars]
        GREETING = "hi"
        [[kv_namespaces]]
        binding = "KV"
        id = "abc"
        """);

    assertThat(loader.load(dir, "default").databases()).isEmpty();
  }

  @Test
  void warnsAboutAMisspeltDatabaseSettingThatWouldBeIgnored() {
    project.write(
        "wrangler.toml",
        """
        name = "shop"
        main = "src/index.js"
        [[d1_databases]]
        binding = "DB"
        database_name = "x"
        migration_dir = "db"
        """);

    LoadedProject loaded = loader.load(dir, "default");

    assertThat(loaded.databases().get(0).migrationsDir()).isEqualTo("migrations");
    assertThat(loaded.warnings())
        .containsExactly(
            "wrangler.toml:6: d1_databases[0].migration_dir: not a D1 setting wrangler knows, so it is"
                + " ignored; did you mean \"migrations_dir\"?");
  }

  @Test
  void ordersMigrationsLikeWranglerAndIgnoresOtherFiles() {
    project
        .write("wrangler.toml", withMigrationsDir("db"))
        .write("db/10_c.sql", "")
        .write("db/2_b.sql", "")
        .write("db/1_a.sql", "")
        .write("db/seed.sql", "")
        .write("db/README.md", "")
        .write("db/nested/3_x.sql", "");

    LoadedProject loaded = loader.load(dir, "default");

    assertThat(loaded.databases().get(0).migrations())
        .extracting(MigrationFile::name)
        .containsExactly("1_a.sql", "2_b.sql", "10_c.sql", "seed.sql");
  }

  @Test
  void warnsWhenTheMigrationsDirectoryIsMissing() {
    project.write("wrangler.toml", withMigrationsDir("nowhere"));

    LoadedProject loaded = loader.load(dir, "default");

    assertThat(loaded.databases().get(0).migrations()).isEmpty();
    assertThat(loaded.warnings()).singleElement().asString().contains("nowhere").contains("no migrations");
  }

  private static String withMigrationsDir(String migrationsDir) {
    return """
        name = "shop"
        main = "src/index.js"
        [[d1_databases]]
        binding = "DB"
        database_name = "x"
        migrations_dir = "%s"
        """
        .formatted(migrationsDir);
  }

  private static String sha256(String content) throws RuntimeException {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
