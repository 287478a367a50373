const { MemCacheProtocol, ClientError } = require("@twisted-ts/memcache");

if (typeof MemCacheProtocol !== "function") throw new Error("MemCacheProtocol");
if (!(new ClientError("bad key") instanceof Error)) throw new Error("ClientError");
console.log("memcache cjs ok");
