package dev.flaredeploy.cli;

import dev.flaredeploy.testkit.ExampleProjects;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Wrangler projects as users have them, without a flaredeploy.toml, for {@code flaredeploy init}: the example
 * with one database (wrangler.toml), a shop with two databases under non-default bindings and migrations
 * directories (wrangler.jsonc, comments and trailing commas), and a Worker without a database (wrangler.toml).
 */
final class WranglerProjectShapes {
  private WranglerProjectShapes() {}

  /** examples/hello-d1 as its author had it before flaredeploy: one D1 database, a staging environment. */
  static Path oneDatabase(Path dir) {
    ExampleProjects.copy("hello-d1", dir);
    delete(dir.resolve("flaredeploy.toml"));
    return dir;
  }

  /** Two D1 databases (ORDERS in db/orders, CATALOG in db/catalog with its own ledger table), and production. */
  static Path twoDatabases(Path dir) {
    write(dir.resolve("wrangler.jsonc"), """
        // shop: orders and a catalog, each in its own D1 database
        {
          "name": "shop",
          "main": "src/index.js",
          "compatibility_date": "2025-06-01",
          "d1_databases": [
            { "binding": "ORDERS", "database_name": "shop-orders", "database_id": "0b7a4e1c-6c55-4a1e-9f0e-1d2c3b4a5f01",
              "migrations_dir": "db/orders" },
            { "binding": "CATALOG", "database_name": "shop-catalog", "migrations_dir": "db/catalog",
              "migrations_table": "catalog_migrations" }, // no database_id yet
          ],
          "env": {
            "production": {
              "d1_databases": [
                { "binding": "ORDERS", "database_name": "shop-orders-prod",
                  "database_id": "0b7a4e1c-6c55-4a1e-9f0e-1d2c3b4a5f02", "migrations_dir": "db/orders" },
                { "binding": "CATALOG", "database_name": "shop-catalog-prod",
                  "database_id": "0b7a4e1c-6c55-4a1e-9f0e-1d2c3b4a5f03", "migrations_dir": "db/catalog",
                  "migrations_table": "catalog_migrations" },
              ],
            },
          },
        }
        """);
    write(dir.resolve("src/index.js"), """
        export default {
          async fetch(request, env) {
            const url = new URL(request.url);
            if (url.pathname === "/orders") {
              const { results } = await env.ORDERS.prepare("SELECT id, item FROM orders ORDER BY id").all();
              return Response.json(results);
            }
            if (url.pathname === "/catalog") {
              const { results } = await env.CATALOG.prepare("SELECT sku, title FROM products ORDER BY sku").all();
              return Response.json(results);
            }
            return new Response("shop: try GET /orders or GET /catalog\\n");
          },
        };
        """);
    write(dir.resolve("db/orders/0001_orders.sql"),
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT NOT NULL);\n");
    write(dir.resolve("db/catalog/0001_products.sql"),
        "CREATE TABLE products (sku TEXT PRIMARY KEY, title TEXT NOT NULL);\n");
    write(dir.resolve("db/catalog/0002_price.sql"), "ALTER TABLE products ADD COLUMN price_cents INTEGER;\n");
    return dir;
  }

  /** A Worker without a database, with a staging environment of its own name. */
  static Path noDatabase(Path dir) {
    write(dir.resolve("wrangler.toml"), """
        name = "greeter"
        main = "src/worker.js"
        compatibility_date = "2025-06-01"

        [env.staging]
        name = "greeter-staging"
        """);
    write(dir.resolve("src/worker.js"), """
        export default {
          async fetch(request) {
            return new Response("hello from greeter\\n");
          },
        };
        """);
    return dir;
  }

  static void write(Path file, String text) {
    LocalProjects.write(file, text);
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
