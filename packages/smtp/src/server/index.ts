/**
 * server: filled in by its owner.
 * @packageDocumentation
 */
export {};
