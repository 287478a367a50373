const { Address, SMTPError } = require("@twisted-ts/smtp");

const a = new Address("<@relay.example:joe@example.com>");
if (a.toString() !== "joe@example.com") throw new Error(`Address gave ${a}`);
if (!(new SMTPError("x") instanceof Error)) throw new Error("SMTPError");
console.log("smtp cjs ok");
