/**
 * What a daemon child or a cluster worker tells the process that started it, over the IPC
 * channel: that it has started (its service is running), or why it could not.
 * @packageDocumentation
 */

/** A start-up report. */
export type StartReport =
  | { readonly twist: "started"; readonly pid: number }
  | { readonly twist: "failed"; readonly pid: number; readonly message: string };

/**
 * Whether a message received over IPC is a start-up report.
 * @param message - anything received.
 */
export function isStartReport(message: unknown): message is StartReport {
  const m = message as { twist?: unknown; pid?: unknown } | null;
  return (
    typeof m === "object" &&
    m !== null &&
    (m.twist === "started" || m.twist === "failed") &&
    typeof m.pid === "number"
  );
}

/**
 * Send a start-up report to the parent, if there is an IPC channel.
 * @param report - the report.
 * @returns a promise that settles once the message has been handed to the channel.
 */
export function sendStartReport(report: StartReport): Promise<void> {
  return new Promise((resolve) => {
    if (typeof process.send !== "function" || !process.connected) {
      resolve();
      return;
    }
    process.send(report, undefined, {}, () => resolve());
  });
}
