// client.mjs drives clustergate's MCP endpoint with the TypeScript SDK
// (@modelcontextprotocol/sdk), the client most agents are built on, and
// checks what such a client relies on: tool annotations, structuredContent
// that validates against the output schema (the SDK checks it on every
// call), isError results, and the confirm guard on destructive tools.
//
// Input comes from the environment, so the key never shows in a process
// list: MCP_URL (the /mcp endpoint) or, for stdio, MCP_COMMAND (a JSON array:
// the server's command and arguments) with MCP_ENV (a JSON object: its whole
// environment); MCP_KEY (a bearer API key, HTTP only) and MEMBER (an existing
// cluster member). It prints one JSON summary line on stdout and exits 1 if
// any check failed, 2 if it crashed or ran out of time.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const { MCP_URL: url, MCP_COMMAND: command, MCP_ENV: serverEnv, MCP_KEY: key, MEMBER: member } = process.env;
const deadlineMs = 60_000; // the Go test allows 90 s for the whole run

const failures = [];
function check(ok, what) {
  if (!ok) failures.push(what);
}

function text(result) {
  return (result.content ?? []).filter((c) => c.type === "text").map((c) => c.text).join("");
}

async function connect(headers) {
  const client = new Client({ name: "clustergate-mcpclients", version: "1.0.0" });
  let transport;
  if (command) {
    const [cmd, ...args] = JSON.parse(command);
    transport = new StdioClientTransport({ command: cmd, args, env: JSON.parse(serverEnv ?? "{}"), stderr: "pipe" });
  } else {
    transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  }
  await client.connect(transport);
  return client;
}

async function main() {
  if (!(url || command) || !member || (url && !key)) throw new Error("set MCP_URL and MCP_KEY, or MCP_COMMAND; and MEMBER");
  const summary = {};
  const client = await connect({ Authorization: `Bearer ${key}` });
  try {
    // listTools also compiles every output schema (the SDK caches a
    // validator per tool), so a schema Ajv cannot compile fails here.
    const { tools } = await client.listTools();
    summary.tools = tools.length;
    summary.annotated = 0;
    for (const tool of tools) {
      const a = tool.annotations ?? {};
      const hints = ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"];
      const ok = typeof a.title === "string" && a.title !== "" && hints.every((h) => typeof a[h] === "boolean");
      check(ok, `${tool.name}: annotations incomplete: ${JSON.stringify(a)}`);
      check(tool.inputSchema?.type === "object", `${tool.name}: inputSchema.type is not object`);
      if (ok) summary.annotated++;
    }

    const got = await client.callTool({ name: "get-cluster-member", arguments: { name: member } });
    summary.memberServerName = got.structuredContent?.server_name;
    check(!got.isError, `get-cluster-member ${member}: isError: ${text(got)}`);
    check(summary.memberServerName === member, `get-cluster-member: structuredContent.server_name is ${summary.memberServerName}`);
    check(JSON.parse(text(got)).server_name === member, "get-cluster-member: the text copy is not the member as JSON");

    const missing = await client.callTool({ name: "get-cluster-member", arguments: { name: "nobody" } });
    summary.notFound = { isError: missing.isError === true, text: text(missing) };
    check(summary.notFound.isError, "get-cluster-member nobody: isError is not true");

    // No confirm: the server must refuse and say how to confirm. The
    // SDK does not check arguments against inputSchema, so this reaches
    // the server although confirm is required there.
    const refused = await client.callTool({ name: "delete-cluster-member", arguments: { name: member } });
    summary.refused = { isError: refused.isError === true, text: text(refused) };
    check(summary.refused.isError, "delete-cluster-member without confirm: isError is not true");
    check(/confirm/.test(summary.refused.text), "delete-cluster-member without confirm: message does not mention confirm");
  } finally {
    await client.close();
  }

  // Without the key the SDK must not get a session at all (HTTP: stdio
  // presents the server's own key).
  if (url) {
    try {
      const anon = await connect({});
      await anon.close();
      summary.noKey = { refused: false };
    } catch (err) {
      summary.noKey = { refused: true, error: String(err?.message ?? err) };
    }
    check(summary.noKey.refused, "connecting without a key succeeded");
  }

  summary.failures = failures;
  console.log(JSON.stringify(summary));
  return failures.length === 0 ? 0 : 1;
}

// unref: the timer must not keep a finished run alive.
setTimeout(() => {
  console.error(`client.mjs: no result after ${deadlineMs} ms`);
  process.exit(2);
}, deadlineMs).unref();

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error("client.mjs:", err?.stack ?? err);
    process.exit(2);
  },
);
