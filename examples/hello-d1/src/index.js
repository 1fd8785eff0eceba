// hello-d1: a small notes API on D1. /health answers 200 only when the database and its
// migrations are in place, which is what flaredeploy's smoke test checks.
export default {
  async fetch(request, env) {
    const url = new URL(request.url);

    if (url.pathname === "/health") {
      try {
        const row = await env.DB.prepare("SELECT count(*) AS notes FROM notes").first();
        return Response.json({ status: "healthy", notes: row.notes });
      } catch (err) {
        return Response.json({ status: "unhealthy", error: String(err) }, { status: 503 });
      }
    }

    if (url.pathname === "/notes" && request.method === "GET") {
      const { results } = await env.DB.prepare(
        "SELECT id, body, author, created_at FROM notes ORDER BY id"
      ).all();
      return Response.json(results);
    }

    if (url.pathname === "/notes" && request.method === "POST") {
      const note = await request.json();
      if (typeof note.body !== "string" || note.body.length === 0) {
        return Response.json({ error: "body is required" }, { status: 400 });
      }
      const saved = await env.DB.prepare(
        "INSERT INTO notes (body, author) VALUES (?, ?) RETURNING id"
      ).bind(note.body, note.author ?? null).first();
      return Response.json(saved, { status: 201 });
    }

    return new Response("hello-d1: try GET /health, GET /notes or POST /notes\n");
  },
};
