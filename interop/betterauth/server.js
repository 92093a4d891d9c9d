// better-auth with its @better-auth/scim plugin on loopback as an interop
// target of scimconf: the glue the plugin's documentation shows (betterAuth
// with scim() among its plugins, one code-defined connection with a static
// bearer credential, the handler mounted on node's http server), on
// better-auth's memory adapter instead of a database. Nothing here is shaped
// to please the harness.
//
// Usage: node server.js   (env PORT, default 0 = any free port; env SCIM_TOKEN,
// default random). Prints SCIM_BASE_URL=... and SCIM_TOKEN=... once it listens.
import crypto from "node:crypto";
import http from "node:http";
import { betterAuth } from "better-auth";
import { memoryAdapter } from "better-auth/adapters/memory";
import { toNodeHandler } from "better-auth/node";
import { getAuthTables } from "better-auth/db";
import { scim } from "@better-auth/scim";

const token = process.env.SCIM_TOKEN || crypto.randomBytes(16).toString("hex");

const server = http.createServer();
server.listen(Number(process.env.PORT || 0), "127.0.0.1", () => {
    const origin = `http://127.0.0.1:${server.address().port}`;
    const plugins = [
        scim({
            connections: [{ id: "interop", credentials: [{ type: "bearer", id: "interop", token }] }],
        }),
    ];
    // The memory adapter holds one array per model; the models are those
    // better-auth and its plugins declare (what `auth migrate` would create).
    const db = {};
    for (const table of Object.values(getAuthTables({ plugins }))) db[table.modelName] = [];
    const auth = betterAuth({
        baseURL: origin,
        secret: crypto.randomBytes(32).toString("hex"),
        database: memoryAdapter(db),
        plugins,
    });
    server.on("request", toNodeHandler(auth));
    console.log(`SCIM_BASE_URL=${origin}/api/auth/scim/v2`);
    console.log(`SCIM_TOKEN=${token}`);
});
