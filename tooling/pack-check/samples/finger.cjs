const { MemoryFingerService, parseQuery } = require("@twisted-ts/finger");

const service = new MemoryFingerService({ joe: "at lunch" });
service.setUser("ann", "in a meeting");
service.getUsers().addCallback((users) => {
  if (users.sort().join(",") !== "ann,joe") throw new Error(`users ${users}`);
  if (typeof parseQuery !== "function") throw new Error("parseQuery");
  console.log("finger cjs ok");
});
