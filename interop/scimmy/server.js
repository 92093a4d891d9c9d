// scimmy + scimmy-routers on loopback as an interop target of scimconf: the
// glue a user writes after the two READMEs (declare User and Group with
// ingress/egress/degress handlers over an in-memory store, mount the express
// routers with a bearer handler). Nothing here is shaped to please the harness.
//
// Usage: node server.js   (env PORT, default 0 = any free port; env SCIM_TOKEN,
// default random). Prints SCIM_BASE_URL=... and SCIM_TOKEN=... once it listens.
import crypto from "node:crypto";
import express from "express";
import SCIMMY from "scimmy";
import SCIMMYRouters from "scimmy-routers";

const token = process.env.SCIM_TOKEN || crypto.randomBytes(16).toString("hex");

// In-memory storage: one Map per resource type, id -> stored resource.
function memoryStore(resourceType) {
    const records = new Map();
    return {
        // Create (no resource.id) or replace (resource.id) a resource.
        ingress: (resource, instance) => {
            const now = new Date();
            if (resource.id) {
                const old = records.get(resource.id);
                if (!old) throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`);
                const updated = {...instance, id: resource.id, meta: {created: old.meta.created, lastModified: now}};
                records.set(resource.id, updated);
                return updated;
            }
            const id = crypto.randomUUID();
            const created = {...instance, id, meta: {created: now, lastModified: now}};
            records.set(id, created);
            return created;
        },
        // One resource by id, or all of them narrowed by the request's filter.
        egress: (resource) => {
            if (resource.id) {
                const found = records.get(resource.id);
                if (!found) throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`);
                return found;
            }
            const all = [...records.values()];
            return resource.filter ? resource.filter.match(all) : all;
        },
        degress: (resource) => {
            if (!records.delete(resource.id)) throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`);
        },
        resourceType,
    };
}

for (const [type, store] of [[SCIMMY.Resources.User, memoryStore("User")], [SCIMMY.Resources.Group, memoryStore("Group")]]) {
    SCIMMY.Resources.declare(type).ingress(store.ingress).egress(store.egress).degress(store.degress);
}

const app = express();
app.use("/scim", new SCIMMYRouters({
    type: "bearer",
    docUri: "https://github.com/scimmyjs/scimmy-routers",
    handler: (request) => {
        const presented = request.header("Authorization")?.replace(/^Bearer /, "");
        if (!request.header("Authorization")?.startsWith("Bearer ") || presented !== token) {
            throw new Error("Authorization failure");
        }
        return "interop";
    },
}));

const server = app.listen(Number(process.env.PORT || 0), "127.0.0.1", () => {
    const {port} = server.address();
    console.log(`SCIM_BASE_URL=http://127.0.0.1:${port}/scim`);
    console.log(`SCIM_TOKEN=${token}`);
});
