/**
 * static: filled in by its owner.
 * @packageDocumentation
 */
export {};
