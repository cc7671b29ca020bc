#!/usr/bin/env python3
"""SQLite FTS5 peer for scripts/bench: builds one table from NDJSON and answers the same query
classes newsdex does (ranked top 10 with a body snippet, plus the source facet over every match).

Usable as a module (persistent connection, what a server built on SQLite would do) and as a process
(`bench_fts.py query DB ...`), so the process-per-query cost can be compared with newsdex's CLI.
"""
import json
import sqlite3
import sys

SCHEMA = (
    "CREATE VIRTUAL TABLE articles USING fts5("
    "title, body, source UNINDEXED, date UNINDEXED, tokenize='porter unicode61')"
)


def build(ndjson_path, db_path):
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute(SCHEMA)

    def rows():
        with open(ndjson_path, encoding="utf-8") as f:
            for line in f:
                a = json.loads(line)
                yield a.get("title", ""), a.get("body", ""), a.get("source", ""), a.get("date", "")

    # One transaction: the bulk-load path SQLite is fastest on.
    with con:
        con.executemany("INSERT INTO articles(title, body, source, date) VALUES (?,?,?,?)", rows())
    # Merging the b-trees is part of building a query-ready index, as tantivy's merges are.
    with con:
        con.execute("INSERT INTO articles(articles) VALUES('optimize')")
    n = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    con.close()
    return n


def to_match(words, phrase):
    """The FTS5 MATCH expression for a list of words (all required) or an exact phrase."""
    if phrase:
        return '"' + " ".join(words) + '"'
    return " AND ".join('"' + w + '"' for w in words)


def search(con, match, source=None, newest=False, limit=10):
    """Top hits with snippets and the source facet, the work newsdex does for one request."""
    where = "articles MATCH ?"
    params = [match]
    if source:
        where += " AND source = ?"
        params.append(source)
    order = "date DESC" if newest else "rank"
    hits = con.execute(
        "SELECT rowid, title, source, date, snippet(articles, 1, '[', ']', ' … ', 24), "
        f"bm25(articles) FROM articles WHERE {where} ORDER BY {order} LIMIT ?",
        params + [limit],
    ).fetchall()
    facet = con.execute(
        f"SELECT source, count(*) AS n FROM articles WHERE {where} "
        "GROUP BY source ORDER BY n DESC",
        params,
    ).fetchall()
    # Every match has one source, so the groups also give the total without a third scan.
    return {"total": sum(n for _, n in facet), "hits": hits, "facets": facet[:10]}


def main(argv):
    if len(argv) >= 3 and argv[0] == "index":
        print(build(argv[1], argv[2]))
        return 0
    if len(argv) >= 3 and argv[0] == "query":
        db, match = argv[1], argv[2]
        rest = argv[3:]
        source = rest[rest.index("--source") + 1] if "--source" in rest else None
        con = sqlite3.connect(db)
        out = search(con, match, source=source, newest="--newest" in rest)
        print(json.dumps(out, default=str))
        return 0
    print("usage: bench_fts.py index NDJSON DB | query DB MATCH [--source S] [--newest]",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
