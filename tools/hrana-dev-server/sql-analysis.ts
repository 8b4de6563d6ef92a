// What the server must know about a SQL text before binding arguments, computed with SQLite's own
// tokenizer rules (the native `libsql` package exposes neither parameter names nor the SQL tail):
//   - how many statements it holds (Hrana `execute` takes exactly one; sqld answers
//     SQL_NO_STATEMENT / SQL_MANY_STATEMENTS, while libsql would silently ignore the rest),
//   - the parameter slots and their names, numbered like sqlite3ExprAssignVarNumber does:
//     `?` takes the next number, `?NNN` takes NNN, `:a`/`@a`/`$a` reuse their slot or take the next.
// The worker cross-checks the slots against SQLite's EXPLAIN output, so a disagreement is loud.
//
// Known limit (shared with sqlite3_complete()): inside a CREATE TRIGGER body, `... CASE ... END;`
// looks like the end of the trigger.

export interface SqlAnalysis {
  /** Statements with at least one token (empty statements between semicolons do not count). */
  statementCount: number;
  /** Slot i+1 -> its name ('?3', ':name', '@x', '$v') or null for a nameless `?` / unreferenced slot. */
  params: (string | null)[];
  /** The first statement starts with EXPLAIN. */
  isExplain: boolean;
}

type Token = { kind: "semi" } | { kind: "word"; text: string } | { kind: "param"; text: string } | { kind: "other" };

function isIdChar(c: string | undefined): boolean {
  if (c === undefined) return false;
  return /[A-Za-z0-9_$]/.test(c) || c.charCodeAt(0) >= 0x80;
}

function isIdStart(c: string | undefined): boolean {
  if (c === undefined) return false;
  return /[A-Za-z_]/.test(c) || c.charCodeAt(0) >= 0x80;
}

function skipQuoted(sql: string, start: number, close: string, doubled: boolean): number {
  let j = start + 1;
  for (;;) {
    const k = sql.indexOf(close, j);
    if (k === -1) return sql.length;
    if (doubled && sql[k + 1] === close) {
      j = k + 2;
      continue;
    }
    return k + 1;
  }
}

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f") {
      i++;
    } else if (c === "-" && next === "-") {
      const end = sql.indexOf("\n", i);
      i = end === -1 ? sql.length : end + 1;
    } else if (c === "/" && next === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end === -1 ? sql.length : end + 2;
    } else if (c === ";") {
      tokens.push({ kind: "semi" });
      i++;
    } else if (c === "'") {
      i = skipQuoted(sql, i, "'", true);
      tokens.push({ kind: "other" });
    } else if (c === '"' || c === "`") {
      i = skipQuoted(sql, i, c, true);
      tokens.push({ kind: "other" });
    } else if (c === "[") {
      const end = sql.indexOf("]", i + 1);
      i = end === -1 ? sql.length : end + 1;
      tokens.push({ kind: "other" });
    } else if ((c === "x" || c === "X") && next === "'") {
      i = skipQuoted(sql, i + 1, "'", false);
      tokens.push({ kind: "other" });
    } else if (c === "?") {
      let j = i + 1;
      while (j < sql.length && /[0-9]/.test(sql[j]!)) j++;
      tokens.push({ kind: "param", text: sql.slice(i, j) });
      i = j;
    } else if ((c === ":" || c === "@") && isIdChar(next)) {
      let j = i + 1;
      while (isIdChar(sql[j])) j++;
      tokens.push({ kind: "param", text: sql.slice(i, j) });
      i = j;
    } else if (c === "$" && isIdChar(next)) {
      // TCL-style variables: $name, $ns::name, $name(index)
      let j = i + 1;
      for (;;) {
        while (isIdChar(sql[j])) j++;
        if (sql[j] === ":" && sql[j + 1] === ":") {
          j += 2;
          continue;
        }
        break;
      }
      if (sql[j] === "(") {
        const end = sql.indexOf(")", j);
        if (end !== -1) j = end + 1;
      }
      tokens.push({ kind: "param", text: sql.slice(i, j) });
      i = j;
    } else if (isIdStart(c)) {
      let j = i + 1;
      while (isIdChar(sql[j])) j++;
      tokens.push({ kind: "word", text: sql.slice(i, j) });
      i = j;
    } else if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(next ?? ""))) {
      let j = i + 1;
      while (j < sql.length && /[0-9A-Za-z_.]/.test(sql[j]!)) j++;
      tokens.push({ kind: "other" });
      i = j;
    } else {
      tokens.push({ kind: "other" });
      i++;
    }
  }
  return tokens;
}

export function analyzeSql(sql: string): SqlAnalysis {
  const tokens = tokenize(sql);
  let statementCount = 0;
  let current: Token[] = [];
  let inTrigger = false;
  let isExplain: boolean | undefined;
  const endStatement = () => {
    if (current.length > 0) {
      statementCount++;
      if (isExplain === undefined) {
        const first = current[0];
        isExplain = first?.kind === "word" && first.text.toUpperCase() === "EXPLAIN";
      }
    }
    current = [];
    inTrigger = false;
  };
  for (const t of tokens) {
    if (t.kind === "semi") {
      if (inTrigger) {
        const prev = current[current.length - 1];
        if (!(prev?.kind === "word" && prev.text.toUpperCase() === "END")) {
          current.push(t);
          continue;
        }
      }
      endStatement();
      continue;
    }
    current.push(t);
    if (!inTrigger && t.kind === "word" && t.text.toUpperCase() === "TRIGGER") {
      const words = current.filter((x) => x.kind === "word").map((x) => (x as { text: string }).text.toUpperCase());
      const lead = words[0] === "EXPLAIN" ? words.slice(words[1] === "QUERY" ? 3 : 1) : words;
      if (lead[0] === "CREATE" && (lead[1] === "TRIGGER" || ((lead[1] === "TEMP" || lead[1] === "TEMPORARY") && lead[2] === "TRIGGER"))) inTrigger = true;
    }
  }
  endStatement();

  // Parameter slots, numbered across the whole text like SQLite does within one statement.
  const params: (string | null)[] = [];
  const byName = new Map<string, number>();
  for (const t of tokens) {
    if (t.kind !== "param") continue;
    if (t.text === "?") {
      params.push(null);
    } else if (t.text.startsWith("?")) {
      const n = Number(t.text.slice(1));
      if (!(n >= 1 && n <= 32766)) continue; // SQLite refuses it when preparing
      while (params.length < n) params.push(null);
      if (!byName.has(t.text) && params[n - 1] === null) {
        params[n - 1] = t.text;
        byName.set(t.text, n);
      }
    } else {
      if (!byName.has(t.text)) {
        params.push(t.text);
        byName.set(t.text, params.length);
      }
    }
  }
  return { statementCount, params, isExplain: isExplain ?? false };
}
