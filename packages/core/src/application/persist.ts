/**
 * Keeping services' state across restarts, as plain JSON: the safe form of Twisted's
 * `Application.save()` and `.tap` files (no code is ever deserialised).
 * @packageDocumentation
 */
import type { IService, IServiceCollection, StateValue } from "./service.js";

/** The saved state of a tree of services: each named service's `getState()`, by its path. */
export type SavedState = Record<string, StateValue>;

function isCollection(service: IService): service is IService & IServiceCollection {
  return typeof (service as Partial<IServiceCollection>)[Symbol.iterator] === "function";
}

function walk(
  service: IService,
  path: string,
  visit: (service: IService, path: string) => void,
): void {
  visit(service, path);
  if (!isCollection(service)) return;
  for (const child of service) {
    if (child.name !== undefined)
      walk(child, path === "" ? child.name : `${path}/${child.name}`, visit);
  }
}

/**
 * Collect the state of every named service that has a `getState` (the root's under "").
 * @param root - the application or any service.
 * @returns the state by service path (`"parent/child"`), ready for `JSON.stringify`.
 */
export function collectState(root: IService): SavedState {
  const saved: SavedState = {};
  walk(root, "", (service, path) => {
    if (typeof service.getState === "function") saved[path] = service.getState();
  });
  return saved;
}

/**
 * Give each named service with a `setState` the state saved for its path; state for paths that
 * no longer exist is ignored.
 * @param root - the application or any service.
 * @param saved - what `collectState` returned (after a JSON round trip).
 */
export function restoreState(root: IService, saved: SavedState): void {
  walk(root, "", (service, path) => {
    if (typeof service.setState === "function" && Object.hasOwn(saved, path)) {
      service.setState(saved[path] as StateValue);
    }
  });
}
